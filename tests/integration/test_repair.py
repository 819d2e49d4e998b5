#!/usr/bin/python3
"""Repairs on a node of five drives (EC2+1 by default, THREECOPIES by storage
class): a GET that finds pieces missing queues a repair that restores them;
the scrubber finds bit-flipped and deleted pieces and restores them; a drive
replaced by an empty directory is rebuilt at the next start, with progress on
the admin endpoint, and the rebuild resumes after kill -9; a drive declared
lost through the admin endpoint is rebuilt onto the others. After each, every
chunk has its full count of pieces again (counted on disk) and every object
reads back bit-exact."""
import hashlib
import os
import re
import shutil
import subprocess
import time
import unittest
import xml.etree.ElementTree as ET

from shoald_process import (Daemon, ROOT_PASSWORD, ROOT_USER, chunk_files_on, chunk_owner, clean_env,
                           main_with_workdir, pattern, s3_client, shoald_admin, stop_cleanly)

ARGS = None
CHUNK = 64 << 10      # EC2+1: a group holds 128 KiB, in three 64 KiB fragment files
SEGMENT = 16 << 10
BUCKET = "cared"
DRIVES = 5
WAIT = 120            # seconds for a background job (qemu is slow)


def groups(size, unit):
    return (size + unit - 1) // unit


# key -> (size, storage class, pieces per chunk, content bytes per chunk)
OBJECTS = {}
for i in range(24):
    OBJECTS["ec-%02d" % i] = (200_000 + 1000 * i, "STANDARD", 3, 2 * CHUNK)
for i in range(4):
    OBJECTS["copies-%d" % i] = (150_000 + i, "THREECOPIES", 3, CHUNK)
OBJECTS["read-me"] = (300_000, "STANDARD", 3, 2 * CHUNK)
EXPECTED_PIECES = sum(pieces * groups(size, unit) for size, _, pieces, unit in OBJECTS.values())


def fragment_index(path):
    with open(path, "rb") as f:
        return f.read(67)[66]  # docs/chunk-format.md: the header's fragment index


def header_names(path, key):
    with open(path, "rb") as f:
        return key.encode() in f.read(4096)


