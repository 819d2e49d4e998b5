#!/usr/bin/python3
"""Access is decided once and still holds when a write commits, with a real
shoald, boto3, the `shoald key` command, and requests sent by hand where the
timing matters (the body is held back until the change under test is made;
"Expect: 100-continue" tells when the request passed its checks):
  - a bucket deleted and re-created by another tenant while a PUT's body is
    in flight gets nothing of it: the PUT answers NoSuchBucket, the new
    owner's bucket stays empty, the chunks written are freed;
  - a key disabled, deleted or denied while its PUT or UploadPart body is in
    flight (unsigned, signed SHA-256 and aws-chunked payloads) gets
    AccessDenied, and nothing is committed or left on disk;
  - public-read serves the current version of objects only: anonymous
    versionId reads are refused whatever the id, and anonymous answers name
    no delete marker.
"""
import hashlib
import http.client
import os
import re
import socket
import unittest

import botocore

from shoald_process import (STREAMING_PAYLOAD, Daemon, RawResponses, ROOT_PASSWORD, ROOT_USER, aws_chunked_length,
                            aws_chunks, chunk_files_on, clean_env, main_with_workdir, pattern, pending_files_on,
                            s3_client, shoald_admin, signed_head, stop_cleanly)

ARGS = None
BUCKET = "shared"
BODY = pattern(300 << 10, "in-flight")  # chunked (above the inline threshold), several aws-chunked chunks


def error_code(body):
    found = re.search(rb"<Code>([^<]*)</Code>", body)
    return found.group(1).decode() if found else body[:200]


