#!/usr/bin/python3
"""A node whose metadata map is full, through S3, on a deliberately small map.

shoald runs with storage.metadata_map_size = 8 MiB, of which 4 MiB are kept
for deletes (core/meta/capacity.hpp), so a few hundred PUTs fill it. Then:
  - what needs room is refused with 507 InsufficientStorage (logged as a full
    metadata store), never 500, never a crash; a refused PUT leaves no chunk;
  - every acknowledged object still reads back intact and is listed;
  - deletes (DeleteObject from several clients at once, DeleteObjects) work
    on the full map, and the room they free takes new objects again;
  - after a clean restart everything is there, and the node still writes.
On the way it measures what an empty object with a typical key costs in the
map, from the "used" that shoald logs at start (docs/capacity.md).
"""
import argparse
import concurrent.futures
import hashlib
import os
import socket
import sys
import threading
import unittest
import urllib.parse

import botocore

from shoald_process import (Daemon, ROOT_PASSWORD, ROOT_USER, chunk_files_on, clean_env, failure_detail, run_in_workdir,
                           s3_client)

ARGS = None
MiB = 1 << 20
MAP_SIZE = 8 * MiB
CHUNK_SIZE = 64 * 1024  # the smallest: chunked objects stay small
INLINE = 4096
CLIENTS = 8


def key_of(prefix, n):
    # Typical keys: about 50 bytes, long shared prefixes.
    return "%s/site-%02d/2026/11/25/reading-%08d.json" % (prefix, n % 16, n)


