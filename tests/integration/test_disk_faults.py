#!/usr/bin/python3
"""Disk faults under a running shoald (a full data drive is test_full_drive.py):

  - the metadata directory fills up (a small tmpfs): PUTs fail with 507 whose
    log line names the directory and the cause, reads keep working, nothing
    acknowledged is lost, and shoald restarts intact once space is freed;
  - a data drive is remounted read-only: writes go to the other drives or fail
    with 503 whose log line names the drive, reads keep working;
  - the metadata directory turns read-only, or a data drive or the metadata
    directory returns EIO: errors are logged naming the directory (clients
    get a generic message and the request id), metadata is never
    corrupted, and once the fault is gone (and shoald restarted) every
    acknowledged object reads back. These use the LD_PRELOAD fault shim
    (tests/faults/fault_shim.c), built for host presets only.

Needs root (tmpfs mounts)."""
import os
import shlex
import subprocess
import time
import unittest

from shoald_process import (Daemon, ROOT_PASSWORD, ROOT_USER, chunk_files_on, chunk_owner, clean_env, failure_detail,
                           main_with_workdir, pattern, pending_files_on, s3_client, stop_cleanly, wait_until)

ARGS = None
CHUNK = 64 << 10
INLINE = 4096
BUCKET = "faults"


def chunks_of(size):
    return 0 if size <= INLINE else (size + CHUNK - 1) // CHUNK




class FaultCase(unittest.TestCase):
    """One daemon per test, on its own drives and metadata directory, and
    the objects it acknowledged (key -> body)."""
    policy = "SINGLE"
    drive_names = ("d0", "d1")

    def setUp(self):
        self.root = os.path.join(ARGS.workdir, self.id().rsplit(".", 1)[1])
        self.drives = [os.path.join(self.root, d) for d in self.drive_names]
        self.meta = os.path.join(self.root, "meta")
        for d in self.drives + [self.meta]:
            os.makedirs(d)
        self.mounts = []
        self.control = os.path.join(self.root, "faults")  # the shim's control file
        self.acked = {}
        self.daemon = None

    def tearDown(self):
        try:
            if getattr(self, "s3", None) is not None:
                self.s3.close()
            if self.daemon is not None:
                self.daemon.close()
        finally:
            for m in reversed(self.mounts):
                subprocess.run(["umount", "-l", m], check=False)

    def mount_tmpfs(self, path, size):
        subprocess.run(["mount", "-t", "tmpfs", "-o", "size=%d" % size, "tmpfs", path], check=True)
        self.mounts.append(path)

    def start(self, shim=False):
        env = clean_env(SHOAL_ROOT_USER=ROOT_USER, SHOAL_ROOT_PASSWORD=ROOT_PASSWORD, SHOAL_STORAGE_REPAIR="off",
                        SHOAL_STORAGE_CHUNK_SIZE=str(CHUNK), SHOAL_STORAGE_INLINE_THRESHOLD=str(INLINE),
                        SHOAL_STORAGE_DEFAULT_POLICY=self.policy, SHOAL_STORAGE_METADATA_DIR=self.meta)
        if shim:
            env["LD_PRELOAD"] = ARGS.fault_shim
            env["SHOAL_FAULTS"] = self.control
            # The shim comes before ASan's runtime in the load order, which
            # ASan refuses unless told it is deliberate.
            env["ASAN_OPTIONS"] = ":".join(filter(None, [env.get("ASAN_OPTIONS"), "verify_asan_link_order=0"]))
        self.daemon = Daemon(ARGS.shoald, ARGS.emulator, drives=self.drives, env=env, data_dir=self.root)
        self.daemon.wait_listening()
        self.daemon.wait_for_line(r"orphan chunk collection done")
        self.s3 = s3_client(self.daemon.endpoint, attempts=0)

    def restart(self, shim=False):
        self.s3.close()
        stop_cleanly(self.daemon)
        self.daemon = None
        self.start(shim)

    def needs_shim(self):
        if ARGS.emulator:
            self.skipTest("the LD_PRELOAD fault shim is built for host presets only (under qemu-user it would be "
                          "preloaded into the emulator)")
        if not ARGS.fault_shim:
            self.skipTest("no fault shim given (--fault-shim)")

    def set_faults(self, *rules):
        """Replaces the shim's rules ("ERRNO PREFIX [OPS]") at once."""
        with open(self.control + ".new", "w") as f:
            f.write("".join(rule + "\n" for rule in rules))
        os.rename(self.control + ".new", self.control)

    def put(self, key, size, **extra):
        body = pattern(size, key)
        self.s3.put_object(Bucket=BUCKET, Key=key, Body=body, **extra)
        self.acked[key] = body

    def try_put(self, key, size):
        """PUTs; returns None if acknowledged, else (status, code, detail):
        the detail of an internal failure is in the log, under its request id
        (the client is told a generic message: failure_detail)."""
        try:
            self.put(key, size)
            return None
        except self.s3.exceptions.ClientError as e:
            return failure_detail(self.daemon, e)

    def assert_all_acked_read_back(self):
        for key, body in self.acked.items():
            got = self.s3.get_object(Bucket=BUCKET, Key=key)["Body"].read()
            self.assertEqual(got, body, "acknowledged object %s does not read back" % key)

    def assert_listing_is_acked(self, maybe=()):
        """The bucket lists the acknowledged objects, with their sizes, and
        nothing else (but objects in `maybe`: answered with an error whose
        commit may still have reached the disk)."""
        listed = {}
        for page in self.s3.get_paginator("list_objects_v2").paginate(Bucket=BUCKET):
            listed.update({o["Key"]: o["Size"] for o in page.get("Contents", [])})
        for key in maybe:
            listed.pop(key, None)
        self.assertEqual(listed, {k: len(v) for k, v in self.acked.items()})

    def assert_no_leaked_chunks(self):
        """Once the orphan collector ran, every chunk file on the drives
        belongs to a listed object, and every listed object has its chunks."""
        listed = {}
        for page in self.s3.get_paginator("list_objects_v2").paginate(Bucket=BUCKET):
            listed.update({o["Key"]: o["Size"] for o in page.get("Contents", [])})
        held = {}
        for path in chunk_files_on(self.drives):
            bucket, key, _version, _part, index = chunk_owner(path)
            self.assertIn(key, listed, "chunk file %s of %s/%s leaked" % (path, bucket, key))
            held.setdefault(key, set()).add(index)
        for key, size in listed.items():
            self.assertEqual(held.get(key, set()), set(range(chunks_of(size))), "chunks of %s" % key)
        self.assertEqual(pending_files_on(self.drives), [])

    def chunk_keys_on(self, drive):
        return {chunk_owner(path)[1] for path in chunk_files_on([drive])}


