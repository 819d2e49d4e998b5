#!/usr/bin/python3
"""Server-side copies (CopyObject, UploadPartCopy), object tagging and
GetObject partNumber on a real shoald, driven by boto3."""
import argparse
import base64
import datetime
import hashlib
import os
import sys
import tempfile
import threading
import time
import unittest

import botocore

from shoald_process import Daemon, run_suite, ROOT_PASSWORD, ROOT_USER, clean_env, s3_client
from test_s3_boto3 import error_code, signed_request
import test_s3_boto3

DAEMON = None
CHUNK_SIZE = 1 << 20  # small chunks so modest objects span several chunk files
MIN_PART = 256 << 10
LARGE = 200 << 20  # the streamed copy (smaller under emulation: see main())
RSS_HEADROOM = 64 << 20  # what a copy may add to shoald's resident memory, whatever its size


def client(**config):
    return s3_client(DAEMON.endpoint, read_timeout=300, **config)


def chunk_files():
    return DAEMON.chunk_files()


def status_of(ctx):
    return ctx.exception.response["ResponseMetadata"]["HTTPStatusCode"]


def rss_bytes(pid):
    with open("/proc/%d/status" % pid) as f:
        for line in f:
            if line.startswith("VmRSS:"):
                return int(line.split()[1]) * 1024
    return 0


class S3TestCase(unittest.TestCase):
    bucket_counter = 0

    def setUp(self):
        self.s3 = client()
        S3TestCase.bucket_counter += 1
        self.bucket = "cp-%s-%d" % (self._testMethodName.replace("_", "-")[5:30].strip("-"), S3TestCase.bucket_counter)
        self.s3.create_bucket(Bucket=self.bucket)

    def assert_missing(self, key, bucket=None):
        with self.assertRaises(botocore.exceptions.ClientError) as ctx:
            self.s3.head_object(Bucket=bucket or self.bucket, Key=key)
        self.assertEqual(status_of(ctx), 404)

    def error(self, call, **kwargs):
        with self.assertRaises(botocore.exceptions.ClientError) as ctx:
            call(**kwargs)
        return error_code(ctx)


