#!/usr/bin/python3
"""S3 behaviour of a real shoald, driven by boto3 (Debian's python3-boto3)."""
import argparse
import base64
import datetime
import hashlib
import os
import sys
import unittest

import botocore

from shoald_process import Daemon, run_suite, ROOT_PASSWORD, ROOT_USER, clean_env, s3_client

ARGS = None
DAEMON = None
CHUNK_SIZE = 1 << 20  # small chunks so modest objects span several chunk files
MIN_PART = 256 << 10  # smallest multipart part, lowered so 100+ parts stay quick


def client(**config):
    return s3_client(DAEMON.endpoint, **config)


def signed_request(method, path, body=b"", headers=None, host=None):
    """A request signed by botocore's own SigV4 signer, for bodies boto3 would not send.
    `host` sends it to the server under another Host name (virtual-hosted style)."""
    from botocore.auth import SigV4Auth
    from botocore.awsrequest import AWSRequest
    from botocore.credentials import Credentials
    import http.client
    base = "http://%s:%d" % (host, DAEMON.port) if host else DAEMON.endpoint
    request = AWSRequest(method=method, url=base + path, data=body, headers=headers or {})
    request.headers["x-amz-content-sha256"] = hashlib.sha256(body).hexdigest()
    SigV4Auth(Credentials(ROOT_USER, ROOT_PASSWORD), "s3", "us-east-1").add_auth(request)
    prepared = request.prepare()
    conn = http.client.HTTPConnection("127.0.0.1", DAEMON.port, timeout=30)
    sent = dict(prepared.headers)
    sent["Host"] = "%s:%d" % (host or "127.0.0.1", DAEMON.port)  # the name that was signed
    conn.request(method, path, body=body, headers=sent)
    response = conn.getresponse()
    data = response.read()
    conn.close()
    return response.status, data


def error_code(ctx):
    return ctx.exception.response["Error"]["Code"]


def chunk_files():
    return DAEMON.chunk_files()


class S3TestCase(unittest.TestCase):
    bucket_counter = 0

    def setUp(self):
        self.s3 = client()
        S3TestCase.bucket_counter += 1
        self.bucket = "it-%s-%d" % (self._testMethodName.replace("_", "-")[5:30].strip("-"), S3TestCase.bucket_counter)
        self.s3.create_bucket(Bucket=self.bucket)


class Buckets(unittest.TestCase):
    def setUp(self):
        self.s3 = client()

    def test_create_list_head_delete(self):
        self.s3.create_bucket(Bucket="bucket-life")
        names = [b["Name"] for b in self.s3.list_buckets()["Buckets"]]
        self.assertIn("bucket-life", names)
        self.s3.head_bucket(Bucket="bucket-life")
        self.assertIsNone(self.s3.get_bucket_location(Bucket="bucket-life")["LocationConstraint"])
        with self.assertRaises(botocore.exceptions.ClientError) as ctx:
            self.s3.create_bucket(Bucket="bucket-life")
        self.assertEqual(error_code(ctx), "BucketAlreadyOwnedByYou")
        self.s3.put_object(Bucket="bucket-life", Key="k", Body=b"x")
        with self.assertRaises(botocore.exceptions.ClientError) as ctx:
            self.s3.delete_bucket(Bucket="bucket-life")
        self.assertEqual(error_code(ctx), "BucketNotEmpty")
        self.s3.delete_object(Bucket="bucket-life", Key="k")
        self.s3.delete_bucket(Bucket="bucket-life")
        with self.assertRaises(botocore.exceptions.ClientError) as ctx:
            self.s3.head_bucket(Bucket="bucket-life")
        self.assertEqual(ctx.exception.response["ResponseMetadata"]["HTTPStatusCode"], 404)
        with self.assertRaises(botocore.exceptions.ClientError) as ctx:
            self.s3.list_objects_v2(Bucket="bucket-life")
        self.assertEqual(error_code(ctx), "NoSuchBucket")

    def test_invalid_names_are_refused(self):
        for name in ["ab", "a" * 64, "Upper-case", "under_score", "-start", "end-", "two..dots", "192.168.1.1",
                     "xn--punycode", "bucket-s3alias"]:
            with self.assertRaises(botocore.exceptions.ClientError, msg=name) as ctx:
                self.s3.create_bucket(Bucket=name)
            self.assertEqual(error_code(ctx), "InvalidBucketName", name)

    def test_location_constraint_must_match(self):
        with self.assertRaises(botocore.exceptions.ClientError) as ctx:
            self.s3.create_bucket(Bucket="elsewhere", CreateBucketConfiguration={"LocationConstraint": "eu-west-1"})
        self.assertEqual(error_code(ctx), "InvalidLocationConstraint")