class AccessAtCommit(unittest.TestCase):
    @classmethod
    def setUpClass(cls):
        cls.workdir = os.path.join(ARGS.workdir, "commit")
        cls.drive = os.path.join(cls.workdir, "d1")
        env = clean_env(SHOAL_ROOT_USER=ROOT_USER, SHOAL_ROOT_PASSWORD=ROOT_PASSWORD)
        cls.daemon = Daemon(ARGS.shoald, ARGS.emulator, drives=[cls.drive], env=env, data_dir=cls.workdir)
        cls.daemon.wait_listening()
        cls.root = s3_client(cls.daemon.endpoint)
        cls.root.create_bucket(Bucket=BUCKET)

    @classmethod
    def tearDownClass(cls):
        stop_cleanly(cls.daemon)

    def key_cli(self, *args):
        code, out = shoald_admin(self.daemon, "key", *args)
        self.assertEqual(code, 0, out)
        return out

    def create_key(self, name, bucket=None, permissions="read,write", *flags):
        out = self.key_cli("create", name, *flags)
        access = re.search(r"^(SK[A-Z0-9]{18})\s", out, re.M).group(1)
        secret = re.search(r"^secret key: (\S+)$", out, re.M).group(1)
        if bucket:
            self.key_cli("allow", access, bucket, permissions)
        return access, secret

    def client(self, key):
        return s3_client(self.daemon.endpoint, access_key=key[0], secret_key=key[1])

    def disk(self):
        return sorted(chunk_files_on([self.drive])), pending_files_on([self.drive])

    def held_put(self, path, body, key, payload, meanwhile):
        """PUTs `body` to `path` signed by `key` (unsigned, sha256 or chunked
        payload), running `meanwhile` once the request passed its checks and
        before any body byte is sent; returns (status, headers, body)."""
        access, secret = key
        headers = {"Expect": "100-continue"}
        pieces = [body[i:i + (64 << 10)] for i in range(0, len(body), 64 << 10)]
        if payload == "chunked":
            headers.update({"Content-Encoding": "aws-chunked", "x-amz-decoded-content-length": str(len(body)),
                            "Content-Length": str(aws_chunked_length(len(p) for p in pieces))})
            signed = STREAMING_PAYLOAD
        else:
            headers["Content-Length"] = str(len(body))
            signed = hashlib.sha256(body).hexdigest() if payload == "sha256" else "UNSIGNED-PAYLOAD"
        head = signed_head(self.daemon.endpoint, "PUT", path, headers, access, secret, signed)
        with socket.create_connection(("127.0.0.1", self.daemon.port), timeout=60) as sock:
            sock.sendall(head)
            answers = RawResponses(sock)
            answers.expect_continue()
            meanwhile()
            sock.sendall(b"".join(aws_chunks(head, secret, pieces)) if payload == "chunked" else body)
            return answers.next()

    def test_1_a_bucket_re_created_under_an_upload_gets_nothing(self):
        self.root.create_bucket(Bucket="contested")
        writer = self.create_key("race-writer", "contested")
        tenant = self.client(self.create_key("race-tenant", None, None, "--create-buckets"))
        before = self.disk()

        def take_the_name():
            self.root.delete_bucket(Bucket="contested")
            tenant.create_bucket(Bucket="contested")

        status, _headers, body = self.held_put("/contested/planted", BODY, writer, "unsigned", take_the_name)
        self.assertEqual((status, error_code(body)), (404, "NoSuchBucket"), body)
        self.assertEqual(tenant.list_objects_v2(Bucket="contested")["KeyCount"], 0)
        self.assertEqual(self.disk(), before)
        tenant.delete_bucket(Bucket="contested")

    def test_2_a_key_revoked_during_its_put_commits_nothing(self):
        revocations = {
            "disable": lambda access: self.key_cli("disable", access),
            "delete": lambda access: self.key_cli("delete", access),
            "deny": lambda access: self.key_cli("deny", access, BUCKET),
        }
        for payload, revoke in (("unsigned", "disable"), ("sha256", "disable"), ("chunked", "disable"),
                                ("unsigned", "delete"), ("sha256", "deny"), ("chunked", "deny")):
            with self.subTest(payload=payload, revocation=revoke):
                name = "revoked-%s-%s" % (payload, revoke)
                key = self.create_key(name, BUCKET)
                before = self.disk()
                status, _headers, body = self.held_put("/%s/%s" % (BUCKET, name), BODY, key, payload,
                                                       lambda: revocations[revoke](key[0]))
                self.assertEqual((status, error_code(body)), (403, "AccessDenied"), body)
                with self.assertRaises(botocore.exceptions.ClientError):
                    self.root.head_object(Bucket=BUCKET, Key=name)
                self.assertEqual(self.disk(), before)

    def test_3_a_key_revoked_during_an_upload_part_commits_nothing(self):
        for payload in ("unsigned", "chunked"):
            with self.subTest(payload=payload):
                name = "part-revoked-%s" % payload
                key = self.create_key(name, BUCKET)
                upload = self.client(key).create_multipart_upload(Bucket=BUCKET, Key=name)["UploadId"]
                before = self.disk()
                status, _headers, body = self.held_put(
                    "/%s/%s?partNumber=1&uploadId=%s" % (BUCKET, name, upload), BODY, key, payload,
                    lambda: self.key_cli("disable", key[0]))
                self.assertEqual((status, error_code(body)), (403, "AccessDenied"), body)
                parts = self.root.list_parts(Bucket=BUCKET, Key=name, UploadId=upload)
                self.assertEqual(parts.get("Parts", []), [])
                self.assertEqual(self.disk(), before)
                self.root.abort_multipart_upload(Bucket=BUCKET, Key=name, UploadId=upload)

    def anonymous(self, method, path):
        conn = http.client.HTTPConnection("127.0.0.1", self.daemon.port, timeout=30)
        try:
            conn.request(method, path)
            answer = conn.getresponse()
            return answer.status, {k.lower(): v for k, v in answer.getheaders()}, answer.read()
        finally:
            conn.close()

    def test_4_public_read_serves_current_versions_only(self):
        b = "published"
        root = self.root
        root.create_bucket(Bucket=b)
        root.put_bucket_versioning(Bucket=b, VersioningConfiguration={"Status": "Enabled"})
        old = root.put_object(Bucket=b, Key="doc", Body=b"draft with secrets")["VersionId"]
        current = root.put_object(Bucket=b, Key="doc", Body=b"published text")["VersionId"]
        gone = root.put_object(Bucket=b, Key="retracted", Body=b"retracted text")["VersionId"]
        marker = root.delete_object(Bucket=b, Key="retracted")["VersionId"]
        code, out = shoald_admin(self.daemon, "public-read", b, "on")
        self.assertEqual(code, 0, out)

        status, headers, body = self.anonymous("GET", "/%s/doc" % b)
        self.assertEqual((status, body), (200, b"published text"))
        self.assertEqual(headers.get("x-amz-version-id"), current)  # the current version's own id
        for method in ("GET", "HEAD"):
            for version in (old, current, gone, marker, "null", "0000000000000001", "not-a-version-id"):
                for key in ("doc", "retracted"):
                    with self.subTest(method=method, key=key, version=version):
                        status, headers, body = self.anonymous(method, "/%s/%s?versionId=%s" % (b, key, version))
                        self.assertEqual(status, 403, body)
                        self.assertNotIn(b"secrets", body)
                        self.assertNotIn("x-amz-version-id", headers)
            with self.subTest(method=method, key="retracted"):
                status, headers, body = self.anonymous(method, "/%s/retracted" % b)
                self.assertEqual(status, 404)
                if method == "GET":
                    self.assertEqual(error_code(body), "NoSuchKey")
                self.assertNotIn("x-amz-version-id", headers)
                self.assertNotIn("x-amz-delete-marker", headers)
                self.assertNotIn(marker.encode(), body)
        # A key with read reads every version.
        reader = self.client(self.create_key("version-reader", b, "read"))
        self.assertEqual(reader.get_object(Bucket=b, Key="doc", VersionId=old)["Body"].read(), b"draft with secrets")
        self.assertEqual(reader.get_object(Bucket=b, Key="retracted", VersionId=gone)["Body"].read(),
                         b"retracted text")


def main():
    main_with_workdir(globals(), "shoald-commit-")


if __name__ == "__main__":
    main()
