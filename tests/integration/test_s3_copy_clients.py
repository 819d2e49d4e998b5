#!/usr/bin/python3
"""Server-side copies by real S3 command-line clients against a real shoald:
`aws s3 cp s3://... s3://...` (CopyObject, and UploadPartCopy above the
CLI's multipart threshold), `rclone copyto` between two paths of one remote
(CopyObject, and multipart copies above --s3-copy-cutoff) and `s3cmd cp`."""
import argparse
import os
import subprocess
import sys
import tempfile
import unittest

from shoald_process import Daemon, run_suite
import test_s3_clients as clients

DAEMON = None


def sha256_remote(fetch, name):
    """Downloads with `fetch(path)` and returns the file's SHA-256."""
    path = os.path.join(clients.WORK, name)
    fetch(path)
    return clients.sha256_of(path)


class AwsCliCopy(unittest.TestCase):
    aws = clients.AwsCli.aws

    def test_server_side_copies_small_and_multipart(self):
        self.aws("s3", "mb", "s3://aws-copy-src")
        self.aws("s3", "mb", "s3://aws-copy-dst")
        small = clients.make_file("aws-copy-small", 3000)
        big = clients.make_file("aws-copy-big", 20 * 1024 * 1024 + 5)  # above the CLI's 8 MiB multipart threshold
        self.aws("s3", "cp", small, "s3://aws-copy-src/dir/small file", "--content-type", "text/x-small",
                 "--metadata", "colour=blue")
        self.aws("s3", "cp", big, "s3://aws-copy-src/big")
        out = self.aws("s3", "cp", "s3://aws-copy-src/dir/small file", "s3://aws-copy-dst/copied small").stdout
        self.assertIn(b"copy: s3://aws-copy-src/dir/small file to s3://aws-copy-dst/copied small", out)
        out = self.aws("s3", "cp", "s3://aws-copy-src/big", "s3://aws-copy-dst/big").stdout
        self.assertIn(b"copy: s3://aws-copy-src/big to s3://aws-copy-dst/big", out)
        head = self.aws("s3api", "head-object", "--bucket", "aws-copy-dst", "--key", "copied small").stdout
        self.assertIn(b"text/x-small", head)
        self.assertIn(b'"colour": "blue"', head)
        head = self.aws("s3api", "head-object", "--bucket", "aws-copy-dst", "--key", "big").stdout
        self.assertIn(b'-3\\"', head)  # copied in 3 parts by UploadPartCopy
        got = sha256_remote(lambda p: self.aws("s3", "cp", "s3://aws-copy-dst/big", p), "aws-copy-big.out")
        self.assertEqual(got, clients.sha256_of(big))
        got = sha256_remote(lambda p: self.aws("s3", "cp", "s3://aws-copy-dst/copied small", p), "aws-copy-small.out")
        self.assertEqual(got, clients.sha256_of(small))
        # A missing source fails without writing.
        failed = self.aws("s3", "cp", "s3://aws-copy-src/missing", "s3://aws-copy-dst/missing", check=False)
        self.assertNotEqual(failed.returncode, 0)
        self.assertNotIn(b"missing", self.aws("s3", "ls", "s3://aws-copy-dst/").stdout)
        self.aws("s3", "rm", "--recursive", "s3://aws-copy-src/")
        self.aws("s3", "rm", "--recursive", "s3://aws-copy-dst/")


class RcloneCopy(unittest.TestCase):
    rclone = clients.Rclone.rclone

    def test_copyto_is_server_side(self):
        self.rclone("mkdir", "shoal:rclone-copy")
        small = clients.make_file("rclone-copy-small", 70000)
        big = clients.make_file("rclone-copy-big", 12 * 1024 * 1024)
        self.rclone("copyto", small, "shoal:rclone-copy/a/small")
        self.rclone("copyto", "--s3-upload-cutoff", "5M", "--s3-chunk-size", "5M", big, "shoal:rclone-copy/a/big")
        for name, extra in (("small", []), ("big", ["--s3-copy-cutoff", "5M"])):  # big: a multipart copy
            result = self.rclone("copyto", "-vv", *extra, "shoal:rclone-copy/a/" + name, "shoal:rclone-copy/b/" + name)
            self.assertIn(b"server-side copy", result.stderr, name)
        self.rclone("check", "shoal:rclone-copy/a", "shoal:rclone-copy/b")
        got = sha256_remote(lambda p: self.rclone("copyto", "shoal:rclone-copy/b/big", p), "rclone-copy-big.out")
        self.assertEqual(got, clients.sha256_of(big))
        self.rclone("purge", "shoal:rclone-copy")


class S3cmdCopy(unittest.TestCase):
    s3cmd = clients.S3cmd.s3cmd

    def test_cp_between_buckets(self):
        self.s3cmd("mb", "s3://s3cmd-copy-a")
        self.s3cmd("mb", "s3://s3cmd-copy-b")
        data = clients.make_file("s3cmd-copy", 2 * 1024 * 1024 + 3)
        self.s3cmd("put", data, "s3://s3cmd-copy-a/x y")
        out = self.s3cmd("cp", "s3://s3cmd-copy-a/x y", "s3://s3cmd-copy-b/copied").stdout
        self.assertIn(b"remote copy", out)
        got = sha256_remote(lambda p: self.s3cmd("get", "--force", "s3://s3cmd-copy-b/copied", p), "s3cmd-copy.out")
        self.assertEqual(got, clients.sha256_of(data))
        self.s3cmd("del", "s3://s3cmd-copy-a/x y", "s3://s3cmd-copy-b/copied")
        self.s3cmd("rb", "s3://s3cmd-copy-a")
        self.s3cmd("rb", "s3://s3cmd-copy-b")


def main():
    global DAEMON
    parser = argparse.ArgumentParser()
    parser.add_argument("--shoald", required=True)
    parser.add_argument("--emulator", default="")
    args, rest = parser.parse_known_args()
    DAEMON = Daemon(args.shoald, args.emulator)
    clients.DAEMON = DAEMON  # the client helpers borrowed from test_s3_clients use these
    clients.WORK = tempfile.mkdtemp(prefix="shoal-copy-clients-")
    try:
        run_suite(lambda: DAEMON, [sys.argv[0]] + rest)
    finally:
        subprocess.run(["rm", "-rf", clients.WORK], check=False)


if __name__ == "__main__":
    main()