class Objects(S3TestCase):
    def test_small_object_round_trip_with_metadata(self):
        put = self.s3.put_object(Bucket=self.bucket, Key="hello.txt", Body=b"hello world", ContentType="text/plain",
                                 Metadata={"colour": "blue"}, CacheControl="max-age=60",
                                 ContentDisposition="attachment", ContentLanguage="en")
        self.assertEqual(put["ETag"], '"%s"' % hashlib.md5(b"hello world").hexdigest())
        self.assertNotIn("VersionId", put)  # unversioned bucket: no version id to address
        got = self.s3.get_object(Bucket=self.bucket, Key="hello.txt")
        self.assertEqual(got["Body"].read(), b"hello world")
        self.assertEqual(got["ContentType"], "text/plain")
        self.assertEqual(got["Metadata"], {"colour": "blue"})
        self.assertEqual(got["CacheControl"], "max-age=60")
        self.assertEqual(got["ContentDisposition"], "attachment")
        self.assertEqual(got["ContentLanguage"], "en")
        self.assertEqual(got["ETag"], put["ETag"])
        self.assertEqual(got["AcceptRanges"], "bytes")
        head = self.s3.head_object(Bucket=self.bucket, Key="hello.txt")
        self.assertEqual(head["ContentLength"], 11)
        self.assertEqual(head["ContentType"], "text/plain")

    def test_default_content_type_and_empty_object(self):
        self.s3.put_object(Bucket=self.bucket, Key="empty", Body=b"")
        got = self.s3.get_object(Bucket=self.bucket, Key="empty")
        self.assertEqual(got["Body"].read(), b"")
        self.assertEqual(got["ContentLength"], 0)
        self.assertEqual(got["ContentType"], "binary/octet-stream")
        self.assertEqual(got["ETag"], '"d41d8cd98f00b204e9800998ecf8427e"')

    def test_multi_chunk_object_round_trip_and_space_freed(self):
        before = len(chunk_files())
        data = os.urandom(3 * CHUNK_SIZE + 12345)
        self.s3.put_object(Bucket=self.bucket, Key="big.bin", Body=data)
        self.assertEqual(len(chunk_files()) - before, 4)
        self.assertEqual(self.s3.get_object(Bucket=self.bucket, Key="big.bin")["Body"].read(), data)
        # Overwriting frees the old chunks; deleting frees the new ones.
        self.s3.put_object(Bucket=self.bucket, Key="big.bin", Body=data[:CHUNK_SIZE + 1])
        self.assertEqual(len(chunk_files()) - before, 2)
        self.s3.delete_object(Bucket=self.bucket, Key="big.bin")
        self.assertEqual(len(chunk_files()), before)

    def test_objects_at_the_inline_threshold(self):
        for size in (4095, 4096, 4097):
            data = os.urandom(size)
            self.s3.put_object(Bucket=self.bucket, Key="s%d" % size, Body=data)
            self.assertEqual(self.s3.get_object(Bucket=self.bucket, Key="s%d" % size)["Body"].read(), data)

    def test_ranges(self):
        data = os.urandom(2 * CHUNK_SIZE + 100)
        self.s3.put_object(Bucket=self.bucket, Key="r", Body=data)
        size = len(data)
        cases = {
            "bytes=0-0": data[0:1],
            "bytes=10-19": data[10:20],
            "bytes=%d-%d" % (CHUNK_SIZE - 5, CHUNK_SIZE + 5): data[CHUNK_SIZE - 5:CHUNK_SIZE + 6],
            "bytes=%d-" % (size - 7): data[-7:],
            "bytes=-50": data[-50:],
            "bytes=-%d" % (size + 10): data,
            "bytes=%d-%d" % (size - 3, size + 100): data[-3:],
        }
        for spec, expected in cases.items():
            got = self.s3.get_object(Bucket=self.bucket, Key="r", Range=spec)
            self.assertEqual(got["ResponseMetadata"]["HTTPStatusCode"], 206, spec)
            self.assertEqual(got["Body"].read(), expected, spec)
            self.assertTrue(got["ContentRange"].endswith("/%d" % size), spec)
        for spec in ("bytes=%d-" % size, "bytes=%d-%d" % (size + 5, size + 9)):
            with self.assertRaises(botocore.exceptions.ClientError, msg=spec) as ctx:
                self.s3.get_object(Bucket=self.bucket, Key="r", Range=spec)
            self.assertEqual(error_code(ctx), "InvalidRange", spec)
        # A range S3 ignores (several ranges) serves the whole object.
        got = self.s3.get_object(Bucket=self.bucket, Key="r", Range="bytes=0-1,5-6")
        self.assertEqual(got["ResponseMetadata"]["HTTPStatusCode"], 200)

    def test_conditional_get(self):
        put = self.s3.put_object(Bucket=self.bucket, Key="c", Body=b"conditional")
        etag = put["ETag"]
        self.assertEqual(self.s3.get_object(Bucket=self.bucket, Key="c", IfMatch=etag)["Body"].read(), b"conditional")
        with self.assertRaises(botocore.exceptions.ClientError) as ctx:
            self.s3.get_object(Bucket=self.bucket, Key="c", IfMatch='"0000"')
        self.assertEqual(ctx.exception.response["ResponseMetadata"]["HTTPStatusCode"], 412)
        with self.assertRaises(botocore.exceptions.ClientError) as ctx:
            self.s3.get_object(Bucket=self.bucket, Key="c", IfNoneMatch=etag)
        self.assertEqual(ctx.exception.response["ResponseMetadata"]["HTTPStatusCode"], 304)
        future = datetime.datetime.now(datetime.timezone.utc) + datetime.timedelta(days=1)
        past = datetime.datetime.now(datetime.timezone.utc) - datetime.timedelta(days=1)
        with self.assertRaises(botocore.exceptions.ClientError) as ctx:
            self.s3.get_object(Bucket=self.bucket, Key="c", IfModifiedSince=future)
        self.assertEqual(ctx.exception.response["ResponseMetadata"]["HTTPStatusCode"], 304)
        self.s3.get_object(Bucket=self.bucket, Key="c", IfModifiedSince=past)
        with self.assertRaises(botocore.exceptions.ClientError) as ctx:
            self.s3.get_object(Bucket=self.bucket, Key="c", IfUnmodifiedSince=past)
        self.assertEqual(ctx.exception.response["ResponseMetadata"]["HTTPStatusCode"], 412)

    def test_response_header_overrides(self):
        self.s3.put_object(Bucket=self.bucket, Key="o", Body=b"x", ContentType="text/plain")
        got = self.s3.get_object(Bucket=self.bucket, Key="o", ResponseContentType="application/json",
                                 ResponseContentDisposition="inline", ResponseCacheControl="no-cache")
        self.assertEqual(got["ContentType"], "application/json")
        self.assertEqual(got["ContentDisposition"], "inline")
        self.assertEqual(got["CacheControl"], "no-cache")

    def test_status_is_never_stale_after_an_empty_put(self):
        # Regression: an empty PUT answered without "100 Continue" made botocore
        # report 200 for the next PUT on the connection, even a failed one.
        s3 = client()
        s3.put_object(Bucket=self.bucket, Key="empty-first", Body=b"")
        bad = base64.b64encode(hashlib.md5(b"other").digest()).decode()
        with self.assertRaises(botocore.exceptions.ClientError) as ctx:
            s3.put_object(Bucket=self.bucket, Key="after-empty", Body=b"payload", ContentMD5=bad)
        self.assertEqual(error_code(ctx), "BadDigest")

    def test_content_md5_is_verified(self):
        good = base64.b64encode(hashlib.md5(b"payload").digest()).decode()
        self.s3.put_object(Bucket=self.bucket, Key="m", Body=b"payload", ContentMD5=good)
        bad = base64.b64encode(hashlib.md5(b"other").digest()).decode()
        with self.assertRaises(botocore.exceptions.ClientError) as ctx:
            self.s3.put_object(Bucket=self.bucket, Key="m2", Body=b"payload", ContentMD5=bad)
        self.assertEqual(error_code(ctx), "BadDigest")
        with self.assertRaises(botocore.exceptions.ClientError):
            self.s3.head_object(Bucket=self.bucket, Key="m2")  # nothing was written

    def test_additional_checksums_are_verified_stored_and_returned(self):
        data = os.urandom(100000)
        for algorithm in ("CRC32", "CRC32C", "SHA1", "SHA256"):
            if algorithm == "CRC32C":
                try:
                    import awscrt  # noqa: F401  (botocore needs it for CRC32C)
                except ImportError:
                    continue
            self.s3.put_object(Bucket=self.bucket, Key="ck-" + algorithm, Body=data, ChecksumAlgorithm=algorithm)
            got = self.s3.get_object(Bucket=self.bucket, Key="ck-" + algorithm, ChecksumMode="ENABLED")
            self.assertEqual(got["Body"].read(), data)
            self.assertIn("Checksum" + algorithm, got, algorithm)
        expected = base64.b64encode(hashlib.sha256(data).digest()).decode()
        got = self.s3.head_object(Bucket=self.bucket, Key="ck-SHA256", ChecksumMode="ENABLED")
        self.assertEqual(got["ChecksumSHA256"], expected)

        def wrong_checksum(request, **_kwargs):
            request.headers["x-amz-checksum-sha256"] = base64.b64encode(hashlib.sha256(b"no").digest()).decode()
        s3 = client()
        s3.meta.events.register("before-sign.s3.PutObject", wrong_checksum)
        with self.assertRaises(botocore.exceptions.ClientError) as ctx:
            s3.put_object(Bucket=self.bucket, Key="ck-bad", Body=data)
        self.assertEqual(error_code(ctx), "BadDigest")

    def test_conditional_writes(self):
        def header(name, value):
            def add(request, **_kwargs):
                request.headers[name] = value
            return add
        create_only = client()
        create_only.meta.events.register("before-sign.s3.PutObject", header("If-None-Match", "*"))
        create_only.put_object(Bucket=self.bucket, Key="once", Body=b"first")
        with self.assertRaises(botocore.exceptions.ClientError) as ctx:
            create_only.put_object(Bucket=self.bucket, Key="once", Body=b"second")
        self.assertEqual(error_code(ctx), "PreconditionFailed")
        self.assertEqual(self.s3.get_object(Bucket=self.bucket, Key="once")["Body"].read(), b"first")

        etag = self.s3.head_object(Bucket=self.bucket, Key="once")["ETag"]
        matching = client()
        matching.meta.events.register("before-sign.s3.PutObject", header("If-Match", etag))
        matching.put_object(Bucket=self.bucket, Key="once", Body=b"replaced")
        with self.assertRaises(botocore.exceptions.ClientError) as ctx:
            matching.put_object(Bucket=self.bucket, Key="once", Body=b"stale")  # the ETag changed
        self.assertEqual(error_code(ctx), "PreconditionFailed")
        with self.assertRaises(botocore.exceptions.ClientError) as ctx:
            matching.put_object(Bucket=self.bucket, Key="absent", Body=b"x")
        self.assertEqual(error_code(ctx), "NoSuchKey")
        self.assertEqual(self.s3.get_object(Bucket=self.bucket, Key="once")["Body"].read(), b"replaced")

    def test_missing_objects(self):
        with self.assertRaises(botocore.exceptions.ClientError) as ctx:
            self.s3.get_object(Bucket=self.bucket, Key="nope")
        self.assertEqual(error_code(ctx), "NoSuchKey")
        with self.assertRaises(botocore.exceptions.ClientError) as ctx:
            self.s3.head_object(Bucket=self.bucket, Key="nope")
        self.assertEqual(ctx.exception.response["ResponseMetadata"]["HTTPStatusCode"], 404)
        self.s3.delete_object(Bucket=self.bucket, Key="nope")  # deleting nothing succeeds

    def test_storage_class_and_tagging_header(self):
        self.s3.put_object(Bucket=self.bucket, Key="sc", Body=b"x", StorageClass="REDUCED_REDUNDANCY",
                           Tagging="a=1&b=two%20words")
        head = self.s3.head_object(Bucket=self.bucket, Key="sc")
        self.assertEqual(head["StorageClass"], "REDUCED_REDUNDANCY")
        self.assertEqual(head["ResponseMetadata"]["HTTPHeaders"]["x-amz-tagging-count"], "2")
        with self.assertRaises(botocore.exceptions.ClientError) as ctx:
            self.s3.put_object(Bucket=self.bucket, Key="sc2", Body=b"x", StorageClass="BOGUS")
        self.assertEqual(error_code(ctx), "InvalidStorageClass")

    def test_user_metadata_limit(self):
        with self.assertRaises(botocore.exceptions.ClientError) as ctx:
            self.s3.put_object(Bucket=self.bucket, Key="meta", Body=b"x", Metadata={"big": "v" * 2100})
        self.assertEqual(error_code(ctx), "MetadataTooLarge")


