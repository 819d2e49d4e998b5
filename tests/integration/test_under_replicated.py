#!/usr/bin/python3
"""Under-replicated writes get their missing pieces back without a scrub, on
a node of three drives, one of them a small tmpfs whose free space is under
the conscience's floor: a THREECOPIES PUT is stored with two copies, the log
names the small drive and why it was left out, and the object is queued for
repair in the catalog; once space is freed the third copies are written, also
when shoald was restarted in between (the queue is kept with the metadata).
The scrub is off throughout. Needs root (it mounts a tmpfs)."""
import os
import re
import subprocess
import time
import unittest

from shoald_process import (Daemon, ROOT_PASSWORD, ROOT_USER, chunk_files_on, clean_env, main_with_workdir, pattern,
                           s3_client, stop_cleanly)

ARGS = None
CHUNK = 64 << 10
TMPFS = 80 << 20        # above the conscience's 64 MiB floor when empty
LEFT = 32 << 20         # free bytes left by the filler: under the floor
REFRESH = 5.5           # the conscience refreshes scores every 5 s
WAIT = 120              # seconds for the queued repair (qemu is slow)
BUCKET = "thin"


def header_has(path, text):
    with open(path, "rb") as f:
        return text in f.read(4096)


@unittest.skipIf(os.geteuid() != 0, "mounting a tmpfs needs root")
class UnderReplicated(unittest.TestCase):
    @classmethod
    def setUpClass(cls):
        cls.workdir = os.path.join(ARGS.workdir, "node")
        cls.drives = [os.path.join(cls.workdir, d) for d in ("d0", "d1", "small")]
        for d in cls.drives:
            os.makedirs(d)
        subprocess.run(["mount", "-t", "tmpfs", "-o", "size=%d" % TMPFS, "tmpfs", cls.drives[2]], check=True)
        cls.daemon = None
        try:
            cls.fill()  # before the start: the small drive never takes a write
            cls.start()
            cls.s3.create_bucket(Bucket=BUCKET)
        except BaseException:
            cls.tearDownClass()
            raise

    @classmethod
    def tearDownClass(cls):
        try:
            if cls.daemon is not None:
                stop_cleanly(cls.daemon)
        finally:
            subprocess.run(["umount", "-l", cls.drives[2]], check=False)

    @classmethod
    def start(cls):
        env = clean_env(SHOAL_ROOT_USER=ROOT_USER, SHOAL_ROOT_PASSWORD=ROOT_PASSWORD, SHOAL_STORAGE_REPAIR="on",
                        SHOAL_STORAGE_SCRUB_RATE="0", SHOAL_STORAGE_CHUNK_SIZE=str(CHUNK),
                        SHOAL_STORAGE_DEFAULT_POLICY="THREECOPIES")
        cls.daemon = Daemon(ARGS.shoald, ARGS.emulator, drives=cls.drives, env=env, data_dir=cls.workdir)
        cls.daemon.wait_listening()
        cls.s3 = s3_client(cls.daemon.endpoint)

    @classmethod
    def fill(cls):
        """Leaves LEFT bytes free on the small drive (a filler file)."""
        filler = os.path.join(cls.drives[2], "filler")
        if os.path.exists(filler):
            os.remove(filler)
        vfs = os.statvfs(cls.drives[2])
        with open(filler, "wb") as f:
            os.posix_fallocate(f.fileno(), 0, vfs.f_bavail * vfs.f_frsize - LEFT)

    def free(self):
        os.remove(os.path.join(self.drives[2], "filler"))

    def copies_on_small(self, key):
        return sum(1 for p in chunk_files_on([self.drives[2]]) if header_has(p, key.encode()))

    def put_short(self, key, chunks):
        body = pattern(chunks * CHUNK - 7, key)
        self.s3.put_object(Bucket=BUCKET, Key=key, Body=body)
        self.assertEqual(self.copies_on_small(key), 0)
        self.assertEqual(sum(1 for p in chunk_files_on(self.drives[:2]) if header_has(p, key.encode())), 2 * chunks)
        return body

    def wait_for_third_copies(self, key, chunks):
        deadline = time.monotonic() + WAIT
        while self.copies_on_small(key) < chunks:
            if time.monotonic() > deadline:
                self.fail("%s: %d of %d third copies after %d s; log:\n%s"
                          % (key, self.copies_on_small(key), chunks, WAIT, self.daemon.log()[-5000:]))
            time.sleep(0.2)
        self.daemon.wait_for_line("queued repair done: the version has all its pieces .*%s/%s" % (BUCKET, key))

    def test_1_the_third_copy_is_written_once_space_is_freed(self):
        body = self.put_short("first", 3)
        # The log says which drive was left out, and why.
        self.daemon.wait_for_line(r"chunk stored with fewer pieces than its policy wants .*key=first .*"
                                  r"left_out=\"drive [0-9a-f]{16} \(%s\): free space under the floor" % re.escape(self.drives[2]))
        time.sleep(REFRESH)
        self.assertEqual(self.copies_on_small("first"), 0)  # no drive for it yet: it waits
        self.free()
        self.wait_for_third_copies("first", 3)
        self.assertEqual(self.s3.get_object(Bucket=BUCKET, Key="first")["Body"].read(), body)
        self.assertNotIn("scrub pass", self.daemon.log())

    def test_2_also_across_a_restart(self):
        self.fill()
        time.sleep(REFRESH)  # the conscience sees the drive under its floor again
        body = self.put_short("second", 2)
        stop_cleanly(type(self).daemon)
        type(self).daemon = None
        type(self).start()  # the drive still under its floor: the version still waits
        self.daemon.wait_for_line("repair queue: versions wait for a drive")
        self.assertEqual(self.copies_on_small("second"), 0)
        self.free()
        self.wait_for_third_copies("second", 2)
        self.assertEqual(self.s3.get_object(Bucket=BUCKET, Key="second")["Body"].read(), body)
        self.assertNotIn("scrub pass", self.daemon.log())


def main():
    main_with_workdir(globals(), "shoald-thin-")


if __name__ == "__main__":
    main()