def content(key, size):
    seed = hashlib.sha256(key.encode()).digest()
    return (seed * (size // len(seed) + 1))[:size]


class MetadataFullTest(unittest.TestCase):
    def setUp(self):
        self.data_dir = os.path.join(ARGS.workdir, "node")
        self.drive = os.path.join(self.data_dir, "d1")
        self.env = clean_env(SHOAL_ROOT_USER=ROOT_USER, SHOAL_ROOT_PASSWORD=ROOT_PASSWORD,
                             SHOAL_STORAGE_METADATA_MAP_SIZE=str(MAP_SIZE),
                             SHOAL_STORAGE_CHUNK_SIZE=str(CHUNK_SIZE),
                             SHOAL_STORAGE_INLINE_THRESHOLD=str(INLINE))
        self.daemon = None
        self.logs = []

    def tearDown(self):
        if self.daemon is not None:
            self.daemon.close()

    def start(self):
        self.daemon = Daemon(ARGS.shoald, ARGS.emulator, drives=[self.drive], env=self.env, data_dir=self.data_dir)
        self.daemon.wait_listening()
        m = self.daemon.wait_for_line(r"metadata ready .*map_size=(\d+) admission_limit=(\d+) used=(\d+)")
        self.assertEqual(int(m.group(1)), MAP_SIZE)
        self.assertEqual(int(m.group(2)), MAP_SIZE // 2)
        return int(m.group(3))

    def stop(self):
        self.assertEqual(self.daemon.stop(), 0, self.daemon.log())
        self.logs.append(self.daemon.log())
        self.daemon.close()
        self.daemon = None

    def client(self):
        return s3_client(self.daemon.endpoint, attempts=0, connect_timeout=10, read_timeout=120)

    def run_clients(self, work, items):
        """Runs work(s3, item) for every item on CLIENTS threads, each with its
        own client; returns the results in order."""
        local = threading.local()

        def call(item):
            if not hasattr(local, "s3"):
                local.s3 = self.client()
            return work(local.s3, item)

        with concurrent.futures.ThreadPoolExecutor(CLIENTS) as pool:
            return list(pool.map(call, items))

    def chunk_files(self):
        return len(chunk_files_on([self.drive]))

    def verify_all(self, s3, bucket, objects):
        listed = {}
        for page in s3.get_paginator("list_objects_v2").paginate(Bucket=bucket):
            for o in page.get("Contents", []):
                listed[o["Key"]] = o["Size"]
        self.assertEqual(listed, {k: len(v) for k, v in objects.items()})

        def check(s3_, key):
            return s3_.get_object(Bucket=bucket, Key=key)["Body"].read() == objects[key]
        bad = [k for k, ok in zip(objects, self.run_clients(check, list(objects))) if not ok]
        self.assertEqual(bad, [], "objects whose content changed")
        chunked = sum((len(v) + CHUNK_SIZE - 1) // CHUNK_SIZE for v in objects.values() if len(v) > INLINE)
        self.assertEqual(self.chunk_files(), chunked, "chunk files leaked or lost")

    def fill(self, bucket, first):
        """PUTs objects first, first+1, ... (4 KiB inline mostly; some empty,
        some chunked) until every client has seen PUTs refused; returns the
        acknowledged objects and the refusals."""
        objects = {}
        refusals = []
        lock = threading.Lock()
        sizes = [INLINE, INLINE, INLINE, 0, INLINE + 1000]  # inline fills fastest: two pages each

        def client_loop(index):
            s3 = self.client()
            n = first + index
            refused_in_a_row = 0
            while refused_in_a_row < 3:
                key = key_of(bucket, n)
                body = content(key, sizes[n % len(sizes)])
                try:
                    s3.put_object(Bucket=bucket, Key=key, Body=body)
                    with lock:
                        objects[key] = body
                    refused_in_a_row = 0
                except botocore.exceptions.ClientError as e:
                    with lock:
                        refusals.append((key, len(body), failure_detail(self.daemon, e)))
                    refused_in_a_row += 1 if len(body) >= INLINE else 0
                n += CLIENTS

        with concurrent.futures.ThreadPoolExecutor(CLIENTS) as pool:
            list(pool.map(client_loop, range(CLIENTS)))
        return objects, refusals

    def check_refused_before_the_body(self):
        """A full store answers an upload that expects "100 Continue" with 507
        at once: the client never has to send the (here 64 MiB) body."""
        signer = s3_client(self.daemon.endpoint, signature_version="s3v4")
        url = signer.generate_presigned_url("put_object", Params={"Bucket": "fill", "Key": "big-after-full"})
        parsed = urllib.parse.urlsplit(url)
        with socket.create_connection((parsed.hostname, parsed.port), timeout=30) as sock:
            sock.sendall(("PUT %s?%s HTTP/1.1\r\nHost: %s\r\nContent-Length: %d\r\n"
                          "Expect: 100-continue\r\n\r\n"
                          % (parsed.path, parsed.query, parsed.netloc, 64 * MiB)).encode())
            answer = b""
            while b"\r\n\r\n" not in answer:
                data = sock.recv(65536)
                if not data:
                    break
                answer += data
        status_line = answer.split(b"\r\n", 1)[0].decode()
        self.assertEqual(status_line, "HTTP/1.1 507 Insufficient Storage", answer[:700])

    def test_full_metadata_map(self):
        empty_used = self.start()
        s3 = self.client()

        # What an empty object with a typical key costs in the map.
        count = 500 if (ARGS.emulator or ARGS.sanitized) else 2000
        s3.create_bucket(Bucket="typical")
        self.run_clients(lambda c, n: c.put_object(Bucket="typical", Key=key_of("typical", n), Body=b""),
                         range(count))
        self.stop()
        used = self.start()
        per_object = (used - empty_used) / count
        print("metadata-full: %d empty objects with ~50-byte keys: %.0f bytes of map each (S3 PUT path)"
              % (count, per_object))
        self.assertGreater(per_object, 200)
        self.assertLess(per_object, 1200)
        s3 = self.client()  # (the bucket "typical" stays: its objects are part of what must survive)

        # Fill the map.
        s3.create_bucket(Bucket="fill")
        objects, refusals = self.fill("fill", 0)
        print("metadata-full: %d objects acknowledged, %d PUTs refused" % (len(objects), len(refusals)))
        self.assertGreater(len(objects), 100)
        self.assertGreater(len(refusals), 0)
        for key, size, (status, code, message) in refusals:
            self.assertEqual((status, code), (507, "InsufficientStorage"), "%s (%d bytes): %s" % (key, size, message))
            self.assertIn("metadata store full", message)
        print("metadata-full: refusal: %s" % refusals[0][2][2])

        # Full: reads, listings and HEADs are unaffected, nothing leaked.
        self.verify_all(s3, "fill", objects)
        typical = sum(page.get("KeyCount", 0)
                      for page in s3.get_paginator("list_objects_v2").paginate(Bucket="typical"))
        self.assertEqual(typical, count)

        # Deletes work on the full map: from several clients at once...
        doomed = sorted(objects)[::2]
        self.run_clients(lambda c, k: c.delete_object(Bucket="fill", Key=k), doomed)
        for k in doomed:
            del objects[k]
        # ...and in batches.
        batch = sorted(objects)[:100]
        reply = s3.delete_objects(Bucket="fill", Delete={"Objects": [{"Key": k} for k in batch]})
        self.assertNotIn("Errors", reply)
        self.assertEqual(len(reply["Deleted"]), len(batch))
        for k in batch:
            del objects[k]
        self.verify_all(s3, "fill", objects)

        # The room they freed takes new objects.
        more, _ = self.fill("fill", 1_000_000)
        print("metadata-full: after deleting %d objects, %d new ones were taken" % (len(doomed) + len(batch), len(more)))
        self.assertGreater(len(more), (len(doomed) + len(batch)) // 4)
        objects.update(more)

        # A clean restart: all there, still refusing what does not fit, still deleting.
        self.stop()
        self.start()
        s3 = self.client()
        self.verify_all(s3, "fill", objects)
        refused = None
        for i in range(8):  # the last fill left at most a page or two: 4 KiB objects need two each
            key = "after-restart-%d" % i
            try:
                s3.put_object(Bucket="fill", Key=key, Body=content(key, INLINE))
                objects[key] = content(key, INLINE)
            except botocore.exceptions.ClientError as e:
                refused = failure_detail(self.daemon, e)
                break
        self.assertIsNotNone(refused, "PUTs still admitted on a full map after restart")
        self.assertEqual(refused[:2], (507, "InsufficientStorage"))
        self.check_refused_before_the_body()
        gone = sorted(objects)[0]
        s3.delete_object(Bucket="fill", Key=gone)
        del objects[gone]
        self.verify_all(s3, "fill", objects)
        self.stop()

        for log in self.logs:
            self.assertNotIn("metadata error", log)  # what a 500 would log
            self.assertNotIn(" ERROR ", log)
        self.assertIn("WARN  metadata store full", "".join(self.logs))


def main():
    global ARGS
    parser = argparse.ArgumentParser()
    parser.add_argument("--shoald", required=True)
    parser.add_argument("--emulator", default="")
    parser.add_argument("--sanitized", action="store_true", help="shoald is built with ASan/UBSan")
    parser.add_argument("--workdir", default=None)
    ARGS, rest = parser.parse_known_args()
    run_in_workdir(ARGS, [sys.argv[0]] + rest, "shoal-metafull-")


if __name__ == "__main__":
    main()