class Keys(S3TestCase):
    def test_full_length_and_unicode_keys(self):
        keys = ["k" * 1024, "ключ/ünïcødé/日本語", "spaces and +plus+ & ampersand?", "a" * 600 + "/tail",
                "../escape-attempt", "%2e%2e/encoded", "./dot", "trailing/"]
        for key in keys:
            self.s3.put_object(Bucket=self.bucket, Key=key, Body=key.encode())
        for key in keys:
            self.assertEqual(self.s3.get_object(Bucket=self.bucket, Key=key)["Body"].read(), key.encode(), key)
        listed = [o["Key"] for o in self.s3.list_objects_v2(Bucket=self.bucket)["Contents"]]
        self.assertEqual(listed, sorted(keys, key=lambda k: k.encode()))
        # Keys never become paths: nothing was created outside the data directory.
        self.assertFalse(os.path.exists(os.path.join(os.path.dirname(DAEMON.data_dir), "escape-attempt")))
        for root, dirs, files in os.walk(DAEMON.data_dir):
            self.assertNotIn("escape-attempt", dirs + files)

    def test_too_long_key(self):
        with self.assertRaises(botocore.exceptions.ClientError) as ctx:
            self.s3.put_object(Bucket=self.bucket, Key="k" * 1025, Body=b"x")
        self.assertEqual(error_code(ctx), "KeyTooLongError")

    def test_long_keys_sharing_a_prefix_list_in_order(self):
        prefix = "p" * 600
        keys = [prefix + suffix for suffix in ("b", "a", "ab", "", "z" * 424, "aa", "c/d", "c/e")]
        for key in keys:
            self.s3.put_object(Bucket=self.bucket, Key=key, Body=b"")
        listed = []
        token = None
        while True:
            kwargs = {"Bucket": self.bucket, "MaxKeys": 3}
            if token:
                kwargs["ContinuationToken"] = token
            page = self.s3.list_objects_v2(**kwargs)
            listed += [o["Key"] for o in page.get("Contents", [])]
            if not page["IsTruncated"]:
                break
            token = page["NextContinuationToken"]
        self.assertEqual(listed, sorted(keys))
        page = self.s3.list_objects_v2(Bucket=self.bucket, Prefix=prefix + "c", Delimiter="/")
        self.assertEqual([p["Prefix"] for p in page["CommonPrefixes"]], [prefix + "c/"])


