#!/usr/bin/python3
"""Which storage policy an object gets, on a node of four drives with default
EC2+1 and the size rule "THREECOPIES up to 100 KiB": small objects become
copies, large ones fragments; a bucket's own policy (set with `shoald admin
bucket-policy`, kept across restarts) replaces the default; a policy named in
x-amz-storage-class beats both; multipart parts follow the bucket; a size
rule the node cannot honour stops the start. Checked on disk, from the policy
name each piece's header carries."""
import os
import unittest

from shoald_process import (Daemon, ROOT_PASSWORD, ROOT_USER, chunk_files_on, clean_env, main_with_workdir, pattern,
                           s3_client, shoald_admin, stop_cleanly)

ARGS = None
CHUNK = 64 << 10
SMALL = 100 << 10


def header(path):
    with open(path, "rb") as f:
        return f.read(4096)


class PolicyChoice(unittest.TestCase):
    @classmethod
    def setUpClass(cls):
        cls.workdir = os.path.join(ARGS.workdir, "choice")
        cls.drives = [os.path.join(cls.workdir, "d%d" % i) for i in range(4)]
        cls.start()
        cls.s3.create_bucket(Bucket="plain")
        cls.s3.create_bucket(Bucket="twice")
        cls.s3.create_bucket(Bucket="wide")

    @classmethod
    def start(cls):
        env = clean_env(SHOAL_ROOT_USER=ROOT_USER, SHOAL_ROOT_PASSWORD=ROOT_PASSWORD, SHOAL_STORAGE_REPAIR="off",
                        SHOAL_STORAGE_CHUNK_SIZE=str(CHUNK), SHOAL_STORAGE_DEFAULT_POLICY="EC2+1",
                        SHOAL_STORAGE_SMALL_OBJECT_POLICY="THREECOPIES", SHOAL_STORAGE_SMALL_OBJECT_SIZE=str(SMALL),
                        SHOAL_S3_MIN_PART_SIZE=str(CHUNK))
        cls.daemon = Daemon(ARGS.shoald, ARGS.emulator, drives=cls.drives, env=env, data_dir=cls.workdir)
        cls.daemon.wait_listening()
        cls.s3 = s3_client(cls.daemon.endpoint)

    @classmethod
    def tearDownClass(cls):
        stop_cleanly(cls.daemon)

    def admin(self, *args):
        return shoald_admin(self.daemon, *args)

    def policies_of(self, key):
        """The policy names in the headers of the key's pieces, one per piece."""
        found = []
        for path in chunk_files_on(self.drives):
            h = header(path)
            if ("/" + key).encode() in h or key.encode() in h:
                for name in (b"THREECOPIES", b"TWOCOPIES", b"EC2+1", b"EC3+1"):
                    if name in h:
                        found.append(name.decode())
        return sorted(found)

    def put(self, bucket, key, size, **extra):
        body = pattern(size, key)
        self.s3.put_object(Bucket=bucket, Key=key, Body=body, **extra)
        self.assertEqual(self.s3.get_object(Bucket=bucket, Key=key)["Body"].read(), body)

    def test_1_small_objects_are_copies_large_ones_fragments(self):
        self.put("plain", "small-plain", 50 << 10)
        self.assertEqual(self.policies_of("small-plain"), ["THREECOPIES"] * 3)
        self.put("plain", "large-plain", 300 << 10)  # 3 groups of 128 KiB, 3 fragments each
        self.assertEqual(self.policies_of("large-plain"), ["EC2+1"] * 9)
        # The stored class is the one the client gave (none: STANDARD).
        self.assertEqual(self.s3.head_object(Bucket="plain", Key="small-plain").get("StorageClass", "STANDARD"),
                         "STANDARD")

    def test_2_a_bucket_policy_replaces_the_default(self):
        code, out = self.admin("bucket-policy", "twice", "TWOCOPIES")
        self.assertEqual(code, 0, out)
        self.assertIn("twice: TWOCOPIES", out)
        self.put("twice", "large-twice", 300 << 10)  # 5 chunks of 64 KiB, 2 copies each
        self.assertEqual(self.policies_of("large-twice"), ["TWOCOPIES"] * 10)
        # The size rule is for what would be erasure coded: not here.
        self.put("twice", "small-twice", 50 << 10)
        self.assertEqual(self.policies_of("small-twice"), ["TWOCOPIES"] * 2)
        # An erasure-coded bucket keeps small objects as copies.
        self.assertEqual(self.admin("bucket-policy", "wide", "EC3+1")[0], 0)
        self.put("wide", "large-wide", 300 << 10)  # 2 groups of 192 KiB, 4 fragments each
        self.assertEqual(self.policies_of("large-wide"), ["EC3+1"] * 8)
        self.put("wide", "small-wide", 50 << 10)
        self.assertEqual(self.policies_of("small-wide"), ["THREECOPIES"] * 3)

    def test_3_a_named_policy_beats_bucket_and_size(self):
        self.put("twice", "named-small", 50 << 10, StorageClass="EC2+1")
        self.assertEqual(self.policies_of("named-small"), ["EC2+1"] * 3)
        code, out = self.admin("bucket-policy", "twice", "EC9+1")
        self.assertEqual(code, 1)
        self.assertIn("needs 10 drives, this node has 4", out)
        code, out = self.admin("bucket-policy", "missing-bucket")
        self.assertEqual(code, 1)
        self.assertIn("NoSuchBucket", out)

    def test_4_multipart_parts_follow_the_bucket(self):
        upload = self.s3.create_multipart_upload(Bucket="twice", Key="multi-twice")["UploadId"]
        parts = []
        for number in (1, 2):
            etag = self.s3.upload_part(Bucket="twice", Key="multi-twice", UploadId=upload, PartNumber=number,
                                       Body=pattern(CHUNK, "part%d" % number))["ETag"]
            parts.append({"PartNumber": number, "ETag": etag})
        self.s3.complete_multipart_upload(Bucket="twice", Key="multi-twice", UploadId=upload,
                                          MultipartUpload={"Parts": parts})
        self.assertEqual(self.policies_of("multi-twice"), ["TWOCOPIES"] * 4)

    def test_5_bucket_policies_survive_a_restart(self):
        self.assertEqual(self.daemon.stop(), 0)
        self.daemon.close()
        type(self).start()
        self.assertIn("twice: TWOCOPIES", self.admin("bucket-policy", "twice")[1])
        self.assertIn("wide: EC3+1", self.admin("bucket-policy", "wide")[1])
        code, out = self.admin("bucket-policy", "wide", "default")
        self.assertIn("wide: EC2+1 (the node's default)", out)

    def test_6_a_size_rule_the_node_cannot_honour_stops_the_start(self):
        workdir = os.path.join(ARGS.workdir, "bad-rule")
        env = clean_env(SHOAL_ROOT_USER=ROOT_USER, SHOAL_ROOT_PASSWORD=ROOT_PASSWORD,
                        SHOAL_STORAGE_SMALL_OBJECT_POLICY="COPIES5")
        daemon = Daemon(ARGS.shoald, ARGS.emulator, drives=[os.path.join(workdir, "d%d" % i) for i in range(4)],
                        env=env, data_dir=workdir)
        try:
            self.assertEqual(daemon.proc.wait(timeout=60), 1)
            daemon.reader.join(timeout=10)
            self.assertIn("storage.small_object_policy", daemon.log())
            self.assertIn("needs 5 drives, this node has 4", daemon.log())
        finally:
            daemon.close()


def main():
    main_with_workdir(globals(), "shoald-choice-")


if __name__ == "__main__":
    main()
