#!/usr/bin/python3
"""Storage policies with copies on a node of three drives: every chunk of a
THREECOPIES object lies once on each drive; objects read back bit-exact, whole
and by range, with a drive unreadable (permissions), after two drives' chunks
are damaged and one's then deleted; a scrub then restores every copy (counted
on disk); with no readable copy left a GET fails with an error naming the
object, never with wrong data; x-amz-storage-class picks the policy; deletes
remove every copy; a default policy the node cannot honour stops the start."""
import hashlib
import os
import unittest

from shoald_process import (Daemon, ROOT_PASSWORD, ROOT_USER, chunk_files_on, clean_env, failure_detail,
                           main_with_workdir, pattern,
                           s3_client, wait_for_clean_scrub, stop_cleanly)

ARGS = None
CHUNK = 64 << 10          # small chunks: several per object, quick under qemu
INLINE = 4096             # the default inline threshold: smaller objects live in metadata
BUCKET = "protected"


def chunks_of(size):
    return 0 if size <= INLINE else (size + CHUNK - 1) // CHUNK


SIZES = [0, 1, INLINE, INLINE + 1, CHUNK - 1, CHUNK, CHUNK + 1, 3 * CHUNK + 17]
PART = 80 << 10  # multipart: two parts of 80 KiB and a last one of 1,000 bytes
MULTIPART = [pattern(PART, "p1"), pattern(PART, "p2"), pattern(1000, "p3")]