class Addressing(S3TestCase):
    def test_virtual_hosted_style(self):
        host = "%s.s3.test" % self.bucket
        status, _ = signed_request("PUT", "/dir/vhost.txt", b"virtual", host=host)
        self.assertEqual(status, 200)
        self.assertEqual(self.s3.get_object(Bucket=self.bucket, Key="dir/vhost.txt")["Body"].read(), b"virtual")
        status, body = signed_request("GET", "/?list-type=2&prefix=dir%2F", host=host)
        self.assertEqual(status, 200)
        self.assertIn(b"<Key>dir/vhost.txt</Key>", body)
        status, body = signed_request("GET", "/dir/vhost.txt", host=host)
        self.assertEqual((status, body), (200, b"virtual"))


class Listing(S3TestCase):
    def setUp(self):
        super().setUp()
        self.keys = ["a/1", "a/2", "a/b/3", "b", "c/x", "d", "e/f/g"]
        for key in self.keys:
            self.s3.put_object(Bucket=self.bucket, Key=key, Body=key.encode())

    def test_v2_pagination_prefix_delimiter(self):
        page = self.s3.list_objects_v2(Bucket=self.bucket)
        self.assertEqual([o["Key"] for o in page["Contents"]], self.keys)
        self.assertEqual(page["KeyCount"], len(self.keys))
        self.assertEqual(page["Contents"][0]["Size"], 3)
        self.assertNotIn("Owner", page["Contents"][0])
        page = self.s3.list_objects_v2(Bucket=self.bucket, FetchOwner=True)
        self.assertIn("Owner", page["Contents"][0])
        page = self.s3.list_objects_v2(Bucket=self.bucket, Delimiter="/")
        self.assertEqual([o["Key"] for o in page["Contents"]], ["b", "d"])
        self.assertEqual([p["Prefix"] for p in page["CommonPrefixes"]], ["a/", "c/", "e/"])
        page = self.s3.list_objects_v2(Bucket=self.bucket, Prefix="a/", Delimiter="/")
        self.assertEqual([o["Key"] for o in page["Contents"]], ["a/1", "a/2"])
        self.assertEqual([p["Prefix"] for p in page["CommonPrefixes"]], ["a/b/"])
        page = self.s3.list_objects_v2(Bucket=self.bucket, StartAfter="b")
        self.assertEqual([o["Key"] for o in page["Contents"]], ["c/x", "d", "e/f/g"])
        paginator = self.s3.get_paginator("list_objects_v2")
        seen, prefixes = [], []
        for page in paginator.paginate(Bucket=self.bucket, Delimiter="/", PaginationConfig={"PageSize": 2}):
            seen += [o["Key"] for o in page.get("Contents", [])]
            prefixes += [p["Prefix"] for p in page.get("CommonPrefixes", [])]
        self.assertEqual(seen, ["b", "d"])
        self.assertEqual(prefixes, ["a/", "c/", "e/"])

    def test_v1_marker_pagination(self):
        paginator = self.s3.get_paginator("list_objects")
        seen = []
        for page in paginator.paginate(Bucket=self.bucket, PaginationConfig={"PageSize": 3}):
            seen += [o["Key"] for o in page.get("Contents", [])]
            for o in page.get("Contents", []):
                self.assertIn("Owner", o)
        self.assertEqual(seen, self.keys)
        page = self.s3.list_objects(Bucket=self.bucket, Marker="a/b/3", MaxKeys=2)
        self.assertEqual([o["Key"] for o in page["Contents"]], ["b", "c/x"])
        self.assertTrue(page["IsTruncated"])

    def test_url_encoding_and_max_keys(self):
        self.s3.put_object(Bucket=self.bucket, Key="sp ace/\u00e9", Body=b"")
        # Asked for explicitly, boto3 leaves the encoding to the caller.
        page = self.s3.list_objects_v2(Bucket=self.bucket, Prefix="sp ace/", EncodingType="url")
        self.assertEqual([o["Key"] for o in page["Contents"]], ["sp%20ace/%C3%A9"])
        self.assertEqual(page["Prefix"], "sp%20ace/")
        page = self.s3.list_objects_v2(Bucket=self.bucket, MaxKeys=0)
        self.assertEqual(page["KeyCount"], 0)
        with self.assertRaises(botocore.exceptions.ClientError) as ctx:
            self.s3.list_objects_v2(Bucket=self.bucket, EncodingType="base64")
        self.assertEqual(error_code(ctx), "InvalidArgument")


