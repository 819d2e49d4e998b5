#!/usr/bin/python3
"""Power cuts, simulated (docs/durability.md, "Power cuts, simulated").

kill -9 keeps the page cache; a power cut does not. So, as LevelDB's fault
injection test, SQLite's crash tests and the ALICE study do, this test
records every change shoald makes to its files and rebuilds what a power cut
could leave at any point:

1. A scripted workload runs against a real shoald (six drives) with the
   recorder shim (tests/faults/record_shim.c) preloaded, which logs every
   write (with its bytes), truncation, sync, create, rename and unlink under
   the drive directories, LMDB's files included. The client marks in the same
   log when it sends each operation and when the answer arrives: inline and
   chunked PUTs, THREECOPIES and EC4+2 PUTs, a multipart upload and its
   Complete, an overwrite, a CopyObject, a delete, a delete marker in a
   versioned bucket, a piece removed and repaired after a read finds it
   missing, a drive declared lost and rebuilt (after a restart without it),
   a DeleteObjects.
2. For each cut point chosen (a sync in the log: a cut just before it loses
   the most; and the end of each run), power_cut_state.py builds at the
   drives' paths a state the disks could hold (a variant: every unsynced
   change lost, every one kept, some kept, pages torn, one entry change alone
   kept or alone lost), and shoald is started on it without the shim.
   It must start without a manual step, and then:
   - every operation acknowledged before the cut is there, whole (content,
     listing, versions, open uploads and their parts); the one in flight is
     all there or not at all; nothing else is there;
   - every listed object version reads back in full with its content (no
     committed record references a missing chunk);
   - once the orphan collector has run (and a rebuild declared before the
     cut has finished), the chunk files on the drives are exactly those the
     objects and open uploads need, per object.

CI checks the end of each run in detail and a seeded sample of the cut
points (SHOAL_POWER_CUT_SEED to repeat one, SHOAL_POWER_CUT_SAMPLE to size
it); --long (SHOAL_POWER_CUT_LONG=1) checks every one, in every variant.
A state that fails is described with the command that rebuilds it from the
kept log. Needs the recorder shim (host builds; skipped under qemu)."""
import collections
import contextlib
import copy
import hashlib
import json
import os
import random
import shutil
import struct
import subprocess
import sys
import time
import unittest
import xml.etree.ElementTree as ET

import botocore

import power_cut_log
import power_cut_state
from shoald_process import (Daemon, ROOT_PASSWORD, ROOT_USER, chunk_files_on, chunk_owner, clean_env,
                            main_with_workdir, pattern, pending_files_on, s3_client, shoald_admin)

ARGS = None
CHUNK = 64 << 10
SEGMENT = 16 << 10
INLINE = 4096
MIN_PART = 64 << 10
DRIVES = 6
EC_K, EC_M = 4, 2
WAIT = 120  # seconds for a background job


def md5(data):
    return hashlib.md5(data).hexdigest()


def chunks(size, unit=CHUNK):
    return (size + unit - 1) // unit


# ---- what the client expects --------------------------------------------

class Version:
    """One version of an object: content (data, or the parts of a completed
    multipart upload) or a delete marker (neither)."""

    def __init__(self, vid, data=None, policy="THREECOPIES", parts=None):
        self.vid = vid  # None: not known (unversioned bucket, or an answer not received)
        self.marker = data is None and parts is None
        self.parts = parts
        self.data = b"".join(parts) if parts is not None else data
        self.policy = policy
        if parts is not None:
            self.etag = "%s-%d" % (md5(b"".join(hashlib.md5(p).digest() for p in parts)), len(parts))
        elif data is not None:
            self.etag = md5(data)

    def pieces(self, drives):
        """Chunk files this version needs on a node of `drives` drives."""
        if self.marker:
            return 0
        if self.parts is not None:
            return sum(3 * chunks(len(p)) for p in self.parts)
        if len(self.data) <= INLINE:
            return 0
        if self.policy == "EC4+2":
            return min(EC_K + EC_M, drives) * chunks(len(self.data), EC_K * CHUNK)
        return 3 * chunks(len(self.data))

    def shape(self):
        """(delete marker, size, ETag), as a listing shows a version."""
        return (True, 0, None) if self.marker else (False, len(self.data), self.etag)

    def describe(self):
        if self.marker:
            return "delete marker %s" % self.vid
        return "%s%d bytes etag %s" % ("version %s: " % self.vid if self.vid else "", len(self.data), self.etag)