class ThreeCopies(unittest.TestCase):
    """One daemon for the whole class; the tests run in name order and each
    damages the drives a little more."""

    @classmethod
    def setUpClass(cls):
        os.chmod(ARGS.workdir, 0o755)  # shoald runs as nobody (see Daemon)
        cls.workdir = os.path.join(ARGS.workdir, "three")
        os.mkdir(cls.workdir)
        cls.drives = [os.path.join(cls.workdir, d) for d in ("d1", "d2", "d3")]
        # (Repairs would undo the damage these tests make on purpose: on only
        # for the scrub's turn.)
        cls.start(repair="off")
        cls.s3.create_bucket(Bucket=BUCKET)
        cls.bodies = {}
        for size in SIZES:
            key = "obj-%d" % size
            cls.bodies[key] = pattern(size, key)
            cls.s3.put_object(Bucket=BUCKET, Key=key, Body=cls.bodies[key])
        upload = cls.s3.create_multipart_upload(Bucket=BUCKET, Key="multi")["UploadId"]
        parts = []
        for number, body in enumerate(MULTIPART, 1):
            etag = cls.s3.upload_part(Bucket=BUCKET, Key="multi", UploadId=upload, PartNumber=number,
                                      Body=body)["ETag"]
            parts.append({"PartNumber": number, "ETag": etag})
        cls.s3.complete_multipart_upload(Bucket=BUCKET, Key="multi", UploadId=upload,
                                         MultipartUpload={"Parts": parts})
        cls.bodies["multi"] = b"".join(MULTIPART)
        # (Parts are never inline.)
        cls.chunks = sum(chunks_of(size) for size in SIZES) + sum((len(p) + CHUNK - 1) // CHUNK for p in MULTIPART)

    @classmethod
    def start(cls, repair, **settings):
        env = clean_env(SHOAL_ROOT_USER=ROOT_USER, SHOAL_ROOT_PASSWORD=ROOT_PASSWORD, SHOAL_STORAGE_REPAIR=repair,
                        SHOAL_STORAGE_CHUNK_SIZE=str(CHUNK), SHOAL_STORAGE_DEFAULT_POLICY="THREECOPIES",
                        SHOAL_S3_MIN_PART_SIZE=str(PART))
        for name, value in settings.items():
            env["SHOAL_STORAGE_" + name.upper()] = value
        cls.daemon = Daemon(ARGS.shoald, ARGS.emulator, drives=cls.drives, env=env, data_dir=cls.workdir,
                            unprivileged=True)
        cls.daemon.wait_listening()
        cls.s3 = s3_client(cls.daemon.endpoint)

    @classmethod
    def restart(cls, repair, **settings):
        stop_cleanly(cls.daemon)
        cls.start(repair, **settings)

    @classmethod
    def tearDownClass(cls):
        for drive in cls.drives:
            if os.path.isdir(drive):
                os.chmod(drive, 0o755)
        stop_cleanly(cls.daemon)

    def files_on(self, index):
        return chunk_files_on([self.drives[index]])

    def check_all_objects(self):
        for key, body in self.bodies.items():
            got = self.s3.get_object(Bucket=BUCKET, Key=key)["Body"].read()
            self.assertEqual(hashlib.md5(got).hexdigest(), hashlib.md5(body).hexdigest(), key)
            if len(body) > 2:
                for first, last in ((1, len(body) - 2), (len(body) // 2, len(body) - 1), (0, 0)):
                    part = self.s3.get_object(Bucket=BUCKET, Key=key, Range="bytes=%d-%d" % (first, last))
                    self.assertEqual(part["Body"].read(), body[first:last + 1], "%s %d-%d" % (key, first, last))

    def test_1_every_chunk_has_a_copy_on_each_drive(self):
        self.assertGreater(self.chunks, 10)
        for index in range(3):
            self.assertEqual(len(self.files_on(index)), self.chunks, self.drives[index])
        names = [sorted(os.path.basename(f) for f in self.files_on(i)) for i in range(3)]
        self.assertEqual(len(set(names[0]) & set(names[1])), 0, "each copy is its own chunk file")
        for path in self.files_on(2):
            with open(path, "rb") as f:
                self.assertIn(b"THREECOPIES", f.read(4096), "the header names the policy: " + path)
        self.check_all_objects()

    def test_1b_the_drive_scores_are_on_the_admin_endpoint(self):
        # curl signs it (SigV4) like any S3 request; unsigned, it is refused.
        import subprocess
        import xml.etree.ElementTree as ET
        empty = hashlib.sha256(b"").hexdigest()
        url = self.daemon.endpoint + "/_shoal/drives"
        signed = subprocess.run(["curl", "-s", "--aws-sigv4", "aws:amz:us-east-1:s3",
                                 "--user", "%s:%s" % (ROOT_USER, ROOT_PASSWORD),
                                 "-H", "x-amz-content-sha256: " + empty, url],
                                capture_output=True, check=True, timeout=60).stdout
        doc = ET.fromstring(signed)
        self.assertEqual(doc.tag, "Drives", signed)
        self.assertEqual(doc.findtext("DefaultPolicy"), "THREECOPIES")
        drives = doc.findall("Drive")
        self.assertEqual(sorted(d.findtext("Path") for d in drives), sorted(self.drives))
        for d in drives:
            self.assertEqual(d.findtext("Failed"), "false")
            self.assertGreater(int(d.findtext("WriteScore")), 0)
            self.assertGreater(int(d.findtext("TotalBytes")), 0)
            self.assertIn("free space", d.findtext("Why"))
        unsigned = subprocess.run(["curl", "-s", url], capture_output=True, check=True, timeout=60).stdout
        self.assertIn(b"<Code>AccessDenied</Code>", unsigned)

    def test_1c_an_unreadable_drive(self):
        # (shoald runs as nobody when the tests run as root: see Daemon.)
        os.chmod(self.drives[2], 0)
        try:
            self.check_all_objects()
        finally:
            os.chmod(self.drives[2], 0o755)
        self.assertIn("chunk copy unreadable, reading another", self.daemon.log())

    def test_2_damaged_chunks_are_never_served(self):
        # A flipped byte in the middle of every chunk file of two drives: each
        # read there fails its check and goes to another copy, in the end to
        # the third drive's.
        for path in self.files_on(0) + self.files_on(1):
            with open(path, "r+b") as f:
                f.seek(os.path.getsize(path) // 2)
                byte = f.read(1)
                f.seek(-1, os.SEEK_CUR)
                f.write(bytes([byte[0] ^ 0x20]))
        self.check_all_objects()
        self.assertIn("chunk copy unreadable, reading another", self.daemon.log())

    def test_3_a_drive_emptied_on_top(self):
        for path in self.files_on(0):
            os.remove(path)
        self.assertEqual(len(self.files_on(0)), 0)
        self.check_all_objects()  # one copy missing, one damaged, one good

    def test_3b_a_scrub_restores_every_copy(self):
        self.restart("on", scrub_rate=str(64 << 20), scrub_interval="1s")
        wait_for_clean_scrub(self.daemon)
        for index in range(3):
            self.assertEqual(len(self.files_on(index)), self.chunks, self.drives[index])
        self.check_all_objects()
        self.restart("off")

    def test_4_no_readable_copy_is_an_error_naming_the_object(self):
        for path in self.files_on(0) + self.files_on(1) + self.files_on(2):
            os.remove(path)
        key = "obj-%d" % (3 * CHUNK + 17)
        with self.assertRaises(self.s3.exceptions.ClientError) as caught:
            self.s3.get_object(Bucket=BUCKET, Key=key)["Body"].read()
        status, code, detail = failure_detail(self.daemon, caught.exception)
        self.assertEqual((status, code), (500, "InternalError"))
        self.assertIn(key, detail)
        self.assertIn("the other copies", detail)
        # Inline objects live in metadata: they still read.
        self.assertEqual(self.s3.get_object(Bucket=BUCKET, Key="obj-1")["Body"].read(), self.bodies["obj-1"])

    def test_5_the_storage_class_picks_the_policy(self):
        def new_files(key, body, storage_class):
            before = [len(self.files_on(i)) for i in range(3)]
            self.s3.put_object(Bucket=BUCKET, Key=key, Body=body, StorageClass=storage_class)
            return [len(self.files_on(i)) - before[i] for i in range(3)]

        body = pattern(CHUNK + 5, "classes")  # two chunks
        added = new_files("two", body, "TWOCOPIES")
        self.assertEqual(sum(added), 4)
        self.assertTrue(all(n <= 2 for n in added), added)  # a chunk's copies on different drives
        self.assertEqual(self.s3.head_object(Bucket=BUCKET, Key="two")["StorageClass"], "TWOCOPIES")
        self.assertEqual(sum(new_files("reduced", body, "REDUCED_REDUNDANCY")), 2)
        self.assertEqual(sum(new_files("standard", body, "STANDARD")), 6)  # the default: THREECOPIES
        for key in ("two", "reduced", "standard"):
            self.assertEqual(self.s3.get_object(Bucket=BUCKET, Key=key)["Body"].read(), body)
        for storage_class, message in (("EC4+2", "needs 6 drives, this node has 3"),
                                       ("COPIES4", "needs 4 drives, this node has 3"),
                                       ("FASTEST", "not valid")):
            with self.assertRaises(self.s3.exceptions.ClientError) as caught:
                self.s3.put_object(Bucket=BUCKET, Key="refused", Body=body, StorageClass=storage_class)
            error = caught.exception.response["Error"]
            self.assertEqual(error["Code"], "InvalidStorageClass", storage_class)
            self.assertIn(message, error["Message"])
        with self.assertRaises(self.s3.exceptions.ClientError) as caught:
            self.s3.create_multipart_upload(Bucket=BUCKET, Key="refused", StorageClass="COPIES5")
        self.assertEqual(caught.exception.response["Error"]["Code"], "InvalidStorageClass")

    def test_6_deletes_remove_every_copy(self):
        keys = [o["Key"] for o in self.s3.list_objects_v2(Bucket=BUCKET).get("Contents", [])]
        self.assertIn("two", keys)
        for key in keys:
            self.s3.delete_object(Bucket=BUCKET, Key=key)
        self.assertEqual(chunk_files_on(self.drives), [])


class DefaultPolicy(unittest.TestCase):
    def start(self, name, drives, policy):
        workdir = os.path.join(ARGS.workdir, name)
        env = clean_env(SHOAL_ROOT_USER=ROOT_USER, SHOAL_ROOT_PASSWORD=ROOT_PASSWORD,
                        SHOAL_STORAGE_DEFAULT_POLICY=policy)
        return Daemon(ARGS.shoald, ARGS.emulator, drives=[os.path.join(workdir, "d%d" % i) for i in range(drives)],
                      env=env, data_dir=workdir)

    def test_a_policy_this_node_cannot_honour_stops_the_start(self):
        # (Exit status 2 is a configuration that does not parse, 1 one that
        # cannot be served.)
        for name, drives, policy, status, message in (
                ("short", 2, "THREECOPIES", 1, "needs 3 drives, this node has 2"),
                ("ec", 5, "EC4+2", 1, "needs 6 drives, this node has 5"),
                ("bad", 1, "TRIPLE", 2, "storage.default_policy")):
            daemon = self.start(name, drives, policy)
            try:
                self.assertEqual(daemon.proc.wait(timeout=60), status, policy)
                daemon.reader.join(timeout=10)
                self.assertIn(message, daemon.log())
            finally:
                daemon.close()


def main():
    main_with_workdir(globals(), "shoald-protection-")


if __name__ == "__main__":
    main()