@unittest.skipIf(os.geteuid() != 0, "mounting a tmpfs needs root")
class MetadataDeviceFull(FaultCase):
    def test_full_metadata_device(self):
        self.mount_tmpfs(self.meta, 4 << 20)
        self.start()
        self.s3.create_bucket(Bucket=BUCKET)
        for i in range(20):
            self.put("before-%d" % i, 3000 if i % 2 else 3 * CHUNK + 11)
        # Fill the device, leaving no room for the database file to grow.
        vfs = os.statvfs(self.meta)
        filler = os.path.join(self.meta, "filler")
        with open(filler, "wb") as f:
            os.posix_fallocate(f.fileno(), 0, vfs.f_bavail * vfs.f_frsize)
        refused = []
        for i in range(400):
            failure = self.try_put("during-%d" % i, 3000 if i % 4 else 2 * CHUNK)
            if failure:
                refused.append(("during-%d" % i, failure))
                if len(refused) >= 5:
                    break
        self.assertTrue(refused, "PUTs kept succeeding on a full metadata device")
        for key, (status, code, message) in refused:
            self.assertEqual((status, code), (507, "InsufficientStorage"), message)
            self.assertIn("No space left on device", message)
            self.assertIn(self.meta, message)
        self.assertIn("metadata store full", self.daemon.log())
        # Reads (and listings) keep working; the refused writes left nothing.
        self.assert_all_acked_read_back()
        self.assert_listing_is_acked()
        self.assert_no_leaked_chunks()
        # Still full, a restart serves reads (and refuses writes alike).
        self.restart()
        self.assert_all_acked_read_back()
        self.assert_listing_is_acked()
        failure = self.try_put("still-full", 3000)
        self.assertIsNotNone(failure, "a PUT was acknowledged on a full metadata device")
        self.assertEqual(failure[:2], (507, "InsufficientStorage"), failure)
        # Room again: writes work again, and a restart finds everything.
        os.remove(filler)
        self.put("after", 2 * CHUNK + 1)
        self.restart()
        self.assert_all_acked_read_back()
        self.assert_listing_is_acked()
        self.assert_no_leaked_chunks()