class Expected:
    """The state the acknowledged operations made."""

    def __init__(self):
        self.buckets = {}   # name -> versioning enabled
        self.objects = {}   # (bucket, key) -> [Version], newest first
        self.uploads = {}   # upload id (None: created, id not known) -> (bucket, key, {part number: data})

    def put(self, bucket, key, version):
        if self.buckets[bucket]:
            self.objects.setdefault((bucket, key), []).insert(0, version)
        else:
            self.objects[(bucket, key)] = [version]

    def delete(self, bucket, key, vid):
        if self.buckets[bucket]:
            self.objects.setdefault((bucket, key), []).insert(0, Version(vid))
        else:
            self.objects.pop((bucket, key), None)

    def pieces(self, drives):
        """(bucket, key) -> chunk files its versions and open uploads need."""
        need = collections.Counter()
        for bk, versions in self.objects.items():
            need[bk] += sum(v.pieces(drives) for v in versions)
        for bucket, key, parts in self.uploads.values():
            need[(bucket, key)] += sum(3 * chunks(len(p)) for p in parts.values())
        return {bk: n for bk, n in need.items() if n}


class Op:
    """An operation of the workload: `effect(expected, answer)` applies it
    (answer None: it was in flight, its answer not known). An operation made
    of several commits (DeleteObjects: one per key, in order) has `steps`,
    effects of its first 1, 2, ... commits: each is a state it may have
    reached when the power went."""

    def __init__(self, index, name, effect, steps=None):
        self.index = index
        self.name = name
        self.effect = effect
        self.steps = steps
        self.answer = None


# ---- the state shoald shows ---------------------------------------------

def observe(s3):
    """(buckets {name: versioning on}, objects {(bucket, key): [(vid, marker,
    size, etag, latest)]}, uploads {id: (bucket, key, {part: (etag, size)})})."""
    buckets = {}
    objects = {}
    uploads = {}
    for b in s3.list_buckets()["Buckets"]:
        name = b["Name"]
        buckets[name] = s3.get_bucket_versioning(Bucket=name).get("Status") == "Enabled"
        for page in s3.get_paginator("list_object_versions").paginate(Bucket=name):
            for v in page.get("Versions", []):
                objects.setdefault((name, v["Key"]), []).append(
                    (v["VersionId"], False, v["Size"], v["ETag"].strip('"'), v["IsLatest"]))
            for m in page.get("DeleteMarkers", []):
                objects.setdefault((name, m["Key"]), []).append((m["VersionId"], True, 0, None, m["IsLatest"]))
        for page in s3.get_paginator("list_multipart_uploads").paginate(Bucket=name):
            for u in page.get("Uploads", []):
                parts = s3.list_parts(Bucket=name, Key=u["Key"], UploadId=u["UploadId"]).get("Parts", [])
                uploads[u["UploadId"]] = (name, u["Key"], {p["PartNumber"]: (p["ETag"].strip('"'), p["Size"])
                                                           for p in parts})
    return buckets, objects, uploads


