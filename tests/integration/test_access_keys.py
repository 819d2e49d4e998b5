#!/usr/bin/python3
"""Access keys and grants, with a real shoald, boto3 and the `shoald key`
command:
  - keys are created, listed, disabled, enabled and deleted with the CLI; a
    new key's secret is printed once and stored only sealed (not in clear in
    the metadata file, nor in the log);
  - every S3 operation against a key without the grant it needs is refused
    with AccessDenied and changes nothing (objects, versions, tags, uploads,
    parts, the bucket's versioning, the chunk files on disk);
  - read, write and owner grants allow exactly their operations; a copy needs
    read on its source;
  - a key sees only its buckets in ListBuckets; a key allowed to create
    buckets owns what it creates; grants die with their bucket;
  - a public-read bucket serves anonymous GET and HEAD of its objects, and
    nothing else;
  - the administration is root's alone.
"""
import os
import re
import stat
import unittest
import urllib.error
import urllib.request

import botocore

from shoald_process import (Daemon, ROOT_PASSWORD, ROOT_USER, chunk_files_on, clean_env, main_with_workdir, pattern,
                            s3_client, shoald_admin, stop_cleanly)

ARGS = None
BUCKET = "owned"
SECRET_BUCKET = "private"
PART = 5 << 20


class AccessKeys(unittest.TestCase):
    @classmethod
    def setUpClass(cls):
        cls.workdir = os.path.join(ARGS.workdir, "keys")
        cls.drive = os.path.join(cls.workdir, "d1")
        cls.start()
        root = cls.root
        root.create_bucket(Bucket=BUCKET)
        root.create_bucket(Bucket=SECRET_BUCKET)
        root.put_object(Bucket=BUCKET, Key="kept", Body=pattern(300 << 10, "kept"), Tagging="a=1")
        root.put_object(Bucket=SECRET_BUCKET, Key="hidden", Body=b"not for writers")
        upload = root.create_multipart_upload(Bucket=BUCKET, Key="assembling")
        cls.upload_id = upload["UploadId"]
        root.upload_part(Bucket=BUCKET, Key="assembling", UploadId=cls.upload_id, PartNumber=1,
                         Body=pattern(PART, "part1"))
        cls.keys = {}
        for name, flags in (("nobody", ()), ("reader", ()), ("writer", ()), ("owner", ()),
                            ("creator", ("--create-buckets",))):
            cls.keys[name] = cls.create_key(name, *flags)
        cls.grant("reader", BUCKET, "read")
        cls.grant("writer", BUCKET, "read,write")
        cls.grant("owner", BUCKET, "owner")

    @classmethod
    def start(cls):
        env = clean_env(SHOAL_ROOT_USER=ROOT_USER, SHOAL_ROOT_PASSWORD=ROOT_PASSWORD)
        cls.daemon = Daemon(ARGS.shoald, ARGS.emulator, drives=[cls.drive], env=env, data_dir=cls.workdir)
        cls.daemon.wait_listening()
        cls.root = s3_client(cls.daemon.endpoint)

    @classmethod
    def tearDownClass(cls):
        stop_cleanly(cls.daemon)

    @classmethod
    def key_cli(cls, *args):
        return shoald_admin(cls.daemon, "key", *args)

    @classmethod
    def create_key(cls, name, *flags):
        code, out = cls.key_cli("create", name, *flags)
        assert code == 0, out
        access = re.search(r"^(SK[A-Z0-9]{18})\s", out, re.M).group(1)
        secret = re.search(r"^secret key: (\S+)$", out, re.M).group(1)
        return access, secret

    @classmethod
    def grant(cls, name, bucket, permissions):
        code, out = cls.key_cli("allow", cls.keys[name][0], bucket, permissions)
        assert code == 0, out

    def client(self, name):
        access, secret = self.keys[name]
        return s3_client(self.daemon.endpoint, access_key=access, secret_key=secret)

    def assert_refused(self, call, code="AccessDenied"):
        with self.assertRaises(botocore.exceptions.ClientError) as raised:
            call()
        error = raised.exception.response["Error"]["Code"]
        # HEAD answers carry no body: botocore reports the bare status.
        self.assertIn(error, (code, "403") if code == "AccessDenied" else (code,), raised.exception)

    def state(self):
        """Everything an operation could change, as root sees it."""
        root = self.root
        versions = root.list_object_versions(Bucket=BUCKET)
        uploads = root.list_multipart_uploads(Bucket=BUCKET).get("Uploads", [])
        return {
            "buckets": sorted(b["Name"] for b in root.list_buckets()["Buckets"]),
            "versions": sorted((v["Key"], v["VersionId"], v["ETag"]) for v in versions.get("Versions", [])),
            "markers": len(versions.get("DeleteMarkers", [])),
            "tags": root.get_object_tagging(Bucket=BUCKET, Key="kept")["TagSet"],
            "uploads": sorted(u["UploadId"] for u in uploads),
            "parts": [p["ETag"] for p in root.list_parts(Bucket=BUCKET, Key="assembling",
                                                         UploadId=self.upload_id).get("Parts", [])],
            "versioning": root.get_bucket_versioning(Bucket=BUCKET).get("Status"),
            "chunks": sorted(chunk_files_on([self.drive])),
        }

    def operations(self, s3):
        """(name, permission needed on BUCKET, call) for every S3 operation."""
        b, up = BUCKET, self.upload_id
        return [
            ("HeadBucket", "read", lambda: s3.head_bucket(Bucket=b)),
            ("GetBucketLocation", "read", lambda: s3.get_bucket_location(Bucket=b)),
            ("GetBucketVersioning", "read", lambda: s3.get_bucket_versioning(Bucket=b)),
            ("ListObjects", "read", lambda: s3.list_objects(Bucket=b)),
            ("ListObjectsV2", "read", lambda: s3.list_objects_v2(Bucket=b)),
            ("ListObjectVersions", "read", lambda: s3.list_object_versions(Bucket=b)),
            ("ListMultipartUploads", "read", lambda: s3.list_multipart_uploads(Bucket=b)),
            ("ListParts", "read", lambda: s3.list_parts(Bucket=b, Key="assembling", UploadId=up)),
            ("GetObject", "read", lambda: s3.get_object(Bucket=b, Key="kept")["Body"].read()),
            ("HeadObject", "read", lambda: s3.head_object(Bucket=b, Key="kept")),
            ("GetObjectTagging", "read", lambda: s3.get_object_tagging(Bucket=b, Key="kept")),
            ("PutObject", "write", lambda: s3.put_object(Bucket=b, Key="kept", Body=pattern(200 << 10, "new"))),
            ("CopyObject", "write", lambda: s3.copy_object(Bucket=b, Key="copy",
                                                           CopySource={"Bucket": b, "Key": "kept"})),
            ("DeleteObject", "write", lambda: s3.delete_object(Bucket=b, Key="kept")),
            ("DeleteObjects", "write", lambda: s3.delete_objects(Bucket=b, Delete={"Objects": [{"Key": "kept"}]})),
            ("PutObjectTagging", "write", lambda: s3.put_object_tagging(
                Bucket=b, Key="kept", Tagging={"TagSet": [{"Key": "b", "Value": "2"}]})),
            ("DeleteObjectTagging", "write", lambda: s3.delete_object_tagging(Bucket=b, Key="kept")),
            ("CreateMultipartUpload", "write", lambda: s3.create_multipart_upload(Bucket=b, Key="another")),
            ("UploadPart", "write", lambda: s3.upload_part(Bucket=b, Key="assembling", UploadId=up, PartNumber=2,
                                                           Body=b"x" * 1000)),
            ("UploadPartCopy", "write", lambda: s3.upload_part_copy(
                Bucket=b, Key="assembling", UploadId=up, PartNumber=3, CopySource={"Bucket": b, "Key": "kept"})),
            ("CompleteMultipartUpload", "write", lambda: s3.complete_multipart_upload(
                Bucket=b, Key="assembling", UploadId=up, MultipartUpload={"Parts": [{"PartNumber": 1, "ETag": "x"}]})),
            ("AbortMultipartUpload", "write", lambda: s3.abort_multipart_upload(Bucket=b, Key="assembling",
                                                                                 UploadId=up)),
            ("PutBucketVersioning", "owner", lambda: s3.put_bucket_versioning(
                Bucket=b, VersioningConfiguration={"Status": "Enabled"})),
            ("DeleteBucket", "owner", lambda: s3.delete_bucket(Bucket=b)),
        ]

    def test_1_the_cli_lists_keys_and_grants(self):
        code, out = self.key_cli("list")
        self.assertEqual(code, 0, out)
        for name, (access, _secret) in self.keys.items():
            self.assertIn(access, out)
            self.assertIn(name, out)
        code, out = self.key_cli("info", self.keys["writer"][0])
        self.assertEqual(code, 0, out)
        self.assertIn("%s: read,write" % BUCKET, out)
        self.assertNotIn(self.keys["writer"][1], out)  # the secret is never shown again
        code, out = self.key_cli("info", "SKNOSUCHKEY000000000")
        self.assertEqual(code, 1)
        self.assertIn("NoSuchAccessKey", out)
        code, out = self.key_cli("allow", self.keys["reader"][0], BUCKET, "read,fly")
        self.assertEqual(code, 1)
        self.assertIn("InvalidArgument", out)

    def test_2_a_key_sees_only_its_buckets(self):
        self.assertEqual(self.client("nobody").list_buckets()["Buckets"], [])
        self.assertEqual([b["Name"] for b in self.client("reader").list_buckets()["Buckets"]], [BUCKET])
        self.assertEqual(sorted(b["Name"] for b in self.root.list_buckets()["Buckets"]), [BUCKET, SECRET_BUCKET])

    def test_3_every_operation_without_its_grant_is_refused_and_changes_nothing(self):
        before = self.state()
        for who, held in (("nobody", set()), ("reader", {"read"}), ("writer", {"read", "write"}),
                          ("owner", {"owner"})):
            s3 = self.client(who)
            for name, needed, call in self.operations(s3):
                if needed in held:
                    continue
                with self.subTest(key=who, operation=name):
                    self.assert_refused(call)
            with self.subTest(key=who, operation="CreateBucket"):
                self.assert_refused(lambda: s3.create_bucket(Bucket="not-allowed-%s" % who))
        self.assertEqual(self.state(), before)

    def test_4_grants_allow_their_operations(self):
        reader, writer, owner = self.client("reader"), self.client("writer"), self.client("owner")
        for name, needed, call in self.operations(reader):
            if needed == "read":
                with self.subTest(operation=name):
                    call()
        body = pattern(100 << 10, "by-writer")
        writer.put_object(Bucket=BUCKET, Key="from-writer", Body=body)
        self.assertEqual(reader.get_object(Bucket=BUCKET, Key="from-writer")["Body"].read(), body)
        writer.copy_object(Bucket=BUCKET, Key="copied", CopySource={"Bucket": BUCKET, "Key": "from-writer"})
        # A copy needs read on its source too: the writer holds nothing on the other bucket.
        self.assert_refused(lambda: writer.copy_object(Bucket=BUCKET, Key="stolen",
                                                       CopySource={"Bucket": SECRET_BUCKET, "Key": "hidden"}))
        self.assert_refused(lambda: writer.upload_part_copy(
            Bucket=BUCKET, Key="assembling", UploadId=self.upload_id, PartNumber=4,
            CopySource={"Bucket": SECRET_BUCKET, "Key": "hidden"}))
        writer.delete_objects(Bucket=BUCKET, Delete={"Objects": [{"Key": "from-writer"}, {"Key": "copied"}]})
        owner.put_bucket_versioning(Bucket=BUCKET, VersioningConfiguration={"Status": "Suspended"})
        self.assertEqual(self.root.get_bucket_versioning(Bucket=BUCKET)["Status"], "Suspended")
        # Owner alone is not read: the bucket's objects stay closed to it.
        self.assert_refused(lambda: owner.get_object(Bucket=BUCKET, Key="kept"))

    def test_5_a_creator_owns_its_buckets_and_grants_die_with_them(self):
        creator = self.client("creator")
        creator.create_bucket(Bucket="made")
        self.assertEqual([b["Name"] for b in creator.list_buckets()["Buckets"]], ["made"])
        creator.put_object(Bucket="made", Key="x", Body=b"mine")
        self.assertEqual(creator.get_object(Bucket="made", Key="x")["Body"].read(), b"mine")
        code, out = self.key_cli("info", self.keys["creator"][0])
        self.assertIn("made: read,write,owner", out)
        self.assert_refused(lambda: creator.create_bucket(Bucket=BUCKET), code="BucketAlreadyExists")
        self.assert_refused(lambda: creator.create_bucket(Bucket="made"), code="BucketAlreadyOwnedByYou")
        # Another key learns nothing of it.
        self.assert_refused(lambda: self.client("reader").head_bucket(Bucket="made"))
        creator.delete_object(Bucket="made", Key="x")
        creator.delete_bucket(Bucket="made")
        code, out = self.key_cli("info", self.keys["creator"][0])
        self.assertNotIn("made:", out)
        # The same name again is a new bucket: root's, and nobody else's.
        self.root.create_bucket(Bucket="made")
        self.assert_refused(lambda: creator.list_objects_v2(Bucket="made"))
        self.root.delete_bucket(Bucket="made")
        code, out = self.key_cli("create-buckets", self.keys["creator"][0], "off")
        self.assertEqual(code, 0, out)
        self.assert_refused(lambda: creator.create_bucket(Bucket="made-again"))

    def test_6_disabled_and_deleted_keys_sign_nothing(self):
        name = "short-lived"
        self.keys[name] = self.create_key(name)
        self.grant(name, BUCKET, "read")
        s3 = self.client(name)
        s3.head_object(Bucket=BUCKET, Key="kept")
        code, out = self.key_cli("disable", self.keys[name][0])
        self.assertEqual(code, 0, out)
        self.assertIn("disabled", out)
        self.assert_refused(lambda: s3.list_objects_v2(Bucket=BUCKET), code="InvalidAccessKeyId")
        self.assertEqual(self.key_cli("enable", self.keys[name][0])[0], 0)
        s3.list_objects_v2(Bucket=BUCKET)
        self.assertEqual(self.key_cli("delete", self.keys[name][0])[0], 0)
        self.assert_refused(lambda: s3.list_objects_v2(Bucket=BUCKET), code="InvalidAccessKeyId")
        del self.keys[name]
        # Only root administers: a key's own signature is refused there.
        env = clean_env(SHOAL_ROOT_USER=self.keys["writer"][0], SHOAL_ROOT_PASSWORD=self.keys["writer"][1])
        import subprocess
        done = subprocess.run(self.daemon.command("key", "list", "--endpoint", self.daemon.endpoint), env=env,
                              capture_output=True, timeout=120)
        self.assertEqual(done.returncode, 1)
        self.assertIn(b"AccessDenied", done.stderr)

    def anonymous(self, method, path, body=None):
        request = urllib.request.Request(self.daemon.endpoint + path, method=method, data=body)
        try:
            with urllib.request.urlopen(request, timeout=30) as answer:
                return answer.status, answer.read()
        except urllib.error.HTTPError as e:
            return e.code, e.read()

    def test_7_public_read_serves_anonymous_get_and_head_only(self):
        body = self.root.get_object(Bucket=BUCKET, Key="kept")["Body"].read()
        status, text = self.anonymous("GET", "/%s/kept" % BUCKET)
        self.assertEqual(status, 403)
        self.assertIn(b"AccessDenied", text)
        code, out = shoald_admin(self.daemon, "public-read", BUCKET, "on")
        self.assertEqual(code, 0, out)
        self.assertIn("public-read on", out)
        self.assertEqual(self.anonymous("GET", "/%s/kept" % BUCKET), (200, body))
        self.assertEqual(self.anonymous("HEAD", "/%s/kept" % BUCKET)[0], 200)
        self.assertEqual(self.anonymous("GET", "/%s/absent" % BUCKET)[0], 404)
        before = self.state()
        self.assertEqual(self.anonymous("PUT", "/%s/kept" % BUCKET, b"vandal")[0], 403)
        self.assertEqual(self.anonymous("DELETE", "/%s/kept" % BUCKET)[0], 403)
        self.assertEqual(self.anonymous("GET", "/%s?list-type=2" % BUCKET)[0], 403)
        self.assertEqual(self.anonymous("GET", "/%s/hidden" % SECRET_BUCKET)[0], 403)
        self.assertEqual(self.anonymous("GET", "/")[0], 403)
        self.assertEqual(self.state(), before)
        code, out = shoald_admin(self.daemon, "public-read", BUCKET, "off")
        self.assertEqual(code, 0, out)
        self.assertEqual(self.anonymous("GET", "/%s/kept" % BUCKET)[0], 403)

    def test_8_secrets_are_stored_sealed_and_keys_survive_a_restart(self):
        meta = os.path.join(self.drive, "meta")
        sealing = os.path.join(meta, "keys.seal")
        self.assertEqual(stat.S_IMODE(os.stat(sealing).st_mode), 0o600)
        self.assertEqual(os.path.getsize(sealing), 32)
        with open(os.path.join(meta, "data.mdb"), "rb") as f:
            database = f.read()
        log = self.daemon.log()
        for access, secret in self.keys.values():
            self.assertIn(access.encode(), database)  # the id is there...
            self.assertNotIn(secret.encode(), database)  # ...its secret is not
            self.assertNotIn(secret, log)
        type(self).daemon.stop()
        self.daemon.close()
        type(self).start()
        reader = self.client("reader")
        self.assertEqual(len(reader.get_object(Bucket=BUCKET, Key="kept")["Body"].read()), 300 << 10)
        self.assert_refused(lambda: self.client("nobody").get_object(Bucket=BUCKET, Key="kept"))


def main():
    main_with_workdir(globals(), "shoald-keys-")


if __name__ == "__main__":
    main()