@unittest.skipIf(os.geteuid() != 0, "mounting a tmpfs needs root")
class ReadOnlyDataDrive(FaultCase):
    drive_names = ("d0", "d1", "ro")

    def test_data_drive_remounted_read_only(self):
        ro = self.drives[2]
        self.mount_tmpfs(ro, 96 << 20)  # above the conscience's 64 MiB floor: it takes writes
        self.start()
        self.s3.create_bucket(Bucket=BUCKET)
        for i in range(40):
            self.put("before-%d" % i, 4 * CHUNK + 3)
            if len(chunk_files_on([ro])) >= 3:
                break
        self.assertGreaterEqual(len(chunk_files_on([ro])), 3, "no chunk landed on the drive to make read-only")
        # An idle drive holds no file open for writing: the remount succeeds.
        subprocess.run(["mount", "-o", "remount,ro", ro], check=True)
        failures = []
        for i in range(12):
            failure = self.try_put("during-%d" % i, 4 * CHUNK + 3)
            if failure:
                failures.append(failure)
        for status, code, message in failures:
            self.assertEqual((status, code), (503, "ServiceUnavailable"), message)
            self.assertIn(ro, message)
            self.assertIn("Read-only file system", message)
        # The drive is taken out of writes after its first failure.
        self.assertLessEqual(len(failures), 1, failures)
        self.assertTrue(any(k.startswith("during-") for k in self.acked))
        self.assertFalse([k for k in self.chunk_keys_on(ro) if k.startswith("during-")])
        self.assert_all_acked_read_back()  # including the chunks on the read-only drive
        self.assert_listing_is_acked()
        # A start refuses a drive it cannot write, naming it (the operator
        # repairs the drive or takes it out of storage.drives).
        self.s3.close()
        stop_cleanly(self.daemon)
        self.daemon = None
        env = clean_env(SHOAL_ROOT_USER=ROOT_USER, SHOAL_ROOT_PASSWORD=ROOT_PASSWORD,
                        SHOAL_STORAGE_METADATA_DIR=self.meta)
        refused = subprocess.run(shlex.split(ARGS.emulator) + [ARGS.shoald, "server", "--address", "127.0.0.1:0",
                                                               *self.drives], env=env, capture_output=True, timeout=60)
        self.assertEqual(refused.returncode, 1)
        self.assertIn(ro, refused.stderr.decode())
        subprocess.run(["mount", "-o", "remount,rw", ro], check=True)
        self.start()
        self.assert_all_acked_read_back()
        self.assert_listing_is_acked()
        self.assert_no_leaked_chunks()


@unittest.skipIf(os.geteuid() != 0, "mounting a tmpfs needs root")
class ShimFaults(FaultCase):
    """Faults injected by the LD_PRELOAD shim, switched on and off at run time."""
    drive_names = ("d0", "d1", "bad")

    def fill_before(self):
        self.s3.create_bucket(Bucket=BUCKET)
        for i in range(12):
            self.put("before-%d" % i, 3000 if i % 3 == 0 else 3 * CHUNK + 5)

    def check_metadata_fault(self, errno_name, message_part):
        self.needs_shim()
        self.start(shim=True)
        self.fill_before()
        self.set_faults("%s %s openw,write,sync,modify" % (errno_name, self.meta))
        refused = []
        for i in range(4):
            failure = self.try_put("during-%d" % i, 3000 if i % 2 else 2 * CHUNK)
            self.assertIsNotNone(failure, "a PUT was acknowledged with its metadata device failing")
            refused.append("during-%d" % i)
            status, code, message = failure
            self.assertEqual((status, code), (500, "InternalError"), message)
            self.assertIn(self.meta, message)
            self.assertIn(message_part, message)
        # Reads come from the database's map: unaffected.
        self.assert_all_acked_read_back()
        self.set_faults()
        self.put("after", 2 * CHUNK + 1)
        self.restart()
        self.assert_all_acked_read_back()
        self.assert_listing_is_acked(maybe=refused)
        self.assert_no_leaked_chunks()

    def test_metadata_directory_read_only(self):
        self.check_metadata_fault("EROFS", "Read-only file system")

    def test_metadata_device_eio(self):
        self.check_metadata_fault("EIO", "Input/output error")

    def test_data_drive_eio(self):
        self.needs_shim()
        self.policy = "TWOCOPIES"
        bad = self.drives[2]
        self.start(shim=True)
        self.fill_before()
        # One object whose only copy is on the failing drive.
        for i in range(30):
            key = "single-%d" % i
            self.put(key, CHUNK // 2, StorageClass="SINGLE")  # one chunk: the read fails before answering
            if key in self.chunk_keys_on(bad):
                break
            self.s3.delete_object(Bucket=BUCKET, Key=key)
            del self.acked[key]
        else:
            self.fail("no single-copy object landed on the drive to fail")
        self.set_faults("EIO %s" % bad)
        # Reads of two-copy objects come from the other copy.
        for key, body in self.acked.items():
            if not key.startswith("single-"):
                self.assertEqual(self.s3.get_object(Bucket=BUCKET, Key=key)["Body"].read(), body)
        # The single copy cannot be read: an error naming the drive.
        with self.assertRaises(self.s3.exceptions.ClientError) as caught:
            self.s3.get_object(Bucket=BUCKET, Key=key)["Body"].read()
        status, _code, message = failure_detail(self.daemon, caught.exception)
        self.assertEqual(status, 500, message)
        self.assertIn(bad, message)
        self.assertIn("Input/output error", message)
        # Writes go to the other drives, or fail naming the failing one.
        for i in range(8):
            failure = self.try_put("during-%d" % i, 3 * CHUNK + 5)
            if failure:
                self.assertEqual(failure[:2], (503, "ServiceUnavailable"), failure)
                self.assertIn(bad, failure[2])
        self.assertIn(bad, self.daemon.log())
        self.set_faults()
        self.restart(shim=True)
        self.assert_all_acked_read_back()
        self.assert_listing_is_acked()
        self.assert_no_leaked_chunks()


def main():
    main_with_workdir(globals(), "shoald-faults-", lambda parser: parser.add_argument(
        "--fault-shim", default="", help="the LD_PRELOAD fault shim (tests/faults/), host builds only"))


if __name__ == "__main__":
    main()
