#!/usr/bin/python3
"""A drive that fills up (ENOSPC) in the middle of a PUT, on a node of three
drives, one of them a small tmpfs: under THREECOPIES (quorum 2) the copy on
the full drive is dropped and the PUT succeeds on the other two, reading back
bit-exact; under EC2+1 (quorum 3) the PUT fails with 503, its log line naming
the full drive, and leaves nothing behind; either way the full drive takes writes again once
space is freed. Needs root (it mounts a tmpfs)."""
import os
import subprocess
import time
import unittest

from shoald_process import (Daemon, ROOT_PASSWORD, ROOT_USER, chunk_files_on, clean_env, failure_detail,
                           main_with_workdir, pattern,
                           s3_client, stop_cleanly)

ARGS = None
CHUNK = 64 << 10
TMPFS = 80 << 20        # above the conscience's 64 MiB floor, so it takes writes
LEFT = 48 << 10         # free bytes left on it: less than one chunk
REFRESH = 5.5           # the conscience refreshes scores every 5 s
BUCKET = "full"


def header_has(path, text):
    with open(path, "rb") as f:
        return text in f.read(4096)


def pending_files(drives):
    return [f for d in drives for f in os.listdir(os.path.join(d, "chunks", "pending"))]


@unittest.skipIf(os.geteuid() != 0, "mounting a tmpfs needs root")
class FullDrive(unittest.TestCase):
    @classmethod
    def setUpClass(cls):
        cls.workdir = os.path.join(ARGS.workdir, "full")
        cls.drives = [os.path.join(cls.workdir, d) for d in ("d0", "d1", "small")]
        for d in cls.drives:
            os.makedirs(d)
        subprocess.run(["mount", "-t", "tmpfs", "-o", "size=%d" % TMPFS, "tmpfs", cls.drives[2]], check=True)
        env = clean_env(SHOAL_ROOT_USER=ROOT_USER, SHOAL_ROOT_PASSWORD=ROOT_PASSWORD, SHOAL_STORAGE_REPAIR="off",
                        SHOAL_STORAGE_CHUNK_SIZE=str(CHUNK), SHOAL_STORAGE_DEFAULT_POLICY="THREECOPIES")
        cls.daemon = Daemon(ARGS.shoald, ARGS.emulator, drives=cls.drives, env=env, data_dir=cls.workdir)
        cls.daemon.wait_listening()
        cls.s3 = s3_client(cls.daemon.endpoint)
        cls.s3.create_bucket(Bucket=BUCKET)

    @classmethod
    def tearDownClass(cls):
        try:
            stop_cleanly(cls.daemon)
        finally:
            subprocess.run(["umount", "-l", cls.drives[2]], check=False)

    def fill(self):
        """Leaves LEFT bytes free on the small drive (a filler file)."""
        filler = os.path.join(self.drives[2], "filler")
        if os.path.exists(filler):
            os.remove(filler)
        vfs = os.statvfs(self.drives[2])
        with open(filler, "wb") as f:
            os.posix_fallocate(f.fileno(), 0, vfs.f_bavail * vfs.f_frsize - LEFT)

    def free(self):
        os.remove(os.path.join(self.drives[2], "filler"))

    def warm_up(self, key):
        # A small chunked PUT right before filling: the scores were just
        # refreshed, so the next PUT still sees the small drive as taking
        # writes (they are refreshed every 5 s) and runs into its full disk.
        self.s3.put_object(Bucket=BUCKET, Key=key, Body=pattern(CHUNK + 1, key))

    def test_1_a_copy_on_a_full_drive_is_dropped_and_the_put_succeeds(self):
        self.warm_up("warm-1")
        self.fill()
        body = pattern(16 * CHUNK, "big")
        self.s3.put_object(Bucket=BUCKET, Key="big", Body=body)
        self.assertEqual(self.s3.get_object(Bucket=BUCKET, Key="big")["Body"].read(), body)
        log = self.daemon.log()
        self.assertIn("chunk piece dropped: its drive failed", log)
        self.assertIn("No space left on device", log)
        self.assertEqual(pending_files(self.drives), [])
        # Every chunk of "big" has its two copies on the other drives.
        on_others = [p for p in chunk_files_on(self.drives[:2]) if header_has(p, b"big")]
        self.assertEqual(len(on_others), 2 * 16)

    def test_2_below_the_quorum_the_put_fails_cleanly(self):
        # Room again: after a refresh the small drive takes writes again...
        self.free()
        time.sleep(REFRESH)
        self.warm_up("warm-2")
        self.assertTrue(any(header_has(p, b"warm-2") for p in chunk_files_on([self.drives[2]])),
                        "the small drive takes writes again once space is freed")
        # ...and is filled under an EC2+1 upload, which needs all three.
        self.fill()
        before = sorted(chunk_files_on(self.drives))
        # (No retry: botocore retries a 503, which the node would refuse at
        # once, the full drive no longer taking writes.)
        once = s3_client(self.daemon.endpoint, attempts=0)
        with self.assertRaises(once.exceptions.ClientError) as caught:
            once.put_object(Bucket=BUCKET, Key="coded", Body=pattern(8 * CHUNK, "coded"), StorageClass="EC2+1")
        status, code, detail = failure_detail(self.daemon, caught.exception)
        self.assertEqual((status, code), (503, "ServiceUnavailable"))
        self.assertIn("needs 3 pieces of each chunk, only 2 could be written", detail)
        self.assertIn(self.drives[2], detail)
        self.assertIn("No space left on device", detail)
        # Nothing left behind: no chunk, no pending file, no object.
        self.assertEqual(sorted(chunk_files_on(self.drives)), before)
        self.assertEqual(pending_files(self.drives), [])
        with self.assertRaises(self.s3.exceptions.ClientError):
            self.s3.head_object(Bucket=BUCKET, Key="coded")
        # Reads of what the full drive holds keep working.
        self.assertEqual(self.s3.get_object(Bucket=BUCKET, Key="warm-2")["Body"].read(), pattern(CHUNK + 1, "warm-2"))


def main():
    main_with_workdir(globals(), "shoald-full-")


if __name__ == "__main__":
    main()
