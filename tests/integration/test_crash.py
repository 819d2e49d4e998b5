#!/usr/bin/python3
"""Crash safety: shoald is killed with SIGKILL while clients PUT and DELETE
objects of mixed sizes, then restarted, several times over. After each
restart:
  - every acknowledged write reads back intact, every acknowledged delete is
    gone (a key may also show the outcome of the one operation that was in
    flight at the kill, never anything else);
  - no listed object is partial;
  - once the orphan collector has run, the chunk files on disk are exactly
    those the listed objects need (nothing leaked).
"""
import argparse
import hashlib
import os
import random
import sys
import threading
import time
import unittest

import botocore

from shoald_process import Daemon, ROOT_PASSWORD, ROOT_USER, chunk_files_on, clean_env, run_in_workdir, s3_client

ARGS = None
CHUNK = 256 * 1024
INLINE = 4096
SIZES = [0, 1, 100, INLINE, INLINE + 1, 3 * CHUNK + 17, CHUNK, 1500 * 1024]
BUCKET = "crash"


def client(daemon):
    return s3_client(daemon.endpoint, attempts=0, connect_timeout=5, read_timeout=30)


def payload(key, generation, size):
    # Deterministic content, so a reader can recognise every version ever sent.
    seed = hashlib.sha256(("%s/%d" % (key, generation)).encode()).digest()
    return (seed * (size // len(seed) + 1))[:size]


class KeyState:
    def __init__(self):
        self.acked = None         # sha256 of the last acknowledged PUT, or None (absent / deleted)
        self.in_flight = None     # ("put", sha256) or ("delete", None) when interrupted
        self.sizes = {}           # sha256 -> size
        self.history = []         # (cycle marker or operation, digest, outcome) for failure reports


class Load:
    def __init__(self, daemon, threads, keys_per_thread):
        self.daemon = daemon
        self.stop = threading.Event()
        self.keys = {}
        self.generation = 0
        self.lock = threading.Lock()
        self.threads = []
        for t in range(threads):
            own = ["t%d/key-%d" % (t, i) for i in range(keys_per_thread)]
            for k in own:
                self.keys.setdefault(k, KeyState())
            self.threads.append(threading.Thread(target=self.run, args=(own,), daemon=True))
        self.acknowledged = 0

    def start(self):
        for t in self.threads:
            t.start()

    def join(self):
        self.stop.set()
        for t in self.threads:
            t.join(timeout=60)

    def run(self, own):
        s3 = client(self.daemon)
        rng = random.Random()
        while not self.stop.is_set():
            key = rng.choice(own)
            state = self.keys[key]
            if state.in_flight is not None:
                continue  # a request lost to a crash: its key stays undecided this cycle
            with self.lock:
                self.generation += 1
                generation = self.generation
            try:
                if rng.random() < 0.15:
                    state.in_flight = ("delete", None)
                    state.history.append(("delete", None, "sent"))
                    s3.delete_object(Bucket=BUCKET, Key=key)
                    state.acked = None
                    state.history.append(("delete", None, "acked"))
                else:
                    size = rng.choice(SIZES)
                    data = payload(key, generation, size)
                    digest = hashlib.sha256(data).hexdigest()
                    state.sizes[digest] = size
                    state.in_flight = ("put", digest)
                    state.history.append(("put", digest[:12], "sent %d" % size))
                    s3.put_object(Bucket=BUCKET, Key=key, Body=data)
                    state.acked = digest
                    state.history.append(("put", digest[:12], "acked"))
                state.in_flight = None
                with self.lock:
                    self.acknowledged += 1
            except Exception as e:
                state.history.append(("error", type(e).__name__, str(e)[:80]))
                return  # the server is gone; the in-flight operation stays recorded


class CrashTest(unittest.TestCase):
    def test_kill_during_concurrent_writes(self):
        data_dir = os.path.join(ARGS.workdir, "crash-data")
        drives = [os.path.join(data_dir, "d1"), os.path.join(data_dir, "d2")]
        env = clean_env(SHOAL_ROOT_USER=ROOT_USER, SHOAL_ROOT_PASSWORD=ROOT_PASSWORD,
                        SHOAL_STORAGE_CHUNK_SIZE=str(CHUNK), SHOAL_STORAGE_INLINE_THRESHOLD=str(INLINE))
        keys = {}
        total_acked = 0
        for cycle in range(ARGS.cycles + 1):
            daemon = Daemon(ARGS.shoald, ARGS.emulator, drives=drives, env=env, data_dir=data_dir)
            try:
                daemon.wait_listening()
                daemon.wait_for_line(r"orphan chunk collection done")
                s3 = client(daemon)
                if cycle == 0:
                    s3.create_bucket(Bucket=BUCKET)
                else:
                    self.verify(s3, keys, drives, cycle)
                if cycle == ARGS.cycles:
                    self.assertEqual(daemon.stop(), 0)
                    break
                load = Load(daemon, ARGS.threads, 5)
                for k, state in keys.items():  # keep what earlier cycles established
                    load.keys[k] = state
                    state.in_flight = None
                load.start()
                time.sleep(random.uniform(ARGS.min_run, ARGS.max_run))
                daemon.kill()
                load.join()
                # The orphan collector considers chunks older than its start
                # minus one second (server_command.cpp): let those written
                # just before the kill pass that mark.
                time.sleep(1.1)
                keys = load.keys
                total_acked += load.acknowledged
            finally:
                daemon.close()
        print("cycles=%d acknowledged operations=%d" % (ARGS.cycles, total_acked))
        self.assertGreater(total_acked, 0)

    def verify(self, s3, keys, drives, cycle):
        listed = {}
        for page in s3.get_paginator("list_objects_v2").paginate(Bucket=BUCKET):
            for o in page.get("Contents", []):
                listed[o["Key"]] = o["Size"]
        expected_chunks = 0
        for key, state in keys.items():
            allowed = {state.acked}
            if state.in_flight is not None:
                allowed.add(state.in_flight[1])
            try:
                body = s3.get_object(Bucket=BUCKET, Key=key)["Body"].read()
                actual = hashlib.sha256(body).hexdigest()
            except botocore.exceptions.ClientError as e:
                self.assertEqual(e.response["Error"]["Code"], "NoSuchKey")
                actual = None
            if actual not in allowed:
                versions = s3.list_object_versions(Bucket=BUCKET, Prefix=key).get("Versions", [])
                print("versions of %s: %s" % (key, [(v["VersionId"], v["Size"], str(v["LastModified"]))
                                                    for v in versions]))
            self.assertIn(actual, allowed, "cycle %d: %s holds neither its acknowledged nor its in-flight state;"
                          " history: %s" % (cycle, key, state.history))
            if actual is not None:
                self.assertEqual(listed.get(key), len(body), "cycle %d: %s listed wrongly" % (cycle, key))
                if len(body) > INLINE:
                    expected_chunks += (len(body) + CHUNK - 1) // CHUNK
            else:
                self.assertNotIn(key, listed)
            state.acked = actual  # the recovered state is the new baseline
            state.history.append(("restart", (actual or "-")[:12], "cycle %d" % cycle))
            state.in_flight = None
        self.assertEqual(set(listed) - set(keys), set(), "objects nobody wrote")
        on_disk = len(chunk_files_on(drives))
        self.assertEqual(on_disk, expected_chunks, "cycle %d: chunk files leaked or lost" % cycle)


def main():
    global ARGS
    parser = argparse.ArgumentParser()
    parser.add_argument("--shoald", required=True)
    parser.add_argument("--emulator", default="")
    parser.add_argument("--cycles", type=int, default=int(os.environ.get("SHOAL_CRASH_CYCLES", "4")))
    parser.add_argument("--threads", type=int, default=6)
    parser.add_argument("--min-run", type=float, default=0.8)
    parser.add_argument("--max-run", type=float, default=2.5)
    parser.add_argument("--workdir", default="/tmp")
    ARGS, rest = parser.parse_known_args()
    run_in_workdir(ARGS, [sys.argv[0]] + rest, "shoal-crash-")


if __name__ == "__main__":
    main()
