#!/usr/bin/python3
"""A GET that is still streaming an object keeps its chunks when the object is
deleted or overwritten meanwhile: the reader gets every byte of the version it
started, and the chunk files go once it is done (core/engine/read_leases.hpp)."""
import argparse
import hashlib
import socket
import sys
import time
import unittest
import urllib.parse


from shoald_process import Daemon, run_suite, ROOT_PASSWORD, ROOT_USER, clean_env, s3_client

ARGS = None
DAEMON = None
CHUNK_SIZE = 256 << 10
OBJECT_SIZE = 24 << 20  # far more than the socket buffers hold: the server is still reading chunks


def client():
    return s3_client(DAEMON.endpoint, signature_version="s3v4")


def chunk_files():
    return DAEMON.chunk_files()


def pattern(size, seed):
    block = hashlib.sha256(seed.encode()).digest() * 2048  # 64 KiB
    return (block * (size // len(block) + 1))[:size]


class SlowGet:
    """A GET through a presigned URL on a socket with a small receive buffer,
    read only as far as asked: the server cannot run far ahead of it."""

    def __init__(self, url):
        parsed = urllib.parse.urlsplit(url)
        self.sock = socket.socket(socket.AF_INET, socket.SOCK_STREAM)
        self.sock.setsockopt(socket.SOL_SOCKET, socket.SO_RCVBUF, 32 << 10)
        self.sock.settimeout(60)
        self.sock.connect(("127.0.0.1", DAEMON.port))
        target = parsed.path + "?" + parsed.query
        self.sock.sendall(("GET %s HTTP/1.1\r\nHost: %s\r\nConnection: close\r\n\r\n" %
                           (target, parsed.netloc)).encode())
        self.buffer = b""
        while b"\r\n\r\n" not in self.buffer:
            data = self.sock.recv(4096)
            if not data:
                raise AssertionError("connection closed before the response head")
            self.buffer += data
        head, self.buffer = self.buffer.split(b"\r\n\r\n", 1)
        self.status = int(head.split(b" ", 2)[1])
        self.length = None
        for line in head.split(b"\r\n")[1:]:
            name, _, value = line.partition(b":")
            if name.strip().lower() == b"content-length":
                self.length = int(value.strip())
        self.digest = hashlib.md5(self.buffer)
        self.received = len(self.buffer)

    def read(self, limit):
        while self.received < limit:
            data = self.sock.recv(min(64 << 10, limit - self.received))
            if not data:
                break
            self.digest.update(data)
            self.received += len(data)

    def close(self):
        self.sock.close()


class ReadsDuringDeletes(unittest.TestCase):
    def setUp(self):
        self.s3 = client()
        self.bucket = "leases-%d" % int(time.monotonic() * 1000)
        self.s3.create_bucket(Bucket=self.bucket)
        self.addCleanup(self.s3.delete_bucket, Bucket=self.bucket)

    def wait_for_chunk_count(self, expected):
        deadline = time.monotonic() + 30
        while len(chunk_files()) != expected and time.monotonic() < deadline:
            time.sleep(0.1)
        self.assertEqual(len(chunk_files()), expected)

    def check_change_during_get(self, change, chunks_after):
        old = pattern(OBJECT_SIZE, "old")
        self.s3.put_object(Bucket=self.bucket, Key="big", Body=old)
        chunks = len(chunk_files())
        self.assertEqual(chunks, OBJECT_SIZE // CHUNK_SIZE)
        url = self.s3.generate_presigned_url("get_object", Params={"Bucket": self.bucket, "Key": "big"})
        get = SlowGet(url)
        try:
            self.assertEqual(get.status, 200)
            self.assertEqual(get.length, OBJECT_SIZE)
            get.read(1 << 20)
            change()
            # The reader still needs most of the old chunks: none has gone.
            time.sleep(0.3)
            self.assertGreaterEqual(len(chunk_files()), chunks)
            get.read(OBJECT_SIZE)
            self.assertEqual(get.received, OBJECT_SIZE)
            self.assertEqual(get.digest.hexdigest(), hashlib.md5(old).hexdigest())
        finally:
            get.close()
        # Once the reader is done, the old version's chunks are removed.
        self.wait_for_chunk_count(chunks_after)

    def test_delete_during_get(self):
        self.check_change_during_get(lambda: self.s3.delete_object(Bucket=self.bucket, Key="big"), 0)
        with self.assertRaises(self.s3.exceptions.NoSuchKey):
            self.s3.get_object(Bucket=self.bucket, Key="big")

    def test_overwrite_during_get(self):
        new = pattern(CHUNK_SIZE * 2, "new")
        self.check_change_during_get(lambda: self.s3.put_object(Bucket=self.bucket, Key="big", Body=new), 2)
        self.assertEqual(self.s3.get_object(Bucket=self.bucket, Key="big")["Body"].read(), new)
        self.s3.delete_object(Bucket=self.bucket, Key="big")
        self.wait_for_chunk_count(0)

    def test_deletes_without_readers_free_at_once(self):
        body = pattern(CHUNK_SIZE * 3, "x")
        self.s3.put_object(Bucket=self.bucket, Key="small-chunks", Body=body)
        self.assertEqual(len(chunk_files()), 3)
        self.s3.delete_object(Bucket=self.bucket, Key="small-chunks")
        self.assertEqual(len(chunk_files()), 0)  # answered after the removal

    def test_reads_that_returned_are_not_in_the_way(self):
        # A GET's lease ends before its last bytes are sent, a copy's before
        # its answer: a client that has them and deletes finds no reader.
        body = pattern(CHUNK_SIZE * 3, "y")
        for attempt in range(20):
            self.s3.put_object(Bucket=self.bucket, Key="read-then-delete", Body=body)
            self.assertEqual(self.s3.get_object(Bucket=self.bucket, Key="read-then-delete")["Body"].read(), body)
            self.s3.delete_object(Bucket=self.bucket, Key="read-then-delete")
            self.assertEqual(len(chunk_files()), 0, "attempt %d" % attempt)
        self.s3.put_object(Bucket=self.bucket, Key="copied-then-deleted", Body=body)
        self.s3.copy_object(Bucket=self.bucket, Key="copy", CopySource={"Bucket": self.bucket, "Key": "copied-then-deleted"})
        self.s3.delete_object(Bucket=self.bucket, Key="copied-then-deleted")
        self.assertEqual(len(chunk_files()), 3)
        self.s3.delete_object(Bucket=self.bucket, Key="copy")
        self.assertEqual(len(chunk_files()), 0)


def main():
    global ARGS, DAEMON
    parser = argparse.ArgumentParser()
    parser.add_argument("--shoald", required=True)
    parser.add_argument("--emulator", default="")
    ARGS, rest = parser.parse_known_args()
    env = clean_env(SHOAL_ROOT_USER=ROOT_USER, SHOAL_ROOT_PASSWORD=ROOT_PASSWORD,
                    SHOAL_STORAGE_CHUNK_SIZE=str(CHUNK_SIZE))
    DAEMON = Daemon(ARGS.shoald, ARGS.emulator, env=env)
    run_suite(lambda: DAEMON, [sys.argv[0]] + rest)


if __name__ == "__main__":
    main()
