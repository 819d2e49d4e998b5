#!/usr/bin/python3
"""Crash safety: shoald is killed with SIGKILL, then restarted, several times
over, while
  - clients PUT, DELETE and batch-delete (DeleteObjects) objects of mixed sizes;
  - clients run multipart uploads (create, parts, complete);
  - a replaced drive is being rebuilt.
After each restart:
  - every acknowledged write reads back intact, every acknowledged delete is
    gone (a key may also show the outcome of the one operation that was in
    flight at the kill, never anything else);
  - no listed object is partial; a completed upload is whole and gone from
    the uploads; every acknowledged part of an open upload is listed by
    ListParts, with its ETag and size;
  - once the orphan collector has run, the chunk files on disk are exactly
    those the listed objects, open uploads' parts and rebuilt pieces need
    (nothing leaked).
CI runs a few cycles; --long (or SHOAL_CRASH_LONG=1) many more, and
--cycles (or SHOAL_CRASH_CYCLES) any number.
"""
import argparse
import collections
import hashlib
import os
import random
import shutil
import sys
import threading
import time
import unittest
import xml.etree.ElementTree as ET

import botocore

from shoald_process import (Daemon, ROOT_PASSWORD, ROOT_USER, chunk_files_on, chunk_owner, clean_env, run_in_workdir,
                            s3_client, shoald_admin, stop_cleanly, wait_until)

ARGS = None
CHUNK = 256 * 1024
INLINE = 4096
SIZES = [0, 1, 100, INLINE, INLINE + 1, 3 * CHUNK + 17, CHUNK, 1500 * 1024]
BUCKET = "crash"
PART = 2 * CHUNK + 100    # a multipart part: three chunks
PARTS = 3


def client(daemon):
    return s3_client(daemon.endpoint, attempts=0, connect_timeout=5, read_timeout=30)