class Versioning(S3TestCase):
    def test_versions_markers_and_suspension(self):
        s3, b = self.s3, self.bucket
        self.assertNotIn("Status", s3.get_bucket_versioning(Bucket=b))
        s3.put_object(Bucket=b, Key="k", Body=b"null-version")
        s3.put_bucket_versioning(Bucket=b, VersioningConfiguration={"Status": "Enabled"})
        self.assertEqual(s3.get_bucket_versioning(Bucket=b)["Status"], "Enabled")
        v1 = s3.put_object(Bucket=b, Key="k", Body=b"one")["VersionId"]
        v2 = s3.put_object(Bucket=b, Key="k", Body=b"two")["VersionId"]
        self.assertNotEqual(v1, v2)
        self.assertEqual(s3.get_object(Bucket=b, Key="k")["Body"].read(), b"two")
        self.assertEqual(s3.get_object(Bucket=b, Key="k", VersionId=v1)["Body"].read(), b"one")
        self.assertEqual(s3.get_object(Bucket=b, Key="k", VersionId="null")["Body"].read(), b"null-version")
        self.assertEqual(s3.head_object(Bucket=b, Key="k", VersionId=v2)["VersionId"], v2)

        marker = s3.delete_object(Bucket=b, Key="k")
        self.assertTrue(marker["DeleteMarker"])
        with self.assertRaises(botocore.exceptions.ClientError) as ctx:
            s3.get_object(Bucket=b, Key="k")
        self.assertEqual(error_code(ctx), "NoSuchKey")
        self.assertEqual(ctx.exception.response["ResponseMetadata"]["HTTPHeaders"]["x-amz-delete-marker"], "true")
        self.assertNotIn("Contents", s3.list_objects_v2(Bucket=b))

        listing = s3.list_object_versions(Bucket=b)
        self.assertEqual([(v["VersionId"], v["IsLatest"]) for v in listing["Versions"]],
                         [(v2, False), (v1, False), ("null", False)])
        self.assertEqual([(m["VersionId"], m["IsLatest"]) for m in listing["DeleteMarkers"]],
                         [(marker["VersionId"], True)])
        # Paging through versions one at a time sees the same sequence.
        seen = []
        paginator = s3.get_paginator("list_object_versions")
        for page in paginator.paginate(Bucket=b, PaginationConfig={"PageSize": 1}):
            seen += [v["VersionId"] for v in page.get("Versions", []) + page.get("DeleteMarkers", [])]
        self.assertEqual(sorted(seen), sorted([marker["VersionId"], v2, v1, "null"]))

        s3.delete_object(Bucket=b, Key="k", VersionId=marker["VersionId"])
        self.assertEqual(s3.get_object(Bucket=b, Key="k")["Body"].read(), b"two")
        s3.delete_object(Bucket=b, Key="k", VersionId=v2)
        self.assertEqual(s3.get_object(Bucket=b, Key="k")["Body"].read(), b"one")
        with self.assertRaises(botocore.exceptions.ClientError) as ctx:
            s3.get_object(Bucket=b, Key="k", VersionId=v2)
        self.assertEqual(error_code(ctx), "NoSuchVersion")
        with self.assertRaises(botocore.exceptions.ClientError) as ctx:
            s3.get_object(Bucket=b, Key="k", VersionId="not-a-version")
        self.assertEqual(error_code(ctx), "InvalidArgument")

        s3.put_bucket_versioning(Bucket=b, VersioningConfiguration={"Status": "Suspended"})
        self.assertEqual(s3.get_bucket_versioning(Bucket=b)["Status"], "Suspended")
        s3.put_object(Bucket=b, Key="k", Body=b"new-null")
        versions = s3.list_object_versions(Bucket=b)["Versions"]
        self.assertEqual([v["VersionId"] for v in versions], ["null", v1])  # the old null version was replaced
        self.assertEqual(s3.get_object(Bucket=b, Key="k")["Body"].read(), b"new-null")

    def test_bad_versioning_configuration(self):
        with self.assertRaises(botocore.exceptions.ClientError) as ctx:
            self.s3.put_bucket_versioning(Bucket=self.bucket, VersioningConfiguration={"Status": "Maybe"})
        self.assertEqual(error_code(ctx), "MalformedXML")