class CopyObject(S3TestCase):
    def test_copy_keeps_metadata_tags_and_checksum(self):
        data = os.urandom(100000)
        put = self.s3.put_object(Bucket=self.bucket, Key="src", Body=data, ContentType="text/x-src",
                                 Metadata={"colour": "blue"}, CacheControl="max-age=5", Tagging="a=1&b=two%20words",
                                 ChecksumAlgorithm="SHA256")
        self.s3.create_bucket(Bucket=self.bucket + "-dst")
        # With COPY (the default) the request's own headers are ignored.
        done = self.s3.copy_object(Bucket=self.bucket + "-dst", Key="dst", CopySource={"Bucket": self.bucket,
                                                                                        "Key": "src"},
                                   ContentType="text/ignored", Metadata={"ignored": "yes"})
        self.assertEqual(done["CopyObjectResult"]["ETag"], put["ETag"])
        self.assertIsInstance(done["CopyObjectResult"]["LastModified"], datetime.datetime)
        self.assertEqual(done["CopyObjectResult"]["ChecksumSHA256"], base64.b64encode(hashlib.sha256(data).digest()).decode())
        self.assertNotIn("VersionId", done)
        self.assertNotIn("CopySourceVersionId", done)
        got = self.s3.get_object(Bucket=self.bucket + "-dst", Key="dst", ChecksumMode="ENABLED")
        self.assertEqual(got["Body"].read(), data)
        self.assertEqual(got["ContentType"], "text/x-src")
        self.assertEqual(got["Metadata"], {"colour": "blue"})
        self.assertEqual(got["CacheControl"], "max-age=5")
        self.assertEqual(got["ChecksumSHA256"], base64.b64encode(hashlib.sha256(data).digest()).decode())
        self.assertEqual(got["ResponseMetadata"]["HTTPHeaders"]["x-amz-tagging-count"], "2")
        tags = self.s3.get_object_tagging(Bucket=self.bucket + "-dst", Key="dst")["TagSet"]
        self.assertEqual(tags, [{"Key": "a", "Value": "1"}, {"Key": "b", "Value": "two words"}])

    def test_copy_replace_metadata_and_tags(self):
        self.s3.put_object(Bucket=self.bucket, Key="src", Body=b"payload", ContentType="text/old",
                           Metadata={"old": "1"}, Tagging="old=1")
        self.s3.copy_object(Bucket=self.bucket, Key="dst", CopySource="%s/src" % self.bucket,
                            MetadataDirective="REPLACE", ContentType="text/new", Metadata={"new": "2"},
                            TaggingDirective="REPLACE", Tagging="new=2&x=y", StorageClass="STANDARD_IA")
        got = self.s3.get_object(Bucket=self.bucket, Key="dst")
        self.assertEqual(got["Body"].read(), b"payload")
        self.assertEqual(got["ContentType"], "text/new")
        self.assertEqual(got["Metadata"], {"new": "2"})
        self.assertEqual(got["StorageClass"], "STANDARD_IA")
        self.assertEqual(self.s3.get_object_tagging(Bucket=self.bucket, Key="dst")["TagSet"],
                         [{"Key": "new", "Value": "2"}, {"Key": "x", "Value": "y"}])
        # REPLACE without headers: no metadata, no tags; the source is untouched.
        self.s3.copy_object(Bucket=self.bucket, Key="bare", CopySource="%s/src" % self.bucket,
                            MetadataDirective="REPLACE", TaggingDirective="REPLACE")
        bare = self.s3.head_object(Bucket=self.bucket, Key="bare")
        self.assertEqual(bare["ContentType"], "binary/octet-stream")
        self.assertEqual(bare["Metadata"], {})
        self.assertEqual(self.s3.get_object_tagging(Bucket=self.bucket, Key="bare")["TagSet"], [])
        self.assertEqual(self.s3.head_object(Bucket=self.bucket, Key="src")["Metadata"], {"old": "1"})
        self.assertEqual(self.error(self.s3.copy_object, Bucket=self.bucket, Key="x", CopySource="%s/src" % self.bucket,
                                    MetadataDirective="MERGE"), "InvalidArgument")
        self.assert_missing("x")

    def test_copy_onto_itself(self):
        put = self.s3.put_object(Bucket=self.bucket, Key="self", Body=b"same bytes", ContentType="text/a",
                                 Metadata={"v": "1"})
        with self.assertRaises(botocore.exceptions.ClientError) as ctx:
            self.s3.copy_object(Bucket=self.bucket, Key="self", CopySource={"Bucket": self.bucket, "Key": "self"})
        self.assertEqual(error_code(ctx), "InvalidRequest")
        self.assertIn("copy an object to itself", ctx.exception.response["Error"]["Message"])
        self.s3.copy_object(Bucket=self.bucket, Key="self", CopySource={"Bucket": self.bucket, "Key": "self"},
                            MetadataDirective="REPLACE", ContentType="text/b", Metadata={"v": "2"})
        got = self.s3.get_object(Bucket=self.bucket, Key="self")
        self.assertEqual(got["Body"].read(), b"same bytes")
        self.assertEqual(got["ETag"], put["ETag"])
        self.assertEqual((got["ContentType"], got["Metadata"]), ("text/b", {"v": "2"}))
        # A new storage class is a change too.
        self.s3.copy_object(Bucket=self.bucket, Key="self", CopySource={"Bucket": self.bucket, "Key": "self"},
                            StorageClass="STANDARD_IA")
        head = self.s3.head_object(Bucket=self.bucket, Key="self")
        self.assertEqual(head["StorageClass"], "STANDARD_IA")
        self.assertEqual(head["Metadata"], {"v": "2"})
        self.assertEqual(len(self.s3.list_objects_v2(Bucket=self.bucket)["Contents"]), 1)

    def test_copy_source_conditions(self):
        put = self.s3.put_object(Bucket=self.bucket, Key="src", Body=b"conditional")
        etag = put["ETag"]
        past = datetime.datetime.now(datetime.timezone.utc) - datetime.timedelta(days=1)
        future = datetime.datetime.now(datetime.timezone.utc) + datetime.timedelta(days=1)
        source = {"Bucket": self.bucket, "Key": "src"}
        holding = [{"CopySourceIfMatch": etag}, {"CopySourceIfNoneMatch": '"0000"'},
                   {"CopySourceIfModifiedSince": past}, {"CopySourceIfUnmodifiedSince": future},
                   # if-match true wins over if-unmodified-since false
                   {"CopySourceIfMatch": etag, "CopySourceIfUnmodifiedSince": past},
                   {"CopySourceIfNoneMatch": '"0000"', "CopySourceIfModifiedSince": future}]
        failing = [{"CopySourceIfMatch": '"0000"'}, {"CopySourceIfNoneMatch": etag},
                   {"CopySourceIfModifiedSince": future}, {"CopySourceIfUnmodifiedSince": past},
                   # if-none-match false fails even though if-modified-since holds
                   {"CopySourceIfNoneMatch": etag, "CopySourceIfModifiedSince": past},
                   {"CopySourceIfMatch": '"0000"', "CopySourceIfUnmodifiedSince": future}]
        for i, conditions in enumerate(holding):
            self.s3.copy_object(Bucket=self.bucket, Key="ok%d" % i, CopySource=source, **conditions)
            self.assertEqual(self.s3.get_object(Bucket=self.bucket, Key="ok%d" % i)["Body"].read(), b"conditional")
        for i, conditions in enumerate(failing):
            with self.assertRaises(botocore.exceptions.ClientError, msg=str(conditions)) as ctx:
                self.s3.copy_object(Bucket=self.bucket, Key="no%d" % i, CopySource=source, **conditions)
            self.assertEqual(error_code(ctx), "PreconditionFailed", conditions)
            self.assertEqual(status_of(ctx), 412)
            self.assert_missing("no%d" % i)

    def test_versioned_source_and_destination(self):
        b = self.bucket
        self.s3.put_bucket_versioning(Bucket=b, VersioningConfiguration={"Status": "Enabled"})
        v1 = self.s3.put_object(Bucket=b, Key="k", Body=b"one")["VersionId"]
        v2 = self.s3.put_object(Bucket=b, Key="k", Body=b"two")["VersionId"]
        done = self.s3.copy_object(Bucket=b, Key="copy", CopySource={"Bucket": b, "Key": "k", "VersionId": v1})
        self.assertEqual(done["CopySourceVersionId"], v1)
        self.assertIn("VersionId", done)
        self.assertEqual(self.s3.get_object(Bucket=b, Key="copy")["Body"].read(), b"one")
        self.assertEqual(self.s3.get_object(Bucket=b, Key="copy", VersionId=done["VersionId"])["Body"].read(), b"one")
        latest = self.s3.copy_object(Bucket=b, Key="copy", CopySource={"Bucket": b, "Key": "k"})
        self.assertEqual(latest["CopySourceVersionId"], v2)
        # Restoring an older version over the key is no self-copy.
        self.s3.copy_object(Bucket=b, Key="k", CopySource={"Bucket": b, "Key": "k", "VersionId": v1})
        self.assertEqual(self.s3.get_object(Bucket=b, Key="k")["Body"].read(), b"one")
        self.assertEqual(len(self.s3.list_object_versions(Bucket=b, Prefix="k")["Versions"]), 3)

        marker = self.s3.delete_object(Bucket=b, Key="k")["VersionId"]
        self.assertEqual(self.error(self.s3.copy_object, Bucket=b, Key="x", CopySource={"Bucket": b, "Key": "k"}),
                         "NoSuchKey")
        self.assertEqual(self.error(self.s3.copy_object, Bucket=b, Key="x",
                                    CopySource={"Bucket": b, "Key": "k", "VersionId": marker}), "InvalidRequest")
        self.assertEqual(self.error(self.s3.copy_object, Bucket=b, Key="x",
                                    CopySource={"Bucket": b, "Key": "k", "VersionId": "0000000000000001"}),
                         "NoSuchVersion")
        self.assertEqual(self.error(self.s3.copy_object, Bucket=b, Key="x",
                                    CopySource={"Bucket": b, "Key": "k", "VersionId": "bogus"}), "InvalidArgument")
        self.assert_missing("x")
        self.s3.copy_object(Bucket=b, Key="x", CopySource={"Bucket": b, "Key": "k", "VersionId": v2})
        self.assertEqual(self.s3.get_object(Bucket=b, Key="x")["Body"].read(), b"two")

    def test_multi_chunk_copy_has_its_own_chunks(self):
        data = os.urandom(3 * CHUNK_SIZE + CHUNK_SIZE // 2)
        self.s3.put_object(Bucket=self.bucket, Key="src", Body=data)
        before = len(chunk_files())
        done = self.s3.copy_object(Bucket=self.bucket, Key="dst", CopySource={"Bucket": self.bucket, "Key": "src"})
        self.assertEqual(done["CopyObjectResult"]["ETag"], '"%s"' % hashlib.md5(data).hexdigest())
        self.assertEqual(len(chunk_files()) - before, 4)
        self.s3.delete_object(Bucket=self.bucket, Key="src")
        self.assertEqual(len(chunk_files()) - before, 0)
        self.assertEqual(self.s3.get_object(Bucket=self.bucket, Key="dst")["Body"].read(), data)
        got = self.s3.get_object(Bucket=self.bucket, Key="dst", Range="bytes=%d-%d" % (CHUNK_SIZE - 3, CHUNK_SIZE + 3))
        self.assertEqual(got["Body"].read(), data[CHUNK_SIZE - 3:CHUNK_SIZE + 4])

    def test_copy_of_a_multipart_object_is_one_part(self):
        parts = [os.urandom(MIN_PART), os.urandom(1000)]
        upload = self.s3.create_multipart_upload(Bucket=self.bucket, Key="mp", ContentType="video/x")["UploadId"]
        etags = [self.s3.upload_part(Bucket=self.bucket, Key="mp", UploadId=upload, PartNumber=i + 1,
                                     Body=p)["ETag"] for i, p in enumerate(parts)]
        self.s3.complete_multipart_upload(Bucket=self.bucket, Key="mp", UploadId=upload, MultipartUpload={
            "Parts": [{"PartNumber": i + 1, "ETag": e} for i, e in enumerate(etags)]})
        done = self.s3.copy_object(Bucket=self.bucket, Key="flat", CopySource={"Bucket": self.bucket, "Key": "mp"})
        self.assertEqual(done["CopyObjectResult"]["ETag"], '"%s"' % hashlib.md5(b"".join(parts)).hexdigest())
        got = self.s3.get_object(Bucket=self.bucket, Key="flat")
        self.assertEqual(got["Body"].read(), b"".join(parts))
        self.assertEqual(got["ContentType"], "video/x")

    def test_keys_that_need_encoding(self):
        for key in ["a b+c", "ünï/cødé?x=1&y", "100%", "dir//double", "k" * 1024]:
            self.s3.put_object(Bucket=self.bucket, Key=key, Body=key.encode())
            self.s3.copy_object(Bucket=self.bucket, Key="copy/" + key[:1000],
                                CopySource={"Bucket": self.bucket, "Key": key})
            self.assertEqual(self.s3.get_object(Bucket=self.bucket, Key="copy/" + key[:1000])["Body"].read(),
                             key.encode(), key)

    def test_missing_or_malformed_sources_write_nothing(self):
        self.s3.put_object(Bucket=self.bucket, Key="src", Body=b"x")
        before = self.s3.list_objects_v2(Bucket=self.bucket)["KeyCount"]
        cases = [
            ({"Bucket": "no-such-bucket-here", "Key": "src"}, "NoSuchBucket"),
            ({"Bucket": self.bucket, "Key": "missing"}, "NoSuchKey"),
            ("%s" % self.bucket, "InvalidArgument"),          # no key
            ("%s/" % self.bucket, "InvalidArgument"),
            ("Not_A_Bucket/src", "InvalidBucketName"),
        ]
        for source, code in cases:
            self.assertEqual(self.error(self.s3.copy_object, Bucket=self.bucket, Key="dst", CopySource=source), code,
                             source)
        # botocore encodes what it is given: a malformed escape needs a raw header.
        for raw in ("/%s/bad%%zz" % self.bucket, "/%s/src?versionId=" % self.bucket, "/%s/" % self.bucket,
                    "/%s/src?partNumber=1" % self.bucket):
            status, answer = signed_request("PUT", "/%s/dst" % self.bucket, headers={"x-amz-copy-source": raw})
            self.assertEqual(status, 400, raw)
            self.assertIn(b"<Code>InvalidArgument</Code>", answer, raw)
        self.assertEqual(self.s3.list_objects_v2(Bucket=self.bucket)["KeyCount"], before)
        self.assertEqual(self.error(self.s3.copy_object, Bucket="no-such-destination", Key="dst",
                                    CopySource={"Bucket": self.bucket, "Key": "src"}), "NoSuchBucket")

    def test_source_deleted_during_the_copy(self):
        # A copy that found the source keeps its chunks (a read lease) until it
        # is done, so it completes whole; a copy that came after the delete is
        # NoSuchKey and leaves nothing behind: never a partial object. The
        # source's chunks go once no reader needs them.
        size = 48 * CHUNK_SIZE
        block = os.urandom(CHUNK_SIZE)
        data = b"".join(block[i:] + block[:i] for i in range(size // CHUNK_SIZE))
        outcomes = []
        for attempt, delay in enumerate((0.0, 0.05, 0.1, 0.2, 0.4, 2.0)):
            self.s3.put_object(Bucket=self.bucket, Key="src", Body=data)
            baseline = len(chunk_files())
            result = {}

            def copy():
                try:
                    client().copy_object(Bucket=self.bucket, Key="dst%d" % attempt,
                                         CopySource={"Bucket": self.bucket, "Key": "src"})
                    result["ok"] = True
                except botocore.exceptions.ClientError as e:
                    result["error"] = e.response["Error"]["Code"]
            copier = threading.Thread(target=copy)
            copier.start()
            time.sleep(delay)
            self.s3.delete_object(Bucket=self.bucket, Key="src")
            copier.join()
            if result.get("ok"):
                got = self.s3.get_object(Bucket=self.bucket, Key="dst%d" % attempt)["Body"].read()
                self.assertEqual(hashlib.sha256(got).digest(), hashlib.sha256(data).digest())
                self.s3.delete_object(Bucket=self.bucket, Key="dst%d" % attempt)
            else:
                self.assertEqual(result.get("error"), "NoSuchKey")
                self.assert_missing("dst%d" % attempt)
            # Nothing leaked (chunks a lease kept go on the blocking pool: wait a little).
            deadline = time.monotonic() + 30
            while len(chunk_files()) != baseline - size // CHUNK_SIZE and time.monotonic() < deadline:
                time.sleep(0.05)
            self.assertEqual(len(chunk_files()), baseline - size // CHUNK_SIZE)
            outcomes.append("copied" if result.get("ok") else result["error"])
        print("\nsource deleted during copies: %s" % outcomes, file=sys.stderr)

    def test_large_copy_streams_in_bounded_memory(self):
        with tempfile.TemporaryFile() as f:
            digest = hashlib.sha256()
            block = os.urandom(1 << 20)
            for i in range(LARGE >> 20):
                chunk = block[i:] + block[:i]  # every MiB different
                f.write(chunk)
                digest.update(chunk)
            f.seek(0)
            self.s3.put_object(Bucket=self.bucket, Key="large", Body=f)
        pid = DAEMON.proc.pid
        baseline = rss_bytes(pid)
        peak = [baseline]
        done = threading.Event()

        def sample():
            while not done.is_set():
                peak[0] = max(peak[0], rss_bytes(pid))
                time.sleep(0.01)
        sampler = threading.Thread(target=sample)
        sampler.start()
        try:
            started = time.monotonic()
            self.s3.copy_object(Bucket=self.bucket, Key="large-copy", CopySource={"Bucket": self.bucket,
                                                                                  "Key": "large"})
            elapsed = time.monotonic() - started
        finally:
            done.set()
            sampler.join()
        print("\n200 MiB copy: %.1f s, shoald RSS %d -> peak %d KiB" % (elapsed, baseline >> 10, peak[0] >> 10),
              file=sys.stderr)
        self.assertLess(peak[0] - baseline, RSS_HEADROOM)
        got = hashlib.sha256()
        body = self.s3.get_object(Bucket=self.bucket, Key="large-copy")["Body"]
        for piece in iter(lambda: body.read(1 << 20), b""):
            got.update(piece)
        self.assertEqual(got.hexdigest(), digest.hexdigest())
        self.s3.delete_object(Bucket=self.bucket, Key="large")
        self.s3.delete_object(Bucket=self.bucket, Key="large-copy")


class UploadPartCopy(S3TestCase):
    def test_ranges_build_a_multipart_object(self):
        source = os.urandom(3 * MIN_PART + 777)
        small = b"small source"
        self.s3.put_object(Bucket=self.bucket, Key="src", Body=source)
        self.s3.put_object(Bucket=self.bucket, Key="small", Body=small)
        upload = self.s3.create_multipart_upload(Bucket=self.bucket, Key="built")["UploadId"]
        first = self.s3.upload_part_copy(Bucket=self.bucket, Key="built", UploadId=upload, PartNumber=1,
                                         CopySource={"Bucket": self.bucket, "Key": "src"},
                                         CopySourceRange="bytes=%d-%d" % (MIN_PART, 3 * MIN_PART + 776))
        self.assertEqual(first["CopyPartResult"]["ETag"],
                         '"%s"' % hashlib.md5(source[MIN_PART:]).hexdigest())
        self.assertIsInstance(first["CopyPartResult"]["LastModified"], datetime.datetime)
        uploaded = self.s3.upload_part(Bucket=self.bucket, Key="built", UploadId=upload, PartNumber=2,
                                       Body=source[:MIN_PART])
        third = self.s3.upload_part_copy(Bucket=self.bucket, Key="built", UploadId=upload, PartNumber=3,
                                         CopySource="%s/small" % self.bucket)
        parts = self.s3.list_parts(Bucket=self.bucket, Key="built", UploadId=upload)["Parts"]
        self.assertEqual([(p["PartNumber"], p["Size"]) for p in parts],
                         [(1, len(source) - MIN_PART), (2, MIN_PART), (3, len(small))])
        self.s3.complete_multipart_upload(Bucket=self.bucket, Key="built", UploadId=upload, MultipartUpload={
            "Parts": [{"PartNumber": 1, "ETag": first["CopyPartResult"]["ETag"]},
                      {"PartNumber": 2, "ETag": uploaded["ETag"]},
                      {"PartNumber": 3, "ETag": third["CopyPartResult"]["ETag"]}]})
        expected = source[MIN_PART:] + source[:MIN_PART] + small
        self.assertEqual(self.s3.get_object(Bucket=self.bucket, Key="built")["Body"].read(), expected)

    def test_versioned_source_and_conditions(self):
        b = self.bucket
        self.s3.put_bucket_versioning(Bucket=b, VersioningConfiguration={"Status": "Enabled"})
        v1 = self.s3.put_object(Bucket=b, Key="k", Body=b"version one")
        self.s3.put_object(Bucket=b, Key="k", Body=b"version two")
        upload = self.s3.create_multipart_upload(Bucket=b, Key="t")["UploadId"]
        done = self.s3.upload_part_copy(Bucket=b, Key="t", UploadId=upload, PartNumber=1,
                                        CopySource={"Bucket": b, "Key": "k", "VersionId": v1["VersionId"]},
                                        CopySourceRange="bytes=8-10", CopySourceIfMatch=v1["ETag"])
        self.assertEqual(done["CopySourceVersionId"], v1["VersionId"])
        self.assertEqual(self.error(self.s3.upload_part_copy, Bucket=b, Key="t", UploadId=upload, PartNumber=2,
                                    CopySource={"Bucket": b, "Key": "k"}, CopySourceIfMatch=v1["ETag"]),
                         "PreconditionFailed")
        self.s3.complete_multipart_upload(Bucket=b, Key="t", UploadId=upload, MultipartUpload={
            "Parts": [{"PartNumber": 1, "ETag": done["CopyPartResult"]["ETag"]}]})
        self.assertEqual(self.s3.get_object(Bucket=b, Key="t")["Body"].read(), b"one")

    def test_errors_write_no_part(self):
        self.s3.put_object(Bucket=self.bucket, Key="src", Body=b"0123456789")
        upload = self.s3.create_multipart_upload(Bucket=self.bucket, Key="t")["UploadId"]
        source = {"Bucket": self.bucket, "Key": "src"}

        def part_copy(**kwargs):
            args = {"Bucket": self.bucket, "Key": "t", "UploadId": upload, "PartNumber": 1, "CopySource": source}
            args.update(kwargs)
            return self.error(self.s3.upload_part_copy, **args)
        before = len(chunk_files())
        self.assertEqual(part_copy(CopySourceRange="bytes=0-10"), "InvalidRange")
        self.assertEqual(part_copy(CopySourceRange="bytes=10-10"), "InvalidRange")
        self.assertEqual(part_copy(CopySourceRange="bytes=5-"), "InvalidArgument")
        self.assertEqual(part_copy(CopySourceRange="bytes=5-2"), "InvalidArgument")
        self.assertEqual(part_copy(CopySourceRange="0-2"), "InvalidArgument")
        self.assertEqual(part_copy(CopySource={"Bucket": self.bucket, "Key": "missing"}), "NoSuchKey")
        self.assertEqual(part_copy(CopySource="%s" % self.bucket), "InvalidArgument")
        self.assertEqual(part_copy(UploadId="0000000000000000ffffffffffffffff"), "NoSuchUpload")
        self.assertEqual(part_copy(PartNumber=10001), "InvalidArgument")
        self.assertEqual(part_copy(CopySourceIfNoneMatch="*"), "PreconditionFailed")
        self.assertNotIn("Parts", self.s3.list_parts(Bucket=self.bucket, Key="t", UploadId=upload))
        self.assertEqual(len(chunk_files()), before)
        self.s3.abort_multipart_upload(Bucket=self.bucket, Key="t", UploadId=upload)


class Tagging(S3TestCase):
    def test_put_get_delete(self):
        self.s3.put_object(Bucket=self.bucket, Key="k", Body=b"x", Tagging="from=header")
        self.assertEqual(self.s3.get_object_tagging(Bucket=self.bucket, Key="k")["TagSet"],
                         [{"Key": "from", "Value": "header"}])
        tags = [{"Key": "k%d" % i, "Value": "v %d & <%d>" % (i, i)} for i in range(10)]
        self.s3.put_object_tagging(Bucket=self.bucket, Key="k", Tagging={"TagSet": tags})
        self.assertEqual(self.s3.get_object_tagging(Bucket=self.bucket, Key="k")["TagSet"], tags)
        for call in (self.s3.get_object, self.s3.head_object):
            got = call(Bucket=self.bucket, Key="k")
            self.assertEqual(got["ResponseMetadata"]["HTTPHeaders"]["x-amz-tagging-count"], "10")
        deleted = self.s3.delete_object_tagging(Bucket=self.bucket, Key="k")
        self.assertEqual(deleted["ResponseMetadata"]["HTTPStatusCode"], 204)
        self.assertEqual(self.s3.get_object_tagging(Bucket=self.bucket, Key="k")["TagSet"], [])
        self.assertNotIn("x-amz-tagging-count", self.s3.head_object(Bucket=self.bucket, Key="k")
                         ["ResponseMetadata"]["HTTPHeaders"])
        self.assertEqual(self.s3.get_object(Bucket=self.bucket, Key="k")["Body"].read(), b"x")

    def test_limits_and_errors_change_nothing(self):
        self.s3.put_object(Bucket=self.bucket, Key="k", Body=b"x", Tagging="keep=1")

        def put(tags):
            return self.error(self.s3.put_object_tagging, Bucket=self.bucket, Key="k", Tagging={"TagSet": tags})
        self.assertEqual(put([{"Key": "k%d" % i, "Value": "v"} for i in range(11)]), "BadRequest")
        self.assertEqual(put([{"Key": "same", "Value": "1"}, {"Key": "same", "Value": "2"}]), "InvalidTag")
        self.assertEqual(put([{"Key": "k" * 129, "Value": "v"}]), "InvalidTag")
        self.assertEqual(put([{"Key": "k", "Value": "v" * 257}]), "InvalidTag")
        status, answer = signed_request("PUT", "/%s/k?tagging" % self.bucket,
                                        b"<Tagging><TagSet><Tag><Key></Key><Value>v</Value></Tag></TagSet></Tagging>")
        self.assertEqual(status, 400)
        self.assertIn(b"<Code>InvalidTag</Code>", answer)
        for body in (b"<Tagging><TagSet><Tag><Key>a</Key></Tag></TagSet></Tagging>", b"<Tagging>", b"not xml",
                     b"<Tagging/>"):
            status, answer = signed_request("PUT", "/%s/k?tagging" % self.bucket, body)
            self.assertEqual(status, 400, body)
            self.assertIn(b"<Code>MalformedXML</Code>", answer, body)
        body = b"<Tagging><TagSet><Tag><Key>a</Key><Value>b</Value></Tag></TagSet></Tagging>"
        for md5, code in ((base64.b64encode(hashlib.md5(b"other").digest()).decode(), b"BadDigest"),
                          ("bogus", b"InvalidDigest")):
            status, answer = signed_request("PUT", "/%s/k?tagging" % self.bucket, body, headers={"Content-MD5": md5})
            self.assertEqual(status, 400)
            self.assertIn(b"<Code>" + code + b"</Code>", answer)
        self.assertEqual(self.s3.get_object_tagging(Bucket=self.bucket, Key="k")["TagSet"],
                         [{"Key": "keep", "Value": "1"}])
        self.assertEqual(self.error(self.s3.get_object_tagging, Bucket=self.bucket, Key="missing"), "NoSuchKey")
        self.assertEqual(self.error(self.s3.put_object_tagging, Bucket=self.bucket, Key="missing",
                                    Tagging={"TagSet": []}), "NoSuchKey")
        self.assertEqual(self.error(self.s3.delete_object_tagging, Bucket=self.bucket, Key="missing"), "NoSuchKey")
        self.assertEqual(self.error(self.s3.get_object_tagging, Bucket="no-such-bucket-here", Key="k"),
                         "NoSuchBucket")
        self.assertEqual(self.error(self.s3.put_object, Bucket=self.bucket, Key="h", Body=b"x", Tagging="a=%zz"),
                         "InvalidTag")
        self.assertEqual(self.error(self.s3.put_object, Bucket=self.bucket, Key="h", Body=b"x", Tagging="a=1&a=2"),
                         "InvalidTag")
        self.assert_missing("h")

    def test_versions_keep_their_own_tags(self):
        b = self.bucket
        self.s3.put_bucket_versioning(Bucket=b, VersioningConfiguration={"Status": "Enabled"})
        v1 = self.s3.put_object(Bucket=b, Key="k", Body=b"1", Tagging="v=1")["VersionId"]
        v2 = self.s3.put_object(Bucket=b, Key="k", Body=b"2", Tagging="v=2")["VersionId"]
        put = self.s3.put_object_tagging(Bucket=b, Key="k", VersionId=v1, Tagging={"TagSet": [{"Key": "v",
                                                                                             "Value": "one"}]})
        self.assertEqual(put["VersionId"], v1)
        got = self.s3.get_object_tagging(Bucket=b, Key="k", VersionId=v1)
        self.assertEqual((got["VersionId"], got["TagSet"]), (v1, [{"Key": "v", "Value": "one"}]))
        got = self.s3.get_object_tagging(Bucket=b, Key="k")
        self.assertEqual((got["VersionId"], got["TagSet"]), (v2, [{"Key": "v", "Value": "2"}]))
        self.s3.delete_object_tagging(Bucket=b, Key="k")  # the newest
        self.assertEqual(self.s3.get_object_tagging(Bucket=b, Key="k", VersionId=v2)["TagSet"], [])
        versions = self.s3.list_object_versions(Bucket=b)["Versions"]
        self.assertEqual([v["VersionId"] for v in versions], [v2, v1])  # tags make no versions
        self.assertEqual(self.s3.get_object(Bucket=b, Key="k", VersionId=v1)["Body"].read(), b"1")

        marker = self.s3.delete_object(Bucket=b, Key="k")["VersionId"]
        self.assertEqual(self.error(self.s3.get_object_tagging, Bucket=b, Key="k"), "NoSuchKey")
        self.assertEqual(self.error(self.s3.put_object_tagging, Bucket=b, Key="k", Tagging={"TagSet": []}),
                         "NoSuchKey")
        self.assertEqual(self.error(self.s3.get_object_tagging, Bucket=b, Key="k", VersionId=marker),
                         "MethodNotAllowed")
        self.assertEqual(self.error(self.s3.get_object_tagging, Bucket=b, Key="k", VersionId="0000000000000001"),
                         "NoSuchVersion")
        self.assertEqual(self.s3.get_object_tagging(Bucket=b, Key="k", VersionId=v1)["TagSet"],
                         [{"Key": "v", "Value": "one"}])


class PartNumber(S3TestCase):
    def test_parts_of_a_multipart_object(self):
        parts = [os.urandom(MIN_PART + 11), os.urandom(MIN_PART + 2 * CHUNK_SIZE), os.urandom(999)]
        upload = self.s3.create_multipart_upload(Bucket=self.bucket, Key="mp")["UploadId"]
        etags = [self.s3.upload_part(Bucket=self.bucket, Key="mp", UploadId=upload, PartNumber=i + 1,
                                     Body=p)["ETag"] for i, p in enumerate(parts)]
        done = self.s3.complete_multipart_upload(Bucket=self.bucket, Key="mp", UploadId=upload, MultipartUpload={
            "Parts": [{"PartNumber": i + 1, "ETag": e} for i, e in enumerate(etags)]})
        total = sum(len(p) for p in parts)
        offset = 0
        for number, data in enumerate(parts, start=1):
            got = self.s3.get_object(Bucket=self.bucket, Key="mp", PartNumber=number)
            self.assertEqual(got["ResponseMetadata"]["HTTPStatusCode"], 206)
            self.assertEqual(got["Body"].read(), data)
            self.assertEqual(got["PartsCount"], 3)
            self.assertEqual(got["ETag"], done["ETag"])
            self.assertEqual(got["ContentRange"], "bytes %d-%d/%d" % (offset, offset + len(data) - 1, total))
            head = self.s3.head_object(Bucket=self.bucket, Key="mp", PartNumber=number)
            self.assertEqual((head["ContentLength"], head["PartsCount"]), (len(data), 3))
            offset += len(data)
        self.assertNotIn("PartsCount", self.s3.head_object(Bucket=self.bucket, Key="mp"))
        with self.assertRaises(botocore.exceptions.ClientError) as ctx:
            self.s3.get_object(Bucket=self.bucket, Key="mp", PartNumber=4)
        self.assertEqual((error_code(ctx), status_of(ctx)), ("InvalidPartNumber", 416))
        self.assertEqual(self.error(self.s3.get_object, Bucket=self.bucket, Key="mp", PartNumber=0), "InvalidArgument")
        self.assertEqual(self.error(self.s3.get_object, Bucket=self.bucket, Key="mp", PartNumber=1,
                                    Range="bytes=0-1"), "InvalidRequest")

    def test_a_simple_object_is_its_own_part_one(self):
        self.s3.put_object(Bucket=self.bucket, Key="simple", Body=b"0123456789")
        got = self.s3.get_object(Bucket=self.bucket, Key="simple", PartNumber=1)
        self.assertEqual(got["ResponseMetadata"]["HTTPStatusCode"], 206)
        self.assertEqual(got["Body"].read(), b"0123456789")
        self.assertEqual(got["ContentRange"], "bytes 0-9/10")
        self.assertNotIn("PartsCount", got)
        with self.assertRaises(botocore.exceptions.ClientError) as ctx:
            self.s3.head_object(Bucket=self.bucket, Key="simple", PartNumber=2)
        self.assertEqual(status_of(ctx), 416)


def main():
    global DAEMON, LARGE
    parser = argparse.ArgumentParser()
    parser.add_argument("--shoald", required=True)
    parser.add_argument("--emulator", default="")
    args, rest = parser.parse_known_args()
    env = clean_env(SHOAL_ROOT_USER=ROOT_USER, SHOAL_ROOT_PASSWORD=ROOT_PASSWORD,
                    SHOAL_STORAGE_CHUNK_SIZE=str(CHUNK_SIZE), SHOAL_S3_MIN_PART_SIZE=str(MIN_PART))
    if args.emulator:
        LARGE = 64 << 20  # qemu-user moves a few MB/s; the bound on memory is the same
    DAEMON = Daemon(args.shoald, args.emulator, env=env)
    test_s3_boto3.DAEMON = DAEMON  # its signed_request() helper sends to this daemon
    run_suite(lambda: DAEMON, [sys.argv[0]] + rest)


if __name__ == "__main__":
    main()
