#!/usr/bin/python3
"""Real S3 command-line clients against a real shoald: the AWS CLI, s3cmd
and rclone, as Debian ships them, each with its own defaults (multipart
sizes, checksums, listing styles)."""
import argparse
import filecmp
import hashlib
import os
import subprocess
import sys
import tempfile
import unittest

from shoald_process import Daemon, run_suite, ROOT_PASSWORD, ROOT_USER

DAEMON = None
WORK = None


def run(argv, env=None, check=True):
    result = subprocess.run(argv, capture_output=True, timeout=300, env=env)
    if check and result.returncode != 0:
        raise AssertionError("%s failed (%d):\n%s\n%s" % (" ".join(argv), result.returncode,
                                                          result.stdout.decode(errors="replace")[-2000:],
                                                          result.stderr.decode(errors="replace")[-2000:]))
    return result


def make_file(name, size):
    path = os.path.join(WORK, name)
    with open(path, "wb") as f:
        remaining = size
        while remaining > 0:
            block = os.urandom(min(remaining, 1 << 20))
            f.write(block)
            remaining -= len(block)
    return path


def sha256_of(path):
    h = hashlib.sha256()
    with open(path, "rb") as f:
        for block in iter(lambda: f.read(1 << 20), b""):
            h.update(block)
    return h.hexdigest()


class AwsCli(unittest.TestCase):
    def aws(self, *args, check=True):
        env = {"PATH": "/usr/bin:/bin", "HOME": WORK, "AWS_ACCESS_KEY_ID": ROOT_USER,
               "AWS_SECRET_ACCESS_KEY": ROOT_PASSWORD, "AWS_DEFAULT_REGION": "us-east-1",
               "AWS_CONFIG_FILE": os.path.join(WORK, "aws-config"), "AWS_PAGER": ""}
        with open(env["AWS_CONFIG_FILE"], "w") as f:
            f.write("[default]\ns3 =\n    addressing_style = path\n")
        return run(["/usr/bin/aws", "--endpoint-url", DAEMON.endpoint, *args], env=env, check=check)

    def test_buckets_copy_multipart_sync_and_remove(self):
        self.aws("s3", "mb", "s3://aws-cli")
        self.assertIn(b"aws-cli", self.aws("s3", "ls").stdout)
        small = make_file("aws-small", 1000)
        big = make_file("aws-big", 20 * 1024 * 1024 + 7)  # over the CLI's 8 MiB multipart threshold
        self.aws("s3", "cp", small, "s3://aws-cli/dir/small")
        self.aws("s3", "cp", big, "s3://aws-cli/dir/big")
        head = self.aws("s3api", "head-object", "--bucket", "aws-cli", "--key", "dir/big").stdout
        self.assertIn(b'-3\\"', head)  # a 3-part multipart ETag
        out = os.path.join(WORK, "aws-big.out")
        self.aws("s3", "cp", "s3://aws-cli/dir/big", out)
        self.assertEqual(sha256_of(out), sha256_of(big))
        listing = self.aws("s3", "ls", "--recursive", "s3://aws-cli/").stdout.decode()
        self.assertIn("dir/small", listing)
        self.assertIn("dir/big", listing)

        tree = os.path.join(WORK, "aws-tree")
        os.makedirs(os.path.join(tree, "sub"), exist_ok=True)
        for i in range(12):
            with open(os.path.join(tree, "sub" if i % 2 else "", "f%02d" % i), "wb") as f:
                f.write(os.urandom(100 + i))
        self.aws("s3", "sync", tree, "s3://aws-cli/tree")
        back = os.path.join(WORK, "aws-tree-back")
        self.aws("s3", "sync", "s3://aws-cli/tree", back)
        self.assertEqual(filecmp.dircmp(tree, back).diff_files, [])
        self.assertEqual(sorted(os.listdir(back)), sorted(os.listdir(tree)))

        self.aws("s3", "rm", "--recursive", "s3://aws-cli/")
        self.aws("s3", "rb", "s3://aws-cli")
        self.assertNotIn(b"aws-cli", self.aws("s3", "ls").stdout)