class DeleteObjects(S3TestCase):
    def test_verbose_and_quiet(self):
        for key in ("x", "y", "z"):
            self.s3.put_object(Bucket=self.bucket, Key=key, Body=b"1")
        result = self.s3.delete_objects(Bucket=self.bucket, Delete={"Objects": [{"Key": "x"}, {"Key": "y"},
                                                                                  {"Key": "missing"}]})
        self.assertEqual(sorted(d["Key"] for d in result["Deleted"]), ["missing", "x", "y"])
        result = self.s3.delete_objects(Bucket=self.bucket, Delete={"Objects": [{"Key": "z"}], "Quiet": True})
        self.assertNotIn("Deleted", result)
        self.assertNotIn("Contents", self.s3.list_objects_v2(Bucket=self.bucket))

    def test_malformed_body(self):
        status, body = signed_request("POST", "/%s?delete" % self.bucket, b"<Delete><Object><Key>x</Key></Objec")
        self.assertEqual(status, 400)
        self.assertIn(b"<Code>MalformedXML</Code>", body)


class Multipart(S3TestCase):
    def upload(self, key, parts, **create):
        upload_id = self.s3.create_multipart_upload(Bucket=self.bucket, Key=key, **create)["UploadId"]
        etags = []
        for number, data in enumerate(parts, start=1):
            etags.append(self.s3.upload_part(Bucket=self.bucket, Key=key, UploadId=upload_id, PartNumber=number,
                                             Body=data)["ETag"])
        return upload_id, etags

    def test_many_parts_round_trip(self):
        parts = [os.urandom(MIN_PART + i) for i in range(105)]
        upload_id, etags = self.upload("multi", parts, ContentType="video/mp4", Metadata={"m": "1"})
        listed = self.s3.list_parts(Bucket=self.bucket, Key="multi", UploadId=upload_id, MaxParts=1000)
        self.assertEqual(len(listed["Parts"]), 105)
        done = self.s3.complete_multipart_upload(
            Bucket=self.bucket, Key="multi", UploadId=upload_id,
            MultipartUpload={"Parts": [{"PartNumber": i + 1, "ETag": e} for i, e in enumerate(etags)]})
        digest = hashlib.md5(b"".join(bytes.fromhex(e.strip('"')) for e in etags)).hexdigest()
        self.assertEqual(done["ETag"], '"%s-105"' % digest)
        body = b"".join(parts)
        got = self.s3.get_object(Bucket=self.bucket, Key="multi")
        self.assertEqual(got["ContentType"], "video/mp4")
        self.assertEqual(got["Metadata"], {"m": "1"})
        self.assertEqual(got["ETag"], done["ETag"])
        self.assertEqual(hashlib.sha256(got["Body"].read()).digest(), hashlib.sha256(body).digest())
        start = 50 * MIN_PART + 7
        ranged = self.s3.get_object(Bucket=self.bucket, Key="multi", Range="bytes=%d-%d" % (start, start + 3 * MIN_PART))
        self.assertEqual(ranged["Body"].read(), body[start:start + 3 * MIN_PART + 1])
        with self.assertRaises(botocore.exceptions.ClientError) as ctx:
            self.s3.list_parts(Bucket=self.bucket, Key="multi", UploadId=upload_id)
        self.assertEqual(error_code(ctx), "NoSuchUpload")

    def test_part_rules(self):
        upload_id, etags = self.upload("rules", [os.urandom(MIN_PART), b"small", os.urandom(10)])
        parts = [{"PartNumber": i + 1, "ETag": e} for i, e in enumerate(etags)]
        with self.assertRaises(botocore.exceptions.ClientError) as ctx:
            self.s3.complete_multipart_upload(Bucket=self.bucket, Key="rules", UploadId=upload_id,
                                              MultipartUpload={"Parts": parts})
        self.assertEqual(error_code(ctx), "EntityTooSmall")
        with self.assertRaises(botocore.exceptions.ClientError) as ctx:
            self.s3.complete_multipart_upload(Bucket=self.bucket, Key="rules", UploadId=upload_id,
                                              MultipartUpload={"Parts": [parts[1], parts[0]]})
        self.assertEqual(error_code(ctx), "InvalidPartOrder")
        with self.assertRaises(botocore.exceptions.ClientError) as ctx:
            self.s3.complete_multipart_upload(
                Bucket=self.bucket, Key="rules", UploadId=upload_id,
                MultipartUpload={"Parts": [{"PartNumber": 1, "ETag": '"00112233445566778899aabbccddeeff"'}]})
        self.assertEqual(error_code(ctx), "InvalidPart")
        with self.assertRaises(botocore.exceptions.ClientError) as ctx:
            self.s3.upload_part(Bucket=self.bucket, Key="rules", UploadId=upload_id, PartNumber=10001, Body=b"x")
        self.assertEqual(error_code(ctx), "InvalidArgument")
        # Only parts 1 and 3 make the object; part 2's chunks are freed.
        before = len(chunk_files())
        done = self.s3.complete_multipart_upload(Bucket=self.bucket, Key="rules", UploadId=upload_id,
                                                 MultipartUpload={"Parts": [parts[0], parts[2]]})
        self.assertTrue(done["ETag"].endswith('-2"'))
        self.assertEqual(len(chunk_files()), before - 1)
        self.assertEqual(self.s3.head_object(Bucket=self.bucket, Key="rules")["ContentLength"], MIN_PART + 10)

    def test_replace_part_abort_and_listing(self):
        upload_id, _ = self.upload("ab/c", [os.urandom(100)])
        self.s3.upload_part(Bucket=self.bucket, Key="ab/c", UploadId=upload_id, PartNumber=1, Body=b"replacement")
        parts = self.s3.list_parts(Bucket=self.bucket, Key="ab/c", UploadId=upload_id)["Parts"]
        self.assertEqual([(p["PartNumber"], p["Size"]) for p in parts], [(1, 11)])
        second, _ = self.upload("ab/c", [b"x"])
        other, _ = self.upload("zz", [b"y"])
        uploads = self.s3.list_multipart_uploads(Bucket=self.bucket)["Uploads"]
        self.assertEqual([(u["Key"], u["UploadId"]) for u in uploads],
                         [("ab/c", upload_id), ("ab/c", second), ("zz", other)])
        page = self.s3.list_multipart_uploads(Bucket=self.bucket, Delimiter="/")
        self.assertEqual([p["Prefix"] for p in page["CommonPrefixes"]], ["ab/"])
        page = self.s3.list_multipart_uploads(Bucket=self.bucket, MaxUploads=1)
        self.assertTrue(page["IsTruncated"])
        page = self.s3.list_multipart_uploads(Bucket=self.bucket, KeyMarker=page["NextKeyMarker"],
                                              UploadIdMarker=page["NextUploadIdMarker"])
        self.assertEqual([u["UploadId"] for u in page["Uploads"]], [second, other])
        with self.assertRaises(botocore.exceptions.ClientError) as ctx:
            self.s3.delete_bucket(Bucket=self.bucket)
        self.assertEqual(error_code(ctx), "BucketNotEmpty")  # uploads in progress hold it
        before = len(chunk_files())
        for u in (upload_id, second, other):
            key = "zz" if u == other else "ab/c"
            self.s3.abort_multipart_upload(Bucket=self.bucket, Key=key, UploadId=u)
        self.assertEqual(len(chunk_files()), before - 3)
        self.assertNotIn("Uploads", self.s3.list_multipart_uploads(Bucket=self.bucket))
        with self.assertRaises(botocore.exceptions.ClientError) as ctx:
            self.s3.abort_multipart_upload(Bucket=self.bucket, Key="zz", UploadId=other)
        self.assertEqual(error_code(ctx), "NoSuchUpload")
        with self.assertRaises(botocore.exceptions.ClientError) as ctx:
            self.s3.upload_part(Bucket=self.bucket, Key="zz", UploadId=other, PartNumber=1, Body=b"late")
        self.assertEqual(error_code(ctx), "NoSuchUpload")
        self.s3.delete_bucket(Bucket=self.bucket)


def main():
    global ARGS, DAEMON
    parser = argparse.ArgumentParser()
    parser.add_argument("--shoald", required=True)
    parser.add_argument("--emulator", default="")
    ARGS, rest = parser.parse_known_args()
    env = clean_env(SHOAL_ROOT_USER=ROOT_USER, SHOAL_ROOT_PASSWORD=ROOT_PASSWORD,
                    SHOAL_STORAGE_CHUNK_SIZE=str(CHUNK_SIZE), SHOAL_S3_MIN_PART_SIZE=str(MIN_PART),
                    SHOAL_S3_DOMAINS="s3.test")
    DAEMON = Daemon(ARGS.shoald, ARGS.emulator, drives=None, env=env)
    DAEMON.drives = [os.path.join(DAEMON.data_dir, "d1")]
    run_suite(lambda: DAEMON, [sys.argv[0]] + rest)


if __name__ == "__main__":
    main()
