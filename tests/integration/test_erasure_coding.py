#!/usr/bin/python3
"""Erasure coding (EC4+2, Vandermonde and Cauchy) on a node of six drives:
every chunk group of an object is six fragment files, one per drive, each
naming its policy; objects of every awkward size and a multipart upload read
back bit-exact, whole and by range, with a drive unreadable (permissions), then
with one drive's fragments bit-flipped and another's deleted (m = 2 lost); a
scrub then restores every fragment (counted on disk); with three drives lost a
GET fails with an error naming the object and the drives, never with wrong
data; the storage class picks EC2+1/cauchy; deletes remove every fragment."""
import hashlib
import os
import unittest

from shoald_process import (Daemon, ROOT_PASSWORD, ROOT_USER, chunk_files_on, clean_env, failure_detail,
                           main_with_workdir, pattern,
                           s3_client, wait_for_clean_scrub, stop_cleanly)

ARGS = None
CHUNK = 64 << 10          # the smallest chunk: a group is 4 chunks' worth
SEGMENT = 16 << 10        # small segments: many per group
GROUP = 4 * CHUNK         # EC4+2: content bytes per chunk group
INLINE = 4096
BUCKET = "coded"
DRIVES = 6


def groups_of(size, group=GROUP):
    return 0 if size <= INLINE else (size + group - 1) // group


SIZES = [0, 1, INLINE + 1, SEGMENT - 1, SEGMENT, SEGMENT + 1, 5 * SEGMENT + 3, GROUP - 1, GROUP, GROUP + 1,
         2 * GROUP + SEGMENT + 17]
PART = 300 << 10  # multipart: two parts crossing a group boundary, and a short last one
MULTIPART = [pattern(PART, "p1"), pattern(PART, "p2"), pattern(1000, "p3")]
CAUCHY_SIZES = [INLINE + 1, 3 * SEGMENT + 1, GROUP + 1]  # EC4+2/cauchy by storage class


