#!/usr/bin/python3
"""Attaching a drive to a running node (`shoald admin attach DIR`): it takes
new writes at once (pieces land on it; a policy that needed one more drive is
accepted), nothing already stored moves, and the next start attaches it again
though the configuration does not list it. Attaching a drive twice, or a
relative path, is refused."""
import os
import unittest

from shoald_process import (Daemon, ROOT_PASSWORD, ROOT_USER, chunk_files_on, clean_env, main_with_workdir, pattern,
                           s3_client, shoald_admin, stop_cleanly)

ARGS = None
CHUNK = 64 << 10
BUCKET = "growing"


class Attach(unittest.TestCase):
    @classmethod
    def setUpClass(cls):
        cls.workdir = os.path.join(ARGS.workdir, "attach")
        cls.configured = [os.path.join(cls.workdir, "d0"), os.path.join(cls.workdir, "d1")]
        cls.new = os.path.join(cls.workdir, "new")
        cls.bodies = {}
        cls.start()
        cls.s3.create_bucket(Bucket=BUCKET)

    @classmethod
    def start(cls):
        env = clean_env(SHOAL_ROOT_USER=ROOT_USER, SHOAL_ROOT_PASSWORD=ROOT_PASSWORD, SHOAL_STORAGE_REPAIR="off",
                        SHOAL_STORAGE_CHUNK_SIZE=str(CHUNK), SHOAL_STORAGE_DEFAULT_POLICY="TWOCOPIES")
        cls.daemon = Daemon(ARGS.shoald, ARGS.emulator, drives=cls.configured, env=env, data_dir=cls.workdir)
        cls.daemon.wait_listening()
        cls.s3 = s3_client(cls.daemon.endpoint)

    @classmethod
    def tearDownClass(cls):
        stop_cleanly(cls.daemon)

    def admin(self, *args):
        return shoald_admin(self.daemon, *args)

    def put(self, key, size, **extra):
        self.bodies[key] = pattern(size, key)
        self.s3.put_object(Bucket=BUCKET, Key=key, Body=self.bodies[key], **extra)

    def check_all(self):
        for key, body in self.bodies.items():
            self.assertEqual(self.s3.get_object(Bucket=BUCKET, Key=key)["Body"].read(), body, key)

    def test_1_a_new_drive_takes_writes_at_once(self):
        for i in range(4):
            self.put("before-%d" % i, 2 * CHUNK)
        before = sorted(chunk_files_on(self.configured))
        with self.assertRaises(self.s3.exceptions.ClientError):  # three pieces, two drives
            self.put("coded-early", 2 * CHUNK, StorageClass="EC2+1")
        del self.bodies["coded-early"]

        code, out = self.admin("attach", self.new)
        self.assertEqual(code, 0, out)
        self.assertIn("attached %s as drive" % self.new, out)
        self.assertIn(self.new, self.admin("drives")[1])
        for i in range(10):
            self.put("after-%d" % i, 2 * CHUNK)
        self.assertGreater(len(chunk_files_on([self.new])), 0, "the new drive took no pieces")
        self.put("coded", 2 * CHUNK, StorageClass="EC2+1")  # now there are three drives
        # Nothing stored before moved.
        self.assertTrue(set(before) <= set(chunk_files_on(self.configured)))
        self.check_all()

    def test_2_attaching_twice_or_a_relative_path_is_refused(self):
        code, out = self.admin("attach", self.new)
        self.assertEqual(code, 1)
        self.assertIn("cannot attach", out)
        code, out = self.admin("attach", "relative/dir")
        self.assertEqual(code, 1)
        self.assertIn("absolute", out)

    def test_3_the_next_start_attaches_it_again(self):
        self.assertEqual(self.daemon.stop(), 0)
        self.daemon.close()
        type(self).start()  # the configuration still lists two drives
        self.assertIn("drive attached while running before: attaching it again", self.daemon.log())
        self.assertIn(self.new, self.admin("drives")[1])
        self.check_all()


def main():
    main_with_workdir(globals(), "shoald-attach-")


if __name__ == "__main__":
    main()
