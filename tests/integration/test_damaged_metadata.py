#!/usr/bin/python3
"""Damaged metadata records: the version record of an inline object says it
is larger than the data it holds, and that of a chunked object larger than its
chunks (as a bad sector or a bug could leave them; the bytes are changed in
data.mdb while shoald is stopped). GET and HEAD of those objects answer 500,
and the log line of the request names the object; never a byte read past the
record (ASan builds would stop on it), never a short or padded body with 200.
The other objects are served as before, the background scrub names the damaged
records and goes on past them, and shoald stops cleanly."""
import os
import re
import unittest

from shoald_process import (Daemon, ROOT_PASSWORD, ROOT_USER, clean_env, main_with_workdir, pattern, s3_client,
                           stop_cleanly)

ARGS = None
BUCKET = "records"
INLINE_KEY = "inline-damaged"
CHUNKED_KEY = "chunked-damaged"


def varint(value):
    out = bytearray()
    while value >= 0x80:
        out.append((value & 0x7F) | 0x80)
        value >>= 7
    out.append(value)
    return bytes(out)


def read_varint(data, at):
    value, shift = 0, 0
    while True:
        byte = data[at]
        at += 1
        value |= (byte & 0x7F) << shift
        if byte < 0x80:
            return value, at
        shift += 7


def set_size(path, key, old_size, new_size):
    """Changes the size field of every version record of `key` in data.mdb
    (core/meta/records.cpp, formats 3 and 4: format, key, seq, null, marker,
    modified, size, ...); both sizes must take as many varint bytes. LMDB
    pages carry no checksum, so the edit is read back as it is. Returns how
    many records were changed (stale copies in free pages included)."""
    assert len(varint(old_size)) == len(varint(new_size))
    with open(path, "r+b") as f:
        data = bytearray(f.read())
        # The record's format (3 or 4: the fields up to the size are the same), key.
        head = b"[\x03\x04]" + re.escape(varint(len(key)) + key.encode())
        changed = 0
        for m in re.finditer(head, data):
            at = m.end()
            _, at = read_varint(data, at)  # seq
            at += 2                        # null version, delete marker
            _, at = read_varint(data, at)  # modified
            size, end = read_varint(data, at)
            if size != old_size:
                continue
            data[at:end] = varint(new_size)
            changed += 1
        f.seek(0)
        f.write(data)
    return changed


class DamagedRecords(unittest.TestCase):
    @classmethod
    def setUpClass(cls):
        cls.workdir = os.path.join(ARGS.workdir, "node")
        cls.drives = [os.path.join(cls.workdir, "d1")]
        cls.daemon = cls.start(SHOAL_STORAGE_SCRUB_RATE="0")  # (a pass now would set the next a week away)
        s3 = s3_client(cls.daemon.endpoint)
        s3.create_bucket(Bucket=BUCKET)
        cls.bodies = {INLINE_KEY: pattern(100, INLINE_KEY), CHUNKED_KEY: pattern(10_000, CHUNKED_KEY),
                      "fine": pattern(100, "fine"), "fine-chunked": pattern(10_000, "fine-chunked")}
        for key, body in cls.bodies.items():
            s3.put_object(Bucket=BUCKET, Key=key, Body=body)
        stop_cleanly(cls.daemon)
        databases = [os.path.join(root, "data.mdb") for root, _, files in os.walk(cls.workdir) if "data.mdb" in files]
        assert databases, "no data.mdb under " + cls.workdir
        for path in databases:
            # 100 -> 127 and 10000 -> 10001: one and two varint bytes each.
            assert set_size(path, INLINE_KEY, 100, 127) >= 1, path
            assert set_size(path, CHUNKED_KEY, 10_000, 10_001) >= 1, path
        cls.daemon = cls.start(SHOAL_STORAGE_SCRUB_RATE=str(64 << 20), SHOAL_STORAGE_SCRUB_INTERVAL="1s")
        cls.s3 = s3_client(cls.daemon.endpoint, attempts=0)  # (no retry of a 500)

    @classmethod
    def start(cls, **settings):
        env = clean_env(SHOAL_ROOT_USER=ROOT_USER, SHOAL_ROOT_PASSWORD=ROOT_PASSWORD, **settings)
        daemon = Daemon(ARGS.shoald, ARGS.emulator, drives=cls.drives, env=env, data_dir=cls.workdir)
        daemon.wait_listening()
        return daemon

    @classmethod
    def tearDownClass(cls):
        stop_cleanly(cls.daemon)

    def assert_500_naming(self, call, key):
        with self.assertRaises(self.s3.exceptions.ClientError) as caught:
            call()
        response = caught.exception.response
        self.assertEqual(response["ResponseMetadata"]["HTTPStatusCode"], 500)
        request_id = response["ResponseMetadata"]["HTTPHeaders"].get("x-amz-request-id")
        self.assertTrue(request_id)
        self.daemon.wait_for_line(r"request_id=%s .*damaged object version record.*object %s/%s"
                                  % (request_id, BUCKET, key), timeout=10)

    def test_damaged_versions_answer_500_naming_the_object(self):
        for key in (INLINE_KEY, CHUNKED_KEY):
            self.assert_500_naming(lambda: self.s3.get_object(Bucket=BUCKET, Key=key)["Body"].read(), key)
            self.assert_500_naming(lambda: self.s3.head_object(Bucket=BUCKET, Key=key), key)
            self.assert_500_naming(lambda: self.s3.get_object(Bucket=BUCKET, Key=key, Range="bytes=90-")["Body"].read(),
                                   key)
        self.assert_500_naming(lambda: self.s3.list_object_versions(Bucket=BUCKET), CHUNKED_KEY)

    def test_the_other_objects_are_served_and_the_scrub_goes_past_the_damage(self):
        for key in ("fine", "fine-chunked"):
            self.assertEqual(self.s3.get_object(Bucket=BUCKET, Key=key)["Body"].read(), self.bodies[key])
        # The listing view holds summaries, which are intact.
        listed = [o["Key"] for o in self.s3.list_objects_v2(Bucket=BUCKET)["Contents"]]
        self.assertEqual(listed, sorted(self.bodies))
        self.daemon.wait_for_line(r"scrub: damaged metadata record .*object %s/%s" % (BUCKET, CHUNKED_KEY))
        self.daemon.wait_for_line(r"scrub: damaged metadata record .*object %s/%s" % (BUCKET, INLINE_KEY))
        self.daemon.wait_for_line(r"scrub pass done")
        self.assertEqual(self.s3.get_object(Bucket=BUCKET, Key="fine")["Body"].read(), self.bodies["fine"])


def main():
    main_with_workdir(globals(), "shoald-damaged-")


if __name__ == "__main__":
    main()