def differences(observed, expected):
    """What differs between what shoald shows and what the client expects
    (a list of sentences; empty when they agree)."""
    buckets, objects, uploads = observed
    said = []
    if buckets != expected.buckets:
        said.append("buckets (versioning) %s, expected %s" % (buckets, expected.buckets))
    for bk in sorted(set(objects) | set(expected.objects)):
        have = objects.get(bk, [])
        want = expected.objects.get(bk, [])
        if not want and not have:
            continue
        # Compared by shape (delete marker, size, ETag): the latest, then all
        # of them; and the version ids the client was given must be there.
        latest = [h[1:4] for h in have if h[4]]
        if (latest != [v.shape() for v in want[:1]] or sorted(h[1:4] for h in have) != sorted(v.shape() for v in want) or
                any(v.vid is not None and v.vid not in {h[0] for h in have} for v in want)):
            said.append("%s/%s: shows %s, expected %s" % (bk[0], bk[1], have, [v.describe() for v in want]))
    known = {u: x for u, x in expected.uploads.items() if u is not None}
    extra = set(uploads) - set(known)
    if set(known) - set(uploads):
        said.append("uploads lost: %s" % sorted(set(known) - set(uploads)))
    if len(extra) > (1 if None in expected.uploads else 0) or any(uploads[u][2] for u in extra):
        said.append("uploads nobody created (or with parts nobody sent): %s" % {u: uploads[u] for u in extra})
    for upload_id, (bucket, key, parts) in known.items():
        if upload_id in uploads:
            want = {n: (md5(d), len(d)) for n, d in parts.items()}
            if uploads[upload_id] != (bucket, key, want):
                said.append("upload %s shows %s, expected %s" % (upload_id, uploads[upload_id], (bucket, key, want)))
    return said


# ---- the test -----------------------------------------------------------