def payload(key, generation, size):
    # Deterministic content, so a reader can recognise every version ever sent.
    seed = hashlib.sha256(("%s/%d" % (key, generation)).encode()).digest()
    return (seed * (size // len(seed) + 1))[:size]


def chunk_count(size, multipart):
    if multipart:
        return PARTS * ((PART + CHUNK - 1) // CHUNK)  # parts are chunked on their own, never inline
    return 0 if size <= INLINE else (size + CHUNK - 1) // CHUNK


class KeyState:
    def __init__(self):
        self.acked = None         # sha256 of the last acknowledged PUT, or None (absent / deleted)
        self.in_flight = None     # ("put", sha256) or ("delete", None) when interrupted
        self.sizes = {}           # sha256 -> size
        self.multipart = {}       # sha256 of contents written by multipart uploads -> upload id
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
        self.batches = 0
        self.failures = []

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
                draw = rng.random()
                if draw < 0.1:
                    # A batch delete of several of this thread's keys.
                    batch = [k for k in rng.sample(own, min(len(own), rng.randint(2, 5)))
                             if self.keys[k].in_flight is None]
                    for k in batch:
                        self.keys[k].in_flight = ("delete", None)
                        self.keys[k].history.append(("delete-objects", None, "sent"))
                    answer = s3.delete_objects(Bucket=BUCKET, Delete={"Objects": [{"Key": k} for k in batch]})
                    if answer.get("Errors"):
                        raise AssertionError("DeleteObjects failed for %s" % answer["Errors"])
                    for k in batch:
                        self.keys[k].acked = None
                        self.keys[k].in_flight = None
                        self.keys[k].history.append(("delete-objects", None, "acked"))
                    with self.lock:
                        self.acknowledged += 1
                        self.batches += 1
                    continue
                if draw < 0.2:
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
            except AssertionError as e:
                self.failures.append(str(e))
                return
            except Exception as e:
                state.history.append(("error", type(e).__name__, str(e)[:80]))
                return  # the server is gone; the in-flight operations stay recorded


class Upload:
    """One multipart upload of a load thread, as far as its client knows."""

    def __init__(self, key, upload_id, digest):
        self.key = key
        self.id = upload_id
        self.digest = digest      # sha256 of the whole content once completed
        self.parts = {}           # part number -> ETag, acknowledged
        self.part_in_flight = None
        self.state = "open"       # then "completing", then "completed"


class MultipartLoad(Load):
    """Each thread runs multipart uploads of its own keys, one at a time:
    create, PARTS parts, complete."""

    def __init__(self, daemon, threads, keys_per_thread):
        super().__init__(daemon, threads, keys_per_thread)
        self.uploads = []

    def run(self, own):
        s3 = client(self.daemon)
        rng = random.Random()
        while not self.stop.is_set():
            key = rng.choice(own)
            state = self.keys[key]
            if state.in_flight is not None:
                continue
            with self.lock:
                self.generation += 1
                generation = self.generation
            parts = [payload(key, generation * 10 + n, PART) for n in range(1, PARTS + 1)]
            whole = b"".join(parts)
            digest = hashlib.sha256(whole).hexdigest()
            try:
                upload = Upload(key, s3.create_multipart_upload(Bucket=BUCKET, Key=key)["UploadId"], digest)
                with self.lock:
                    self.uploads.append(upload)
                for n, data in enumerate(parts, 1):
                    upload.part_in_flight = n
                    upload.parts[n] = s3.upload_part(Bucket=BUCKET, Key=key, UploadId=upload.id, PartNumber=n,
                                                     Body=data)["ETag"]
                    upload.part_in_flight = None
                state.sizes[digest] = len(whole)
                state.multipart[digest] = upload.id
                state.in_flight = ("put", digest)
                state.history.append(("complete", digest[:12], "sent"))
                upload.state = "completing"
                s3.complete_multipart_upload(
                    Bucket=BUCKET, Key=key, UploadId=upload.id,
                    MultipartUpload={"Parts": [{"PartNumber": n, "ETag": e} for n, e in sorted(upload.parts.items())]})
                upload.state = "completed"
                state.acked = digest
                state.in_flight = None
                state.history.append(("complete", digest[:12], "acked"))
                with self.lock:
                    self.acknowledged += 1
            except Exception as e:
                state.history.append(("error", type(e).__name__, str(e)[:80]))
                return


class CrashTest(unittest.TestCase):
    def run_cycles(self, name, load_class, threads, cycles):
        """Kills shoald `cycles` times under the load, verifying after each
        restart; returns the loads."""
        data_dir = os.path.join(ARGS.workdir, name)
        drives = [os.path.join(data_dir, "d1"), os.path.join(data_dir, "d2")]
        env = clean_env(SHOAL_ROOT_USER=ROOT_USER, SHOAL_ROOT_PASSWORD=ROOT_PASSWORD,
                        SHOAL_STORAGE_CHUNK_SIZE=str(CHUNK), SHOAL_STORAGE_INLINE_THRESHOLD=str(INLINE),
                        SHOAL_S3_MIN_PART_SIZE=str(PART))
        keys = {}
        uploads = []
        loads = []
        for cycle in range(cycles + 1):
            daemon = Daemon(ARGS.shoald, ARGS.emulator, drives=drives, env=env, data_dir=data_dir)
            try:
                daemon.wait_listening()
                daemon.wait_for_line(r"orphan chunk collection done")
                s3 = client(daemon)
                if cycle == 0:
                    s3.create_bucket(Bucket=BUCKET)
                else:
                    self.verify(s3, keys, uploads, drives, cycle)
                if cycle == cycles:
                    self.assertEqual(daemon.stop(), 0)
                    break
                load = load_class(daemon, threads, 5)
                for k, state in keys.items():  # keep what earlier cycles established
                    load.keys[k] = state
                    state.in_flight = None
                load.start()
                time.sleep(random.uniform(ARGS.min_run, ARGS.max_run))
                daemon.kill()
                load.join()
                self.assertEqual(load.failures, [])
                load.cut_batches = sum(1 for st in load.keys.values()
                                       if st.history and st.history[-1] == ("delete-objects", None, "sent"))
                # Restarted at once: chunks written in the last moments before
                # the kill must be collected too (no margin of time).
                keys = load.keys
                uploads = getattr(load, "uploads", [])
                loads.append(load)
            finally:
                daemon.close()
        return loads

    def test_kill_during_concurrent_writes_and_batch_deletes(self):
        loads = self.run_cycles("crash-data", Load, ARGS.threads, ARGS.cycles)
        acked = sum(load.acknowledged for load in loads)
        print("cycles=%d acknowledged operations=%d (DeleteObjects batches %d; keys in a batch cut by a kill %d)"
              % (ARGS.cycles, acked, sum(load.batches for load in loads), sum(load.cut_batches for load in loads)))
        self.assertGreater(acked, 0)
        self.assertGreater(sum(load.batches for load in loads), 0)

    def test_kill_during_multipart_uploads(self):
        loads = self.run_cycles("crash-multipart", MultipartLoad, ARGS.threads, max(2, ARGS.cycles - 1))
        completed = sum(load.acknowledged for load in loads)
        interrupted = sum(1 for load in loads for u in load.uploads if u.state != "completed")
        print("multipart: completed uploads=%d, interrupted by a kill=%d" % (completed, interrupted))
        self.assertGreater(completed, 0)
        self.assertGreater(interrupted, 0)

    def verify(self, s3, keys, uploads, drives, cycle):
        listed = {}
        for page in s3.get_paginator("list_objects_v2").paginate(Bucket=BUCKET):
            for o in page.get("Contents", []):
                listed[o["Key"]] = o["Size"]
        expected_chunks = 0
        expected_owners = []  # (key, upload id or None, part number) of each chunk file
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
                expected_chunks += chunk_count(len(body), actual in state.multipart)
                if actual in state.multipart:
                    expected_owners += [(key, state.multipart[actual], n) for n in range(1, PARTS + 1)
                                        for _ in range(chunk_count(PART, False))]
                else:
                    expected_owners += [(key, None, 0)] * chunk_count(len(body), False)
            else:
                self.assertNotIn(key, listed)
            state.acked = actual  # the recovered state is the new baseline
            state.history.append(("restart", (actual or "-")[:12], "cycle %d" % cycle))
            state.in_flight = None
        self.assertEqual(set(listed) - set(keys), set(), "objects nobody wrote")
        expected_chunks += self.verify_uploads(s3, keys, uploads, cycle, expected_owners)
        on_disk = chunk_files_on(drives)
        if len(on_disk) != expected_chunks:
            found = collections.Counter((k, v if p else None, p) for _b, k, v, p, _i in map(chunk_owner, on_disk))
            wanted = collections.Counter(expected_owners)
            print("cycle %d: chunk files (key, upload, part) not expected: %s; missing: %s"
                  % (cycle, dict(found - wanted), dict(wanted - found)))
        self.assertEqual(len(on_disk), expected_chunks, "cycle %d: chunk files leaked or lost" % cycle)
        # Aborted (after the count): the next cycle's count checks that the
        # abort freed their parts.
        for upload_id, key in self.to_abort.items():
            s3.abort_multipart_upload(Bucket=BUCKET, Key=key, UploadId=upload_id)

    def verify_uploads(self, s3, keys, uploads, cycle, expected_owners):
        """Checks the multipart uploads against what their clients were told,
        and notes those still open, for verify() to abort. Returns the chunk
        files their parts hold."""
        open_uploads = {}
        for page in s3.get_paginator("list_multipart_uploads").paginate(Bucket=BUCKET):
            open_uploads.update({u["UploadId"]: u["Key"] for u in page.get("Uploads", [])})
        known = {u.id: u for u in uploads}
        chunks = 0
        for upload in uploads:
            completed = keys[upload.key].acked == upload.digest
            if upload.state == "completed" or (upload.state == "completing" and completed):
                self.assertNotIn(upload.id, open_uploads, "cycle %d: completed upload still open" % cycle)
                continue
            self.assertIn(upload.id, open_uploads, "cycle %d: upload %s of %s lost (parts %s)"
                          % (cycle, upload.id, upload.key, sorted(upload.parts)))
            parts = s3.list_parts(Bucket=BUCKET, Key=upload.key, UploadId=upload.id).get("Parts", [])
            listed = {p["PartNumber"]: (p["ETag"], p["Size"]) for p in parts}
            for number, etag in upload.parts.items():
                self.assertEqual(listed.get(number), (etag, PART), "cycle %d: acknowledged part %d of %s"
                                 % (cycle, number, upload.id))
            self.assertLessEqual(set(listed), set(upload.parts) | {upload.part_in_flight},
                                 "cycle %d: parts nobody sent" % cycle)
            for number, (_etag, size) in listed.items():
                self.assertEqual(size, PART, "cycle %d: partial part %d listed" % (cycle, number))
            chunks += len(listed) * chunk_count(PART, False)
            expected_owners += [(upload.key, upload.id, n) for n in listed for _ in range(chunk_count(PART, False))]
        for upload_id, key in open_uploads.items():
            if upload_id not in known:  # created as the kill came: nothing in it
                self.assertEqual(s3.list_parts(Bucket=BUCKET, Key=key, UploadId=upload_id).get("Parts", []), [])
        self.to_abort = open_uploads
        return chunks

    def test_kill_during_rebuild(self):
        """A replaced drive is rebuilt at a slow rate; shoald is killed while
        the rebuild is under way, several times; the last run finishes it. No
        piece written by a killed run is left behind, none is missing."""
        data_dir = os.path.join(ARGS.workdir, "crash-rebuild")
        drives = [os.path.join(data_dir, "d%d" % i) for i in range(3)]

        def start(rate):
            env = clean_env(SHOAL_ROOT_USER=ROOT_USER, SHOAL_ROOT_PASSWORD=ROOT_PASSWORD,
                            SHOAL_STORAGE_CHUNK_SIZE=str(CHUNK), SHOAL_STORAGE_INLINE_THRESHOLD=str(INLINE),
                            SHOAL_STORAGE_DEFAULT_POLICY="TWOCOPIES", SHOAL_STORAGE_SCRUB_RATE="0",
                            SHOAL_STORAGE_REBUILD_RATE=str(rate))
            daemon = Daemon(ARGS.shoald, ARGS.emulator, drives=drives, env=env, data_dir=data_dir)
            daemon.wait_listening()
            return daemon

        def rebuild(daemon):
            code, out = shoald_admin(daemon, "drives", "--xml")
            self.assertEqual(code, 0, out)
            found = ET.fromstring(out.strip()).findall("Rebuild")
            return found[0] if found else None

        objects = {"obj-%02d" % i: payload("obj-%02d" % i, 0, 4 * CHUNK + 100 * i) for i in range(12)}
        daemon = start(0)
        try:
            s3 = client(daemon)
            s3.create_bucket(Bucket=BUCKET)
            for key, body in objects.items():
                s3.put_object(Bucket=BUCKET, Key=key, Body=body)
            stop_cleanly(daemon)
        finally:
            daemon.close()
        pieces = len(chunk_files_on(drives))
        self.assertEqual(pieces, 2 * sum(chunk_count(len(b), False) for b in objects.values()))
        held = len(chunk_files_on([drives[2]]))
        shutil.rmtree(drives[2])
        os.mkdir(drives[2])  # an empty directory in its place: a replaced drive

        for kill in range(ARGS.rebuild_kills):
            daemon = start(CHUNK * 4)  # slow: a few objects a second
            try:
                daemon.wait_for_line("drive replaced: rebuilding" if kill == 0 else "rebuild resumed")
                # Killed once this run has repaired two objects (the status
                # counts progress by page, the log by object).
                wait_until(lambda: daemon.log().count("object repaired") >= 2, 60,
                           lambda _: "no rebuild progress; log:\n" + daemon.log()[-3000:], interval=0.05)
                daemon.kill()
                self.assertNotIn("rebuild done", daemon.log(), "the rebuild ended before the kill")
            finally:
                daemon.close()
        daemon = start(0)
        try:
            daemon.wait_for_line("orphan chunk collection done")
            wait_until(lambda: rebuild(daemon).findtext("State") == "done", 120,
                       lambda _: "rebuild not done; log:\n" + daemon.log()[-3000:], interval=0.2)
            self.assertEqual(rebuild(daemon).findtext("Unrecoverable"), "0")
            s3 = client(daemon)
            for key, body in objects.items():
                self.assertEqual(s3.get_object(Bucket=BUCKET, Key=key)["Body"].read(), body, key)
            # Every piece twice, none more: the pieces the killed runs wrote
            # without committing them were collected as orphans.
            on_disk = chunk_files_on(drives)
            self.assertEqual(sorted(k for _b, k, _v, _p, _i in map(chunk_owner, on_disk)),
                             sorted(k for k, b in objects.items() for _ in range(2 * chunk_count(len(b), False))))
            print("rebuild: %d kills, %d pieces rebuilt" % (ARGS.rebuild_kills, held))
            stop_cleanly(daemon)
        finally:
            daemon.close()


def main():
    global ARGS
    parser = argparse.ArgumentParser()
    parser.add_argument("--shoald", required=True)
    parser.add_argument("--emulator", default="")
    parser.add_argument("--long", action="store_true", default=os.environ.get("SHOAL_CRASH_LONG") == "1",
                        help="many more cycles and kills (SHOAL_CRASH_LONG=1)")
    parser.add_argument("--cycles", type=int, default=None, help="kill cycles of each load (SHOAL_CRASH_CYCLES)")
    parser.add_argument("--rebuild-kills", type=int, default=None)
    parser.add_argument("--threads", type=int, default=6)
    parser.add_argument("--min-run", type=float, default=0.8)
    parser.add_argument("--max-run", type=float, default=2.5)
    parser.add_argument("--workdir", default="/tmp")
    ARGS, rest = parser.parse_known_args()
    if ARGS.cycles is None:
        ARGS.cycles = int(os.environ.get("SHOAL_CRASH_CYCLES", "40" if ARGS.long else "4"))
    if ARGS.rebuild_kills is None:
        ARGS.rebuild_kills = 8 if ARGS.long else 2
    run_in_workdir(ARGS, [sys.argv[0]] + rest, "shoal-crash-")


if __name__ == "__main__":
    main()