class ErasureCoding(unittest.TestCase):
    """One daemon for the whole class; the tests run in name order and each
    damages the drives a little more."""

    @classmethod
    def setUpClass(cls):
        os.chmod(ARGS.workdir, 0o755)  # shoald runs as nobody (see Daemon)
        cls.workdir = os.path.join(ARGS.workdir, "ec")
        os.mkdir(cls.workdir)
        cls.drives = [os.path.join(cls.workdir, "d%d" % i) for i in range(DRIVES)]
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
        for size in CAUCHY_SIZES:
            key = "cauchy-%d" % size
            cls.bodies[key] = pattern(size, key)
            cls.s3.put_object(Bucket=BUCKET, Key=key, Body=cls.bodies[key], StorageClass="EC4+2/cauchy")
        # (Parts are never inline.)
        cls.groups = (sum(groups_of(size) for size in SIZES + CAUCHY_SIZES) +
                      sum((len(p) + GROUP - 1) // GROUP for p in MULTIPART))

    @classmethod
    def start(cls, repair, **settings):
        env = clean_env(SHOAL_ROOT_USER=ROOT_USER, SHOAL_ROOT_PASSWORD=ROOT_PASSWORD, SHOAL_STORAGE_REPAIR=repair,
                        SHOAL_STORAGE_CHUNK_SIZE=str(CHUNK), SHOAL_STORAGE_EC_SEGMENT_SIZE=str(SEGMENT),
                        SHOAL_STORAGE_DEFAULT_POLICY="EC4+2", SHOAL_S3_MIN_PART_SIZE=str(PART))
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
                ranges = [(1, len(body) - 2), (len(body) // 2, len(body) - 1), (0, 0)]
                if len(body) > SEGMENT + 10:  # across a segment boundary
                    ranges.append((SEGMENT - 5, SEGMENT + 5))
                if len(body) > GROUP + 10:    # across a group boundary
                    ranges.append((GROUP - 7, GROUP + 9))
                for first, last in ranges:
                    part = self.s3.get_object(Bucket=BUCKET, Key=key, Range="bytes=%d-%d" % (first, last))
                    self.assertEqual(part["Body"].read(), body[first:last + 1], "%s %d-%d" % (key, first, last))

    def test_1_every_group_has_a_fragment_on_each_drive(self):
        self.assertGreater(self.groups, 10)
        for index in range(DRIVES):
            self.assertEqual(len(self.files_on(index)), self.groups, self.drives[index])
        for path in self.files_on(5):
            with open(path, "rb") as f:
                self.assertIn(b"EC4+2", f.read(4096), "the header names the policy: " + path)
        # A fragment file holds about a quarter of its group (plus padding).
        biggest = max(os.path.getsize(p) for p in self.files_on(0) + self.files_on(1))
        self.assertLess(biggest, GROUP // 4 + 8192)
        self.check_all_objects()
        self.assertNotIn("decoding from the others", self.daemon.log())  # healthy reads decode nothing

    def test_2_an_unreadable_drive(self):
        # (shoald runs as nobody when the tests run as root: see Daemon.)
        os.chmod(self.drives[3], 0)
        try:
            self.check_all_objects()
        finally:
            os.chmod(self.drives[3], 0o755)
        self.assertIn("chunk fragment unreadable, decoding from the others", self.daemon.log())

    def test_3_two_drives_lost_bitrot_and_deletion(self):
        # Every fragment file of drive 0 gets a flipped byte in its middle (it
        # fails its block check), and drive 1 loses all of its fragments.
        for path in self.files_on(0):
            with open(path, "r+b") as f:
                f.seek(os.path.getsize(path) // 2)
                byte = f.read(1)
                f.seek(-1, os.SEEK_CUR)
                f.write(bytes([byte[0] ^ 0x20]))
        for path in self.files_on(1):
            os.remove(path)
        self.check_all_objects()

    def test_3b_a_scrub_restores_every_fragment(self):
        self.restart("on", scrub_rate=str(64 << 20), scrub_interval="1s")
        wait_for_clean_scrub(self.daemon)
        for index in range(DRIVES):
            self.assertEqual(len(self.files_on(index)), self.groups, self.drives[index])
        self.check_all_objects()
        self.restart("off")

    def test_4_three_lost_is_an_error_naming_the_object_and_drives(self):
        for path in self.files_on(0) + self.files_on(1) + self.files_on(2):
            os.remove(path)
        key = "obj-%d" % (2 * GROUP + SEGMENT + 17)
        with self.assertRaises(self.s3.exceptions.ClientError) as caught:
            self.s3.get_object(Bucket=BUCKET, Key=key)["Body"].read()
        status, code, detail = failure_detail(self.daemon, caught.exception)
        self.assertEqual((status, code), (500, "InternalError"))
        self.assertIn(key, detail)
        self.assertIn("needs 4 readable fragments, only 3 are left", detail)
        for lost in self.drives[:3]:
            self.assertIn("on drive " + lost + ": ", detail)
        # Inline objects live in metadata: they still read.
        self.assertEqual(self.s3.get_object(Bucket=BUCKET, Key="obj-1")["Body"].read(), self.bodies["obj-1"])

    def test_5_the_storage_class_picks_the_policy(self):
        body = pattern(3 * CHUNK + 5, "cauchy")  # two groups of EC2+1 (128 KiB each)
        before = [len(self.files_on(i)) for i in range(DRIVES)]
        self.s3.put_object(Bucket=BUCKET, Key="cauchy", Body=body, StorageClass="EC2+1/cauchy")
        added = [len(self.files_on(i)) - before[i] for i in range(DRIVES)]
        self.assertEqual(sum(added), 6)
        self.assertTrue(all(n <= 2 for n in added), added)
        self.assertEqual(self.s3.get_object(Bucket=BUCKET, Key="cauchy")["Body"].read(), body)
        self.assertEqual(self.s3.get_object(Bucket=BUCKET, Key="cauchy", Range="bytes=70000-200000")["Body"].read(),
                         body[70000:200001])
        for storage_class, message in (("EC6+3", "needs 9 drives, this node has 6"),
                                       ("EC4+2@site", "can only be apart by drive")):
            with self.assertRaises(self.s3.exceptions.ClientError) as caught:
                self.s3.put_object(Bucket=BUCKET, Key="refused", Body=body, StorageClass=storage_class)
            error = caught.exception.response["Error"]
            self.assertEqual(error["Code"], "InvalidStorageClass", storage_class)
            self.assertIn(message, error["Message"])

    def test_6_deletes_remove_every_fragment(self):
        keys = [o["Key"] for o in self.s3.list_objects_v2(Bucket=BUCKET).get("Contents", [])]
        self.assertIn("cauchy", keys)
        for key in keys:
            self.s3.delete_object(Bucket=BUCKET, Key=key)
        self.assertEqual(chunk_files_on(self.drives), [])


def main():
    main_with_workdir(globals(), "shoald-ec-")


if __name__ == "__main__":
    main()