class PowerCut(unittest.TestCase):
    def setUp(self):
        if ARGS.emulator:
            self.skipTest("the recorder shim is built for host presets only (under qemu-user it would be preloaded "
                          "into the emulator)")
        if not ARGS.record_shim:
            self.skipTest("no recorder shim given (--record-shim)")
        # The states are built and removed hundreds of times: on a tmpfs of
        # its own (as root, like the disk-fault tests) that costs little.
        self.root = os.path.join(ARGS.workdir, "disk")
        os.mkdir(self.root)
        self.mounted = subprocess.run(["mount", "-t", "tmpfs", "-o", "size=512m", "tmpfs", self.root],
                                      stderr=subprocess.DEVNULL).returncode == 0
        self.drives = [os.path.join(self.root, "d%d" % i) for i in range(DRIVES)]
        self.log_path = os.path.join(ARGS.workdir, "changes.log")
        self.daemon = None
        self.ops = []
        self.timings = collections.Counter()  # seconds spent per step of the checks

    def tearDown(self):
        try:
            if self.daemon is not None:
                self.daemon.close()
        finally:
            if self.mounted:
                subprocess.run(["umount", "-l", self.root], check=False)

    def env(self, record, tls="auto"):
        env = clean_env(SHOAL_SERVER_TLS=tls, SHOAL_ROOT_USER=ROOT_USER, SHOAL_ROOT_PASSWORD=ROOT_PASSWORD,
                        SHOAL_STORAGE_CHUNK_SIZE=str(CHUNK), SHOAL_STORAGE_EC_SEGMENT_SIZE=str(SEGMENT),
                        SHOAL_STORAGE_INLINE_THRESHOLD=str(INLINE), SHOAL_STORAGE_DEFAULT_POLICY="THREECOPIES",
                        SHOAL_S3_MIN_PART_SIZE=str(MIN_PART), SHOAL_STORAGE_SCRUB_RATE="0")
        if record:
            env.update(LD_PRELOAD=ARGS.record_shim, SHOAL_RECORD_LOG=self.log_path, SHOAL_RECORD_ROOTS=self.root)
            # The shim comes before ASan's runtime in the load order, which
            # ASan refuses unless told it is deliberate.
            env["ASAN_OPTIONS"] = ":".join(filter(None, [env.get("ASAN_OPTIONS"), "verify_asan_link_order=0"]))
        return env

    # -- the recorded workload --

    def start(self, drives, tls, record):
        if record:
            self.log.mark(json.dumps({"drives": drives, "tls": tls}))
        self.daemon = Daemon(ARGS.shoald, ARGS.emulator, drives=drives, env=self.env(record, tls), data_dir=self.root)
        self.daemon.wait_listening()
        self.daemon.wait_for_line(r"orphan chunk collection done")
        return s3_client(self.daemon.endpoint, attempts=0, read_timeout=60)

    def stop(self, s3):
        s3.close()
        self.log.mark(json.dumps({"stop": True}))
        code = self.daemon.stop()
        log = self.daemon.log()
        self.daemon.close()
        self.daemon = None
        self.assertEqual(code, 0, "shoald exited with %d; log:\n%s" % (code, log[-4000:]))

    def op(self, name, call, effect, steps=None):
        op = Op(len(self.ops), name, effect, steps)
        self.ops.append(op)
        self.log.mark(json.dumps({"begin": op.index, "name": name}))
        op.answer = call()
        self.log.mark(json.dumps({"ack": op.index}))
        return op.answer

    def put(self, s3, bucket, key, data, policy="THREECOPIES"):
        extra = {"StorageClass": policy} if policy != "THREECOPIES" else {}
        return self.op("put %s/%s (%d bytes, %s)" % (bucket, key, len(data), policy),
                       lambda: s3.put_object(Bucket=bucket, Key=key, Body=data, **extra),
                       lambda e, a: e.put(bucket, key, Version(a and a.get("VersionId"), data, policy)))

    def delete(self, s3, bucket, key):
        return self.op("delete %s/%s" % (bucket, key), lambda: s3.delete_object(Bucket=bucket, Key=key),
                       lambda e, a: e.delete(bucket, key, a and a.get("VersionId")))

    def fragments(self, key, drives):
        """Chunk files of plain/`key` on `drives`: [(path, fragment index)]."""
        found = []
        for path in chunk_files_on(drives):
            if chunk_owner(path)[:2] == ("plain", key):
                with open(path, "rb") as f:
                    found.append((path, f.read(67)[66]))  # docs/chunk-format.md: the fragment index
        return found

    def record_workload(self):
        # The file system holding the drives is recorded, empty at first:
        # shoald makes the drive directories too.
        self.log = power_cut_log.LogWriter(self.log_path)
        self.log.snapshot([self.root])
        # The first run without TLS (nothing then writes beside the catalog
        # on its drive), the second with it (the certificate pair made then).
        s3 = self.start(self.drives, "off", record=True)

        def create_bucket(name, versioned):
            self.op("create bucket " + name, lambda: s3.create_bucket(Bucket=name),
                    lambda e, a: e.buckets.__setitem__(name, False))
            if versioned:
                self.op("enable versioning on " + name,
                        lambda: s3.put_bucket_versioning(Bucket=name, VersioningConfiguration={"Status": "Enabled"}),
                        lambda e, a: e.buckets.__setitem__(name, True))
        create_bucket("plain", False)
        create_bucket("versioned", True)
        self.put(s3, "plain", "inline", pattern(1000, "inline"))
        self.put(s3, "plain", "copies", pattern(150_000, "copies-1"))
        self.put(s3, "plain", "ec", pattern(200_000, "ec"), "EC4+2")

        # A multipart upload of two parts (three chunks), completed.
        parts = [pattern(70_000, "part-1"), pattern(10_000, "part-2")]
        created = self.op("create multipart upload plain/multi",
                          lambda: s3.create_multipart_upload(Bucket="plain", Key="multi"),
                          lambda e, a: e.uploads.__setitem__(a and a["UploadId"], ("plain", "multi", {})))
        upload_id = created["UploadId"]
        for n, data in enumerate(parts, 1):
            self.op("upload part %d of plain/multi" % n,
                    lambda n=n, data=data: s3.upload_part(Bucket="plain", Key="multi", UploadId=upload_id,
                                                          PartNumber=n, Body=data),
                    lambda e, a, n=n, data=data: e.uploads[upload_id][2].__setitem__(n, data))

        def complete(e, a):
            _b, _k, sent = e.uploads.pop(upload_id)
            e.put("plain", "multi", Version(None, parts=[sent[n] for n in sorted(sent)]))
        self.op("complete plain/multi", lambda: s3.complete_multipart_upload(
            Bucket="plain", Key="multi", UploadId=upload_id,
            MultipartUpload={"Parts": [{"PartNumber": n, "ETag": '"%s"' % md5(d)} for n, d in enumerate(parts, 1)]}),
            complete)

        self.put(s3, "plain", "copies", pattern(100_000, "copies-2"))  # an overwrite: the old chunks go
        self.op("copy plain/copies to plain/copied",
                lambda: s3.copy_object(Bucket="plain", Key="copied", CopySource={"Bucket": "plain", "Key": "copies"}),
                lambda e, a: e.put("plain", "copied", Version(None, pattern(100_000, "copies-2"))))
        self.put(s3, "plain", "doomed", pattern(80_000, "doomed"))
        self.delete(s3, "plain", "doomed")
        self.put(s3, "versioned", "doc", pattern(70_000, "doc-1"))
        self.put(s3, "versioned", "doc", pattern(5_000, "doc-2"))
        self.delete(s3, "versioned", "doc")  # a delete marker over two versions

        # A data fragment of plain/ec lost (removed, durably); a read decodes
        # around it and queues the repair that writes it anew.
        lost_fragment = [path for path, index in self.fragments("ec", self.drives) if index < EC_K][0]
        remove = ("import os, sys; p = sys.argv[1]; os.remove(p); d = os.open(os.path.dirname(p), os.O_RDONLY); "
                  "os.fsync(d)")
        self.op("remove a data fragment of plain/ec",
                lambda: subprocess.run([sys.executable, "-c", remove, lost_fragment], env=self.env(True),
                                       check=True), None)

        def read_and_repair():
            self.assertEqual(s3.get_object(Bucket="plain", Key="ec")["Body"].read(), pattern(200_000, "ec"))
            deadline = time.monotonic() + WAIT
            while len(self.fragments("ec", self.drives)) < EC_K + EC_M or "object repaired" not in self.daemon.log():
                self.assertLess(time.monotonic(), deadline, "no repair of plain/ec; log:\n" + self.daemon.log()[-3000:])
                time.sleep(0.1)
        self.op("read plain/ec and repair it", read_and_repair, None)
        # The last drive's id, as the operator reads it, for the checks too.
        self.lost_id = {d.findtext("Path"): d.findtext("Id")
                        for d in ET.fromstring(self.admin("drives", "--xml").strip()).findall("Drive")}[self.drives[-1]]
        self.stop(s3)

        # The last drive declared lost: restarted without it, then rebuilt.
        lost_id = self.lost_id
        remaining = self.drives[:-1]
        s3 = self.start(remaining, "auto", record=True)
        self.op("declare drive %s lost" % lost_id, lambda: self.admin("rebuild", lost_id), None)
        self.op("rebuild of drive %s" % lost_id, lambda: self.wait_rebuilt(lost_id), None)
        self.put(s3, "plain", "after", pattern(90_000, "after"))
        self.delete(s3, "plain", "inline")

        # A batch delete: one commit per key, in order.
        batch = ["copied", "after"]

        def delete_first(n):
            return lambda e, a: [e.delete("plain", key, None) for key in batch[:n]]

        def delete_objects():
            answer = s3.delete_objects(Bucket="plain", Delete={"Objects": [{"Key": k} for k in batch]})
            self.assertEqual(answer.get("Errors", []), [])
        self.op("delete plain/copied and plain/after in one DeleteObjects", delete_objects,
                delete_first(len(batch)), steps=[delete_first(n) for n in range(1, len(batch) + 1)])
        self.stop(s3)
        self.log.mark(json.dumps({"end": True}))
        self.log.close()

    def admin(self, *args):
        code, out = shoald_admin(self.daemon, *args)
        self.assertEqual(code, 0, out)
        return out

    def rebuild_state(self, drive_id):
        found = [r for r in ET.fromstring(self.admin("drives", "--xml").strip()).findall("Rebuild")
                 if r.findtext("Drive") == drive_id]
        return found[0] if found else None

    def wait_rebuilt(self, drive_id):
        deadline = time.monotonic() + WAIT
        while True:
            rebuild = self.rebuild_state(drive_id)
            if rebuild is not None and rebuild.findtext("State") == "done":
                self.assertEqual(rebuild.findtext("Unrecoverable"), "0")
                return
            self.assertLess(time.monotonic(), deadline, "rebuild not done; log:\n" + self.daemon.log()[-3000:])
            time.sleep(0.1)

    # -- the checks at a cut --

    def expected(self, acked, in_flight):
        """The state of the acknowledged operations, and the states the one
        in flight (if any) may have reached."""
        before = Expected()
        for i in acked:
            if self.ops[i].effect:
                self.ops[i].effect(before, self.ops[i].answer)
        afters = []
        op = self.ops[in_flight] if in_flight is not None else None
        for effect in (op.steps or [op.effect]) if op is not None and op.effect else []:
            afters.append(copy.deepcopy(before))
            effect(afters[-1], None)
        return before, afters

    def check_cut(self, cut, model, marks, variant, seed):
        """Checks shoald on the state `variant` of the cut; returns a list
        of failures (sentences)."""
        drives, tls, acked, in_flight = self.drives, "off", [], None
        for text in marks:
            mark = json.loads(text)
            if "drives" in mark:
                drives, tls = mark["drives"], mark["tls"]
            elif "begin" in mark:
                in_flight = mark["begin"]
            elif "ack" in mark:
                acked.append(mark["ack"])
                in_flight = None
        clock = time.monotonic()
        mapped = model.materialize(variant, seed)
        self.timings["build the state"] += time.monotonic() - clock
        unmodelled = [p for p in mapped if os.path.basename(p) != "lock.mdb"]
        if unmodelled:
            return ["files written through shared mappings, which the model cannot rebuild: %s" % unmodelled]
        before, afters = self.expected(acked, in_flight)
        left_by_the_cut = set(pending_files_on(drives))
        self.daemon = Daemon(ARGS.shoald, ARGS.emulator, drives=drives, env=self.env(False, tls), data_dir=self.root)
        try:
            clock = time.monotonic()
            try:
                self.daemon.wait_listening()
                self.daemon.wait_for_line(r"orphan chunk collection done")
            except AssertionError:
                return ["shoald did not start; log:\n" + self.daemon.log()[-3000:]]
            self.timings["start shoald"] += time.monotonic() - clock
            clock = time.monotonic()
            declared = any(self.ops[i].name.startswith("declare drive") for i in acked)
            failures = self.check_running(drives, before, afters, in_flight, declared, left_by_the_cut)
            self.timings["check"] += time.monotonic() - clock
            clock = time.monotonic()
            code = self.daemon.stop()
            self.timings["stop shoald"] += time.monotonic() - clock
            if code != 0:
                failures.append("shoald exited with %d" % code)
            if failures:
                failures.append("log:\n" + self.daemon.log()[-3000:])
            return failures
        finally:
            self.daemon.close()
            self.daemon = None

    def check_running(self, drives, before, afters, in_flight, declared, left_by_the_cut):
        with contextlib.closing(s3_client(self.daemon.endpoint, attempts=0, read_timeout=60)) as s3:
            return self.check_with(s3, drives, before, afters, in_flight, declared, left_by_the_cut)

    def check_with(self, s3, drives, before, afters, in_flight, declared, left_by_the_cut):
        # (A rebuild resumed at the start may be writing pending files of its own.)
        leftovers = set(pending_files_on(drives)) & left_by_the_cut
        if leftovers:
            return ["pending chunk files left by the cut still there after the start: %s" % sorted(leftovers)]
        if len(drives) < DRIVES:
            # A drive was declared lost before the cut (or the declaration
            # was in flight, which the operator repeats): the rebuild is
            # declared (again if need be) and runs to its end.
            lost_id = self.lost_id
            if self.rebuild_state(lost_id) is None:
                if declared:
                    return ["the rebuild of drive %s was acknowledged, but shoald does not know it" % lost_id]
                self.admin("rebuild", lost_id)
            self.wait_rebuilt(lost_id)
        observed = observe(s3)
        said = differences(observed, before)
        matched = before
        if said and afters:
            said_after = []
            for n, after in enumerate(afters, 1):
                said_after.append(differences(observed, after))
                if not said_after[-1]:
                    said, matched = [], after
                    break
            else:
                said = ["neither the state before %r nor one it may have made:" % self.ops[in_flight].name] + \
                    ["before: " + s for s in said] + \
                    ["after%s: %s" % (" step %d" % n if len(afters) > 1 else "", s)
                     for n, diff in enumerate(said_after, 1) for s in diff]
        if said:
            return said
        failures = []
        # Chunk files: exactly what the objects and open uploads need.
        need = matched.pieces(len(drives))
        found = collections.Counter(self.owner(p) for p in chunk_files_on(drives))
        repairing = in_flight is not None and self.ops[in_flight].name in (
            "remove a data fragment of plain/ec", "read plain/ec and repair it")
        for bk in sorted(set(need) | set(found)):
            allowed = {need.get(bk, 0)}
            if repairing and bk == ("plain", "ec"):
                allowed.add(need[bk] - 1)  # the fragment removed, its repair not committed yet
            if bk[0] is None:
                failures.append(bk[1])
            elif found.get(bk, 0) not in allowed:
                failures.append("%s/%s: %d chunk files, expected %s" % (bk[0], bk[1], found.get(bk, 0),
                                                                        sorted(allowed)))
        # Every version shown reads back whole, with the content the client
        # sent (differences() matched them by ETag and size).
        for (bucket, key), shown in observed[1].items():
            for vid, marker, size, etag, _latest in shown:
                if marker:
                    continue
                sent = [v for v in matched.objects[(bucket, key)] if not v.marker and v.etag == etag]
                try:
                    extra = {"VersionId": vid} if matched.buckets[bucket] else {}
                    body = s3.get_object(Bucket=bucket, Key=key, **extra)["Body"].read()
                except (botocore.exceptions.ClientError, botocore.exceptions.BotoCoreError) as e:
                    failures.append("%s/%s version %s (%d bytes): unreadable: %s" % (bucket, key, vid, size, e))
                    continue
                if body != sent[0].data:
                    failures.append("%s/%s version %s: reads back %d other bytes" % (bucket, key, vid, len(body)))
        return failures

    @staticmethod
    def owner(path):
        """(bucket, key) a chunk file's header names, or a mention of the
        damaged file."""
        try:
            return chunk_owner(path)[:2]
        except (struct.error, UnicodeDecodeError) as e:
            return (None, "a damaged chunk file %s (%s)" % (path, e))

    def plan(self, records, points, seed):
        """{cut: [variants]}: the states to check. At the end of each
        recorded run (just before it was stopped, everything acknowledged):
        lost, kept, and each unsynced entry change alone lost ("drop:each",
        expanded at the cut) or, with --long, alone kept; with --long, every
        sync point in every variant; else a seeded sample of sync points,
        spread over the log."""
        plan = collections.defaultdict(list)
        for r in records:
            if r.type == power_cut_log.MARK and json.loads(r.data).get("stop"):
                # Each change alone lost (the usual case after a cut: most
                # of what was written got there); alone kept too with --long.
                # Under ASan (slower) this exploration is left to the host
                # build: ASan's part is shoald's memory on the states.
                plan[r.index] += ["lost", "kept"] + (["drop:each", "only:each"] if ARGS.long else
                                                     [] if ARGS.sanitized else ["drop:each"])
        rng = random.Random(seed)
        if ARGS.long:
            for cut in points:
                plan[cut] += list(power_cut_state.VARIANTS)
        else:
            sample = min(ARGS.sample, len(points))
            for i in range(sample):
                stretch = points[i * len(points) // sample:(i + 1) * len(points) // sample]
                plan[rng.choice(stretch)].append(rng.choice(("lost", "torn", "some", "lost", "torn")))
        return plan

    def test_power_cuts(self):
        started = time.monotonic()
        self.record_workload()
        recorded = time.monotonic() - started
        records = power_cut_log.read_log(self.log_path)
        points = power_cut_state.sync_points(records) + [len(records)]
        seed = ARGS.seed if ARGS.seed is not None else random.randrange(1 << 30)
        plan = self.plan(records, points, seed)
        print("recorded %d records (%d sync points, %d operations) in %.1f s; checking %d cut points (seed %d)"
              % (len(records), len(points) - 1, len(self.ops), recorded, len(plan), seed))
        failed = []
        tried = collections.Counter()
        for cut, model, marks in power_cut_state.replay(records, sorted(plan)):
            variants = []
            for variant in plan[cut]:
                if variant.endswith(":each"):
                    variants += ["%s:%d" % (variant.split(":")[0], n) for n in model.unsynced_entry_changes()]
                else:
                    variants.append(variant)
            for variant in variants:
                state_seed = (seed * 1_000_003 + cut) % (1 << 31)
                failures = self.check_cut(cut, model, marks, variant, state_seed)
                tried[variant.split(":")[0]] += 1
                if failures:
                    failed.append((cut, variant, state_seed, failures))
                    where = power_cut_log.describe(records[cut]) if cut < len(records) else "the end of the log"
                    print("FAILED: cut before %s, variant %s (seed %d), last mark %s:\n  %s"
                          % (where, variant, state_seed, marks[-1] if marks else "-", "\n  ".join(failures)))
        elapsed = time.monotonic() - started
        print("power cuts: %d cut points of %d sync points, %d states checked %s, %d failed; %.1f s in all (%s)"
              % (len(plan), len(points) - 1, sum(tried.values()), dict(tried), len(failed), elapsed,
                 ", ".join("%s %.1f s" % kv for kv in self.timings.items())))
        if failed:
            kept = "/tmp/shoal-power-cut-%d.log" % os.getpid()
            shutil.copy(self.log_path, kept)
            script = os.path.join(os.path.dirname(os.path.abspath(__file__)), "power_cut_state.py")
            print("log kept as %s; rebuild a failing state with:\n%s" % (kept, "\n".join(
                "  %s %s %s --cut %d --variant %s --seed %d" % (sys.executable, script, kept, cut, variant, s)
                for cut, variant, s, _ in failed[:5])))
        self.assertEqual([(cut, variant) for cut, variant, _s, _f in failed], [], "states that failed their checks")


def main():
    def options(parser):
        parser.add_argument("--record-shim", default="")
        parser.add_argument("--long", action="store_true", default=os.environ.get("SHOAL_POWER_CUT_LONG") == "1",
                            help="every sync point, every variant (SHOAL_POWER_CUT_LONG=1)")
        parser.add_argument("--sample", type=int, default=int(os.environ.get("SHOAL_POWER_CUT_SAMPLE", "60")),
                            help="cut points checked without --long (SHOAL_POWER_CUT_SAMPLE)")
        seed = os.environ.get("SHOAL_POWER_CUT_SEED")
        parser.add_argument("--seed", type=int, default=int(seed) if seed else None)
    main_with_workdir(globals(), "shoal-power-cut-", options)


if __name__ == "__main__":
    main()