class Repair(unittest.TestCase):
    """Each test runs its own node, started on a copy of one populated node
    (built once, stopped cleanly), so that no test depends on what another
    did or on how the objects happened to be placed: where a test needs a
    drive holding some pieces, it picks one that does."""

    @classmethod
    def setUpClass(cls):
        cls.golden = os.path.join(ARGS.workdir, "golden")
        drives = [os.path.join(cls.golden, "d%d" % i) for i in range(DRIVES)]
        daemon = Daemon(ARGS.shoald, ARGS.emulator, drives=drives, env=cls.settings(repair="on", scrub_rate="0"),
                        data_dir=cls.golden)
        try:
            daemon.wait_listening()
            s3 = s3_client(daemon.endpoint)
            s3.create_bucket(Bucket=BUCKET)
            for key, (size, storage_class, _, _) in OBJECTS.items():
                s3.put_object(Bucket=BUCKET, Key=key, Body=pattern(size, key), StorageClass=storage_class)
        finally:
            stop_cleanly(daemon)

    @staticmethod
    def settings(**settings):
        env = clean_env(SHOAL_ROOT_USER=ROOT_USER, SHOAL_ROOT_PASSWORD=ROOT_PASSWORD,
                        SHOAL_STORAGE_CHUNK_SIZE=str(CHUNK), SHOAL_STORAGE_EC_SEGMENT_SIZE=str(SEGMENT),
                        SHOAL_STORAGE_DEFAULT_POLICY="EC2+1", SHOAL_S3_MIN_PART_SIZE=str(CHUNK))
        for name, value in settings.items():
            env["SHOAL_STORAGE_" + name.upper()] = value
        return env

    def setUp(self):
        self.workdir = os.path.join(ARGS.workdir, self.id().rsplit(".", 1)[-1])
        shutil.copytree(self.golden, self.workdir, symlinks=True)
        self.drives = [os.path.join(self.workdir, "d%d" % i) for i in range(DRIVES)]
        self.daemon = None

    def tearDown(self):
        if self.daemon is not None:
            self.stop()
        shutil.rmtree(self.workdir, ignore_errors=True)

    def start(self, drives, **settings):
        self.daemon = Daemon(ARGS.shoald, ARGS.emulator, drives=drives, env=self.settings(**settings),
                             data_dir=self.workdir)
        self.daemon.wait_listening()
        self.s3 = s3_client(self.daemon.endpoint)

    def stop(self, kill=False):
        if kill:
            self.daemon.kill()
            self.daemon.close()
        else:
            stop_cleanly(self.daemon)
        self.daemon = None

    def admin(self, method="GET", path="drives"):
        empty = hashlib.sha256(b"").hexdigest()
        out = subprocess.run(["curl", "-s", "-X", method, "--aws-sigv4", "aws:amz:us-east-1:s3",
                              "--user", "%s:%s" % (ROOT_USER, ROOT_PASSWORD),
                              "-H", "x-amz-content-sha256: " + empty,
                              self.daemon.endpoint + "/_shoal/" + path],
                             capture_output=True, check=True, timeout=60).stdout
        return ET.fromstring(out)

    def shoald_admin(self, *args):
        code, out = shoald_admin(self.daemon, *args)
        self.assertEqual(code, 0, out)
        return out

    def wait_for(self, what, predicate):
        deadline = time.monotonic() + WAIT
        while time.monotonic() < deadline:
            value = predicate()
            if value:
                return value
            time.sleep(0.2)
        self.fail("timed out waiting for %s; log:\n%s" % (what, self.daemon.log()[-5000:]))

    def assert_full_redundancy(self, drives=None):
        # Per object, for a useful message when a piece is missing.
        files = chunk_files_on(drives or self.drives)
        short = {}
        for key, (size, _, pieces, unit) in OBJECTS.items():
            found = sum(1 for p in files if header_names(p, key))
            if found != pieces * groups(size, unit):
                short[key] = (found, pieces * groups(size, unit))
        said = [line for line in self.daemon.log().splitlines() if any(key in line for key in short)]
        self.assertEqual(len(files), EXPECTED_PIECES,
                         "pieces per object (found, wanted): %s; the log on them:\n%s" % (short, "\n".join(said)))

    def pieces_on_disk(self, drives=None):
        return len(chunk_files_on(drives or self.drives))

    def check_objects(self):
        for key, (size, _, _, _) in OBJECTS.items():
            body = self.s3.get_object(Bucket=BUCKET, Key=key)["Body"].read()
            self.assertEqual(hashlib.md5(body).hexdigest(), hashlib.md5(pattern(size, key)).hexdigest(), key)
            part = self.s3.get_object(Bucket=BUCKET, Key=key, Range="bytes=70000-140000")["Body"].read()
            self.assertEqual(part, pattern(size, key)[70000:140001], key)

    def test_1_a_read_that_finds_damage_queues_its_repair(self):
        self.start(self.drives, repair="on", scrub_rate="0")
        self.assertEqual(self.pieces_on_disk(), EXPECTED_PIECES)
        # read-me's data fragments on the drive holding most of them (one
        # drive holds at most one piece of each chunk, and EC2+1 survives one
        # loss; a healthy read never touches parity, so only lost data
        # fragments are noticed by a read).
        on = [[p for p in chunk_files_on([d]) if header_names(p, "read-me") and fragment_index(p) < 2]
              for d in self.drives]
        gone = max(on, key=len)
        self.assertGreaterEqual(len(gone), 1)
        for path in gone:
            os.remove(path)
        # The read is served by decoding, and the version queued for repair.
        body = self.s3.get_object(Bucket=BUCKET, Key="read-me")["Body"].read()
        self.assertEqual(body, pattern(OBJECTS["read-me"][0], "read-me"))
        # (The new pieces are on disk just before the commit that lists them.)
        self.daemon.wait_for_line("object repaired .*read-me", timeout=WAIT)
        self.wait_for("the repair of read-me", lambda: self.pieces_on_disk() == EXPECTED_PIECES)
        self.check_objects()

    def test_2_scrub_restores_flipped_and_deleted_pieces(self):
        # Every piece on the drive holding most copies gets a flipped byte (its
        # block check fails), and three chunks with a copy there lose another
        # copy elsewhere: one good copy is left of each. (Placement is random:
        # a fixed drive may hold fewer than three copies, 1 run in ~350.)
        copies = {}  # (key, chunk index) -> its copies' files
        for path in chunk_files_on(self.drives):
            if header_names(path, "THREECOPIES"):
                _, key, _, _, index = chunk_owner(path)
                copies.setdefault((key, index), []).append(path)
        flipped = max(self.drives, key=lambda d: sum(1 for c in copies.values() for p in c if p.startswith(d + os.sep)))
        for path in chunk_files_on([flipped]):
            with open(path, "r+b") as f:
                f.seek(os.path.getsize(path) // 2)
                byte = f.read(1)
                f.seek(-1, os.SEEK_CUR)
                f.write(bytes([byte[0] ^ 0x01]))
        on_flipped = [c for c in copies.values() if any(p.startswith(flipped + os.sep) for p in c)]
        self.assertGreaterEqual(len(on_flipped), 3)  # it holds at least 36 / 5 copies
        for chunk in on_flipped[:3]:
            os.remove(next(p for p in chunk if not p.startswith(flipped + os.sep)))
        self.start(self.drives, repair="on", scrub_rate=str(64 << 20), scrub_interval="1s")
        # A pass that repairs, then a pass that finds nothing left to do.
        def clean_pass():
            scrub = self.admin().find("Scrub")
            return (int(scrub.findtext("Passes")) >= 2 and scrub.findtext("Running") == "false"
                    and scrub.findtext("PiecesRebuilt") == "0" and scrub.findtext("Unrecoverable") == "0")
        self.wait_for("a clean scrub pass", clean_pass)
        self.assertIn("scrub pass done", self.daemon.log())
        self.assertGreaterEqual(len(re.findall("object repaired", self.daemon.log())), 3)
        self.assert_full_redundancy()
        self.check_objects()

    def test_3_a_replaced_drive_is_rebuilt_and_the_rebuild_resumes_after_kill(self):
        # The node ran here (its drives' paths and ids are remembered), then
        # the drive holding most pieces died and was replaced (not the first,
        # which holds the metadata: losing that one is another test's).
        self.start(self.drives, repair="on", scrub_rate="0")
        self.stop()
        replaced = max(self.drives[1:], key=lambda d: self.pieces_on_disk([d]))
        held = self.pieces_on_disk([replaced])
        self.assertGreater(held, 10)  # at least 189 / 5 pieces
        shutil.rmtree(replaced)
        os.mkdir(replaced)  # an empty directory in its place: a new drive
        # Slow enough to be caught half way (about 3 MiB at 256 KiB/s).
        self.start(self.drives, repair="on", scrub_rate="0", rebuild_rate=str(256 << 10))
        self.daemon.wait_for_line("drive replaced: rebuilding the chunks it held")

        def under_way():
            rebuild = self.admin().find("Rebuild")
            return rebuild is not None and rebuild.findtext("State") == "rebuilding" and \
                0 < int(rebuild.findtext("PiecesDone")) < int(rebuild.findtext("PiecesTotal"))
        self.wait_for("the rebuild under way", under_way)
        rebuild = self.admin().find("Rebuild")
        self.assertEqual(int(rebuild.findtext("PiecesTotal")), held)
        self.assertIsNotNone(rebuild.find("EtaSeconds"))
        self.stop(kill=True)

        self.start(self.drives, repair="on", scrub_rate="0")
        resumed = self.daemon.wait_for_line(r"rebuild resumed .*pieces_done=(\d+)")
        self.assertGreater(int(resumed.group(1)), 0)
        self.wait_for("the rebuild's end", lambda: self.admin().find("Rebuild").findtext("State") == "done")
        rebuild = self.admin().find("Rebuild")
        self.assertEqual(rebuild.findtext("Percent"), "100")
        self.assertEqual(rebuild.findtext("Unrecoverable"), "0")
        # Pieces the killed run wrote but never committed are orphans, removed
        # by the collector of this start.
        self.daemon.wait_for_line(r"orphan chunk collection done .*removed=")
        self.assert_full_redundancy()
        self.check_objects()

    def test_4_a_drive_declared_lost_is_rebuilt_on_the_others(self):
        self.start(self.drives, repair="on", scrub_rate="0")
        ids = {d.findtext("Path"): d.findtext("Id") for d in self.admin().findall("Drive")}
        lost_id = ids[self.drives[4]]
        # An attached drive cannot be declared lost.
        refused = subprocess.run(["curl", "-s", "-o", "/dev/null", "-w", "%{http_code}", "-X", "POST",
                                  "--aws-sigv4", "aws:amz:us-east-1:s3",
                                  "--user", "%s:%s" % (ROOT_USER, ROOT_PASSWORD),
                                  "-H", "x-amz-content-sha256: " + hashlib.sha256(b"").hexdigest(),
                                  self.daemon.endpoint + "/_shoal/drives/%s?rebuild=" % lost_id],
                                 capture_output=True, check=True, timeout=60).stdout
        self.assertEqual(refused, b"409")
        self.stop()
        remaining = self.drives[:4]
        self.start(remaining, repair="on", scrub_rate="0")
        # With the command line, which signs like the S3 clients.
        started = self.shoald_admin("rebuild", lost_id)
        self.assertIn("rebuild of drive %s: counting" % lost_id, started)
        self.wait_for("the rebuild's end", lambda: any(
            r.findtext("Drive") == lost_id and r.findtext("State") == "done" for r in self.admin().findall("Rebuild")))
        table = self.shoald_admin("drives")
        self.assertIn("rebuild of drive %s: done" % lost_id, table)
        for path in remaining:
            self.assertIn(path, table)
        self.assertNotIn(self.drives[4], table)
        self.assert_full_redundancy(remaining)
        self.check_objects()


def main():
    main_with_workdir(globals(), "shoald-repair-")


if __name__ == "__main__":
    main()