class S3cmd(unittest.TestCase):
    def s3cmd(self, *args):
        config = os.path.join(WORK, "s3cfg")
        host = "127.0.0.1:%d" % DAEMON.port
        with open(config, "w") as f:
            f.write("[default]\naccess_key = %s\nsecret_key = %s\nhost_base = %s\nhost_bucket = %s\n"
                    "use_https = False\nsignature_v2 = False\nbucket_location = us-east-1\n"
                    "multipart_chunk_size_mb = 5\n" % (ROOT_USER, ROOT_PASSWORD, host, host))
        return run(["/usr/bin/s3cmd", "-c", config, *args])

    def test_put_get_list_delete(self):
        self.s3cmd("mb", "s3://s3cmd-bucket")
        small = make_file("s3cmd-small", 5000)
        big = make_file("s3cmd-big", 12 * 1024 * 1024)  # multipart in 5 MiB parts
        self.s3cmd("put", small, "s3://s3cmd-bucket/a/small")
        self.s3cmd("put", big, "s3://s3cmd-bucket/a/big")
        listing = self.s3cmd("ls", "--recursive", "s3://s3cmd-bucket").stdout.decode()
        self.assertIn("s3://s3cmd-bucket/a/small", listing)
        self.assertIn("s3://s3cmd-bucket/a/big", listing)
        self.assertIn("DIR", self.s3cmd("ls", "s3://s3cmd-bucket").stdout.decode())
        out = os.path.join(WORK, "s3cmd-big.out")
        self.s3cmd("get", "--force", "s3://s3cmd-bucket/a/big", out)
        self.assertEqual(sha256_of(out), sha256_of(big))
        info = self.s3cmd("info", "s3://s3cmd-bucket/a/small").stdout.decode()
        self.assertIn(hashlib.md5(open(small, "rb").read()).hexdigest(), info)
        self.s3cmd("del", "--recursive", "--force", "s3://s3cmd-bucket/a")
        self.s3cmd("rb", "s3://s3cmd-bucket")


class Rclone(unittest.TestCase):
    def rclone(self, *args):
        env = {"PATH": "/usr/bin:/bin", "HOME": WORK,
               "RCLONE_CONFIG": os.path.join(WORK, "rclone.conf"),
               "RCLONE_CONFIG_SHOAL_TYPE": "s3", "RCLONE_CONFIG_SHOAL_PROVIDER": "Other",
               "RCLONE_CONFIG_SHOAL_ENDPOINT": DAEMON.endpoint, "RCLONE_CONFIG_SHOAL_ACCESS_KEY_ID": ROOT_USER,
               "RCLONE_CONFIG_SHOAL_SECRET_ACCESS_KEY": ROOT_PASSWORD, "RCLONE_CONFIG_SHOAL_REGION": "us-east-1",
               "RCLONE_CONFIG_SHOAL_FORCE_PATH_STYLE": "true"}
        open(env["RCLONE_CONFIG"], "a").close()
        return run(["/usr/bin/rclone", "--retries", "1", "--low-level-retries", "1", *args], env=env)

    def test_copy_check_and_purge(self):
        tree = os.path.join(WORK, "rclone-tree")
        os.makedirs(os.path.join(tree, "deep", "er"), exist_ok=True)
        for i in range(20):
            with open(os.path.join(tree, "deep" if i % 3 else "", "er" if i % 5 == 0 and i % 3 else "",
                                   "file %02d.bin" % i), "wb") as f:
                f.write(os.urandom(50 * i))
        make_file(os.path.join("rclone-tree", "large.bin"), 9 * 1024 * 1024)  # multipart with 5 MiB chunks
        self.rclone("mkdir", "shoal:rclone-bucket")
        self.rclone("copy", "--s3-upload-cutoff", "5M", "--s3-chunk-size", "5M", tree, "shoal:rclone-bucket/tree")
        self.rclone("check", tree, "shoal:rclone-bucket/tree")  # sizes and MD5s
        listed = self.rclone("lsf", "-R", "shoal:rclone-bucket/tree").stdout.decode().split("\n")
        self.assertIn("large.bin", listed)
        self.assertIn("deep/er/", listed)
        back = os.path.join(WORK, "rclone-back")
        self.rclone("copy", "shoal:rclone-bucket/tree", back)
        self.assertEqual(sha256_of(os.path.join(back, "large.bin")), sha256_of(os.path.join(tree, "large.bin")))
        self.rclone("purge", "shoal:rclone-bucket")
        self.assertNotIn("rclone-bucket", self.rclone("lsd", "shoal:").stdout.decode())


def main():
    global DAEMON, WORK
    parser = argparse.ArgumentParser()
    parser.add_argument("--shoald", required=True)
    parser.add_argument("--emulator", default="")
    args, rest = parser.parse_known_args()
    DAEMON = Daemon(args.shoald, args.emulator)
    WORK = tempfile.mkdtemp(prefix="shoal-clients-")
    try:
        run_suite(lambda: DAEMON, [sys.argv[0]] + rest)
    finally:
        subprocess.run(["rm", "-rf", WORK], check=False)


if __name__ == "__main__":
    main()
