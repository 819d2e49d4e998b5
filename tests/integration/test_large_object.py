#!/usr/bin/python3
"""A large object streams through shoald in bounded memory.

A 1 GiB object (smaller where shoald runs slowly: see object_size()) is PUT
in one request, then again as a multipart upload by boto3's transfer manager,
and each time read back with one streaming GET. The client never holds the
object: the body comes from a seekable generator of a deterministic pattern
(every MiB stamped with its index, so misplaced data cannot go unnoticed) and
the GET is hashed as it arrives. Meanwhile shoald's memory is sampled from
/proc/PID/status; its peak (VmHWM) must stay under RSS_BOUND.

Prints one "large-object:" line per transfer and one for memory. With
--https, every transfer goes over TLS (same bound: TLS streams record by record).
"""
import argparse
import hashlib
import io
import os
import struct
import sys
import threading
import time
import unittest

from boto3.s3.transfer import TransferConfig

from shoald_process import Daemon, ROOT_PASSWORD, ROOT_USER, clean_env, s3_client

ARGS = None
DAEMON = None
MiB = 1 << 20
BLOCK = MiB
# shoald's peak resident memory while the transfers run. Its working set is
# a few buffers per request (256 KiB reads, one chunk writer), whatever the
# object size: 1 GiB held anywhere would blow this many times over.
RSS_BOUND = 64 * MiB
CHUNK_SIZE = 8 * MiB  # storage.chunk_size's default, set explicitly so the test does not drift
PART_SIZE = 16 * MiB
BUCKET = "large"


def object_size():
    """1 GiB natively. Under qemu-user (10-30x slower) and ASan (2-3x, and
    its allocator's overhead), or over TLS (software crypto on both ends),
    a smaller object keeps the suite's time sane, still many times the chunk
    size, the part size and RSS_BOUND."""
    if os.environ.get("SHOAL_LARGE_OBJECT_MIB"):
        return int(os.environ["SHOAL_LARGE_OBJECT_MIB"]) * MiB
    if ARGS.emulator:
        return 160 * MiB
    if ARGS.sanitized or ARGS.https:
        return 256 * MiB
    return 1024 * MiB


def base_block():
    out = bytearray()
    seed = b"shoal large object"
    while len(out) < BLOCK:
        seed = hashlib.sha256(seed).digest()
        out += seed
    return bytes(out[:BLOCK])


BASE = base_block()


def block(index):
    """The pattern's MiB number `index`: the base block stamped with it."""
    return struct.pack(">Q", index) + BASE[8:]


class PatternReader(io.RawIOBase):
    """`size` bytes of the pattern as a seekable file, generated on demand:
    botocore seeks back after hashing the payload, the transfer manager
    reads parts at their offsets."""

    def __init__(self, size):
        super().__init__()
        self.size = size
        self.pos = 0
        self._index = None
        self._block = None

    def readable(self):
        return True

    def seekable(self):
        return True

    def tell(self):
        return self.pos

    def seek(self, offset, whence=io.SEEK_SET):
        base = {io.SEEK_SET: 0, io.SEEK_CUR: self.pos, io.SEEK_END: self.size}[whence]
        self.pos = max(0, base + offset)
        return self.pos

    def readinto(self, buffer):
        view = memoryview(buffer).cast("B")
        done = 0
        while done < len(view) and self.pos < self.size:
            index, offset = divmod(self.pos, BLOCK)
            if index != self._index:
                self._index, self._block = index, block(index)
            n = min(len(view) - done, BLOCK - offset, self.size - self.pos)
            view[done:done + n] = self._block[offset:offset + n]
            done += n
            self.pos += n
        return done


def pattern_bytes(start, end):
    """The pattern's bytes [start, end), for small ranges."""
    reader = PatternReader(end)
    reader.seek(start)
    return reader.read(end - start)


def pattern_md5(size):
    digest = hashlib.md5()
    for index in range(size // BLOCK):
        digest.update(block(index))
    digest.update(block(size // BLOCK)[:size % BLOCK])
    return digest.hexdigest()


class MemorySampler(threading.Thread):
    """Polls VmRSS / RssAnon / VmHWM of a process every 20 ms."""

    def __init__(self, pid):
        super().__init__(daemon=True)
        self.pid = pid
        self.stopping = threading.Event()
        self.max_rss = 0
        self.max_anon = 0
        self.samples = 0

    def status(self):
        fields = {}
        with open("/proc/%d/status" % self.pid) as f:
            for line in f:
                name, _, value = line.partition(":")
                if value.strip().endswith("kB"):
                    fields[name] = int(value.split()[0]) * 1024
        return fields

    def run(self):
        while not self.stopping.wait(0.02):
            try:
                s = self.status()
            except OSError:
                return
            self.max_rss = max(self.max_rss, s["VmRSS"])
            self.max_anon = max(self.max_anon, s.get("RssAnon", 0))
            self.samples += 1

    def stop(self):
        self.stopping.set()
        self.join()


def client(signed_payload):
    if ARGS.https:
        return s3_client(DAEMON.https_endpoint, attempts=0, s3={"payload_signing_enabled": signed_payload},
                         verify=DAEMON.certificate, connect_timeout=10, read_timeout=300)
    return s3_client(DAEMON.endpoint, attempts=0, s3={"payload_signing_enabled": signed_payload},
                     connect_timeout=10, read_timeout=300)


def mib(n):
    return "%.1f MiB" % (n / MiB)


class LargeObjectTest(unittest.TestCase):
    @classmethod
    def setUpClass(cls):
        cls.size = object_size()
        cls.expected_md5 = pattern_md5(cls.size)
        cls.s3 = client(signed_payload=False)
        cls.s3.create_bucket(Bucket=BUCKET)
        time.sleep(0.5)  # let start-up work (the orphan collector) settle before the baseline
        cls.sampler = MemorySampler(DAEMON.proc.pid)
        cls.baseline = cls.sampler.status()
        cls.sampler.start()

    @classmethod
    def tearDownClass(cls):
        cls.sampler.stop()
        end = cls.sampler.status()
        print("large-object: memory: object %s, idle VmRSS %s (RssAnon %s), peak VmHWM %s, "
              "peak sampled RssAnon %s, %d samples, bound %s"
              % (mib(cls.size), mib(cls.baseline["VmRSS"]), mib(cls.baseline.get("RssAnon", 0)),
                 mib(end["VmHWM"]), mib(cls.sampler.max_anon), cls.sampler.samples, mib(RSS_BOUND)))
        sys.stdout.flush()

    def check_memory(self):
        hwm = self.sampler.status()["VmHWM"]
        if ARGS.emulator or ARGS.sanitized:
            # qemu's translator and ASan's shadow and quarantine come on top of
            # shoald's own memory: bound what the transfers added to idle.
            self.assertLess(hwm - self.baseline["VmRSS"], RSS_BOUND,
                            "shoald grew from %s idle to %s" % (mib(self.baseline["VmRSS"]), mib(hwm)))
        else:
            self.assertLess(hwm, RSS_BOUND, "shoald's peak resident memory")

    def get_and_verify(self, key):
        started = time.monotonic()
        body = self.s3.get_object(Bucket=BUCKET, Key=key)["Body"]
        digest = hashlib.md5()
        length = 0
        for piece in body.iter_chunks(MiB):
            digest.update(piece)
            length += len(piece)
        elapsed = time.monotonic() - started
        self.assertEqual(length, self.size)
        self.assertEqual(digest.hexdigest(), self.expected_md5, "content of %s differs" % key)
        return elapsed

    def check_range(self, key, start, end):
        got = self.s3.get_object(Bucket=BUCKET, Key=key, Range="bytes=%d-%d" % (start, end - 1))["Body"].read()
        self.assertEqual(got, pattern_bytes(start, end), "bytes %d-%d of %s" % (start, end - 1, key))

    def report(self, what, put_seconds, get_seconds):
        print("large-object: %s %s: PUT %.1f s (%.0f MiB/s), GET %.1f s (%.0f MiB/s)"
              % (what, mib(self.size), put_seconds, self.size / MiB / put_seconds, get_seconds,
                 self.size / MiB / get_seconds))
        sys.stdout.flush()

    def test_1_single_put(self):
        # A signed payload: shoald verifies the body's SHA-256 as it streams in.
        s3 = client(signed_payload=True)
        started = time.monotonic()
        reply = s3.put_object(Bucket=BUCKET, Key="single", Body=PatternReader(self.size), ContentLength=self.size)
        put_seconds = time.monotonic() - started
        self.assertEqual(reply["ETag"], '"%s"' % self.expected_md5)
        self.assertEqual(self.s3.head_object(Bucket=BUCKET, Key="single")["ContentLength"], self.size)
        get_seconds = self.get_and_verify("single")
        # Across the boundary of the second chunk, and the last bytes.
        self.check_range("single", 2 * CHUNK_SIZE - 100, 2 * CHUNK_SIZE + 100)
        self.check_range("single", self.size - 1000, self.size)
        self.report("single PUT", put_seconds, get_seconds)
        self.check_memory()
        self.s3.delete_object(Bucket=BUCKET, Key="single")

    def test_2_multipart(self):
        transfer = TransferConfig(multipart_threshold=PART_SIZE, multipart_chunksize=PART_SIZE, max_concurrency=4)
        started = time.monotonic()
        self.s3.upload_fileobj(PatternReader(self.size), BUCKET, "multipart", Config=transfer)
        put_seconds = time.monotonic() - started
        head = self.s3.head_object(Bucket=BUCKET, Key="multipart")
        self.assertEqual(head["ContentLength"], self.size)
        parts = (self.size + PART_SIZE - 1) // PART_SIZE
        self.assertTrue(head["ETag"].endswith('-%d"' % parts), head["ETag"])
        get_seconds = self.get_and_verify("multipart")
        self.check_range("multipart", PART_SIZE - 100, PART_SIZE + 100)
        self.report("multipart (%d parts of %s, 4 at once)" % (parts, mib(PART_SIZE)), put_seconds, get_seconds)
        self.check_memory()
        self.s3.delete_object(Bucket=BUCKET, Key="multipart")


def main():
    global ARGS, DAEMON
    parser = argparse.ArgumentParser()
    parser.add_argument("--shoald", required=True)
    parser.add_argument("--emulator", default="")
    parser.add_argument("--sanitized", action="store_true", help="shoald is built with ASan/UBSan")
    parser.add_argument("--https", action="store_true", help="over HTTPS (docs/tls.md): TLS streams too")
    ARGS, rest = parser.parse_known_args()
    env = clean_env(SHOAL_ROOT_USER=ROOT_USER, SHOAL_ROOT_PASSWORD=ROOT_PASSWORD,
                    SHOAL_STORAGE_CHUNK_SIZE=str(CHUNK_SIZE), SHOAL_SERVER_THREADS="2")
    if ARGS.sanitized:
        # ASan keeps freed memory in a quarantine (256 MiB by default) to catch
        # use after free; a small one keeps that from passing for a leak of
        # buffers while still catching recent reuse.
        options = os.environ.get("ASAN_OPTIONS", "")
        env["ASAN_OPTIONS"] = (options + ":" if options else "") + "quarantine_size_mb=16"
    DAEMON = Daemon(ARGS.shoald, ARGS.emulator, env=env)
    from shoald_process import run_suite
    run_suite(lambda: DAEMON, [sys.argv[0]] + rest)


if __name__ == "__main__":
    main()
