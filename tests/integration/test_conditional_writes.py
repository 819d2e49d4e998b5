#!/usr/bin/python3
"""Conditional writes with a real shoald, boto3, and requests sent by hand
where the timing matters (a body held back until another write is made;
"Expect: 100-continue" tells when the request passed its arrival checks):
  - PutObject, CompleteMultipartUpload and CopyObject (its destination) decide
    If-Match / If-None-Match the same way, on absent, present, deleted (a
    delete marker on top) and overwritten keys: 412 PreconditionFailed, 404
    NoSuchKey for If-Match on no object, and nothing changed when refused;
  - a condition that held on arrival and was broken by another write while
    the body was in flight is 409 ConditionalRequestConflict (a key deleted
    meanwhile: 404 NoSuchKey); a conditional Complete whose upload was
    aborted meanwhile is 409 too; nothing of the refused write stays on disk;
  - a CompleteMultipartUpload retried after it succeeded (or beaten by an
    identical one) answers the same ETag and version again, not NoSuchUpload.
"""
import hashlib
import os
import re
import socket
import unittest
import xml.etree.ElementTree as ET

import botocore

from shoald_process import (Daemon, RawResponses, ROOT_PASSWORD, ROOT_USER, chunk_files_on, clean_env,
                            main_with_workdir, pattern, pending_files_on, s3_client, signed_head, stop_cleanly)

ARGS = None
PLAIN = "plain"          # never versioned
VERSIONED = "versioned"  # versioning enabled
SOURCES = "sources"      # copy sources
OLDER, OLD, NEW = b"older content", b"old content", b"new content"


def etag(body):
    return '"%s"' % hashlib.md5(body).hexdigest()


def error_code(body):
    found = re.search(rb"<Code>([^<]*)</Code>", body)
    return found.group(1).decode() if found else body[:200]


class ConditionalWrites(unittest.TestCase):
    @classmethod
    def setUpClass(cls):
        cls.workdir = os.path.join(ARGS.workdir, "conditional")
        cls.drive = os.path.join(cls.workdir, "d1")
        env = clean_env(SHOAL_ROOT_USER=ROOT_USER, SHOAL_ROOT_PASSWORD=ROOT_PASSWORD)
        cls.daemon = Daemon(ARGS.shoald, ARGS.emulator, drives=[cls.drive], env=env, data_dir=cls.workdir)
        cls.daemon.wait_listening()
        cls.s3 = s3_client(cls.daemon.endpoint)
        # Debian's botocore has no IfMatch / IfNoneMatch parameters on writes:
        # the headers of `conditions` are added to the conditional requests.
        cls.conditions = {}
        for operation in ("PutObject", "CompleteMultipartUpload", "CopyObject"):
            cls.s3.meta.events.register("before-sign.s3." + operation, cls.add_conditions)
        for bucket in (PLAIN, VERSIONED, SOURCES):
            cls.s3.create_bucket(Bucket=bucket)
        cls.s3.put_bucket_versioning(Bucket=VERSIONED, VersioningConfiguration={"Status": "Enabled"})

    @classmethod
    def tearDownClass(cls):
        stop_cleanly(cls.daemon)

    @classmethod
    def add_conditions(cls, request, **_kwargs):
        for name, value in cls.conditions.items():
            request.headers[name] = value

    def conditional(self, conditions, call, **params):
        """call(**params) with the headers of `conditions` added."""
        type(self).conditions = conditions
        try:
            return call(**params)
        finally:
            type(self).conditions = {}

    # --- the three conditional writes, the same way ---

    def put(self, bucket, key, conditions):
        return self.conditional(conditions, self.s3.put_object, Bucket=bucket, Key=key, Body=NEW)

    def complete(self, bucket, key, conditions):
        upload = self.s3.create_multipart_upload(Bucket=bucket, Key=key)["UploadId"]
        part = self.s3.upload_part(Bucket=bucket, Key=key, UploadId=upload, PartNumber=1, Body=NEW)["ETag"]
        try:
            return self.conditional(conditions, self.s3.complete_multipart_upload, Bucket=bucket, Key=key,
                                    UploadId=upload, MultipartUpload={"Parts": [{"PartNumber": 1, "ETag": part}]})
        except botocore.exceptions.ClientError:
            self.s3.abort_multipart_upload(Bucket=bucket, Key=key, UploadId=upload)
            raise

    def copy(self, bucket, key, conditions):
        self.s3.put_object(Bucket=SOURCES, Key=key, Body=NEW)
        return self.conditional(conditions, self.s3.copy_object, Bucket=bucket, Key=key,
                                CopySource={"Bucket": SOURCES, "Key": key})

    def make(self, state, key):
        """A key in `state`; returns its bucket."""
        if state == "absent":
            return PLAIN
        if state == "present":
            self.s3.put_object(Bucket=PLAIN, Key=key, Body=OLD)
            return PLAIN
        self.s3.put_object(Bucket=VERSIONED, Key=key, Body=OLDER if state == "overwritten" else OLD)
        if state == "overwritten":
            self.s3.put_object(Bucket=VERSIONED, Key=key, Body=OLD)
        else:  # "deleted": a delete marker on top of OLD
            self.s3.delete_object(Bucket=VERSIONED, Key=key)
        return VERSIONED

    def history(self, bucket, key):
        listed = self.s3.list_object_versions(Bucket=bucket, Prefix=key)
        return sorted((v["Key"], v["VersionId"], v.get("ETag"), v["IsLatest"])
                      for v in listed.get("Versions", []) + listed.get("DeleteMarkers", []) if v["Key"] == key)

    def test_1_the_condition_matrix_is_the_same_for_put_complete_and_copy(self):
        wrong = '"%s"' % ("f" * 32)
        # (conditions, outcome when the key has a current version, outcome when it has none)
        cases = [
            ({"If-None-Match": "*"}, "PreconditionFailed", "ok"),
            ({"If-Match": "*"}, "ok", "NoSuchKey"),
            ({"If-Match": etag(OLD)}, "ok", "NoSuchKey"),
            ({"If-Match": etag(OLD).strip('"')}, "ok", "NoSuchKey"),  # quotes optional
            ({"If-Match": wrong}, "PreconditionFailed", "NoSuchKey"),
            ({"If-Match": "%s, %s" % (wrong, etag(OLD))}, "ok", "NoSuchKey"),  # a list
            ({"If-Match": etag(OLDER)}, "PreconditionFailed", "NoSuchKey"),  # only the current version counts
            ({"If-None-Match": etag(OLD)}, "PreconditionFailed", "ok"),
            ({"If-None-Match": wrong}, "ok", "ok"),
            ({"If-Match": etag(OLD), "If-None-Match": wrong}, "ok", "NoSuchKey"),
        ]
        writes = {"put": self.put, "complete": self.complete, "copy": self.copy}
        n = 0
        for operation, write in writes.items():
            for state in ("absent", "present", "deleted", "overwritten"):
                current = state in ("present", "overwritten")
                for conditions, if_current, if_none in cases:
                    n += 1
                    key = "%s-%s-%d" % (operation, state, n)
                    bucket = self.make(state, key)
                    expected = if_current if current else if_none
                    with self.subTest(operation=operation, state=state, conditions=conditions):
                        before = self.history(bucket, key)
                        if expected == "ok":
                            write(bucket, key, conditions)
                            self.assertEqual(self.s3.get_object(Bucket=bucket, Key=key)["Body"].read(), NEW)
                            continue
                        with self.assertRaises(botocore.exceptions.ClientError) as raised:
                            write(bucket, key, conditions)
                        response = raised.exception.response
                        self.assertEqual(response["Error"]["Code"], expected)
                        self.assertEqual(response["ResponseMetadata"]["HTTPStatusCode"],
                                         412 if expected == "PreconditionFailed" else 404)
                        self.assertEqual(self.history(bucket, key), before)
        self.assertEqual(self.s3.list_multipart_uploads(Bucket=PLAIN).get("Uploads", []), [])

    # --- conditions broken while the body is in flight ---

    def held(self, method, path, body, headers, meanwhile):
        """Sends a request signed by root, runs `meanwhile` once it passed its
        arrival checks and before any body byte is sent; returns (status,
        headers, body)."""
        headers = dict(headers, **{"Expect": "100-continue", "Content-Length": str(len(body))})
        head = signed_head(self.daemon.endpoint, method, path, headers)
        with socket.create_connection(("127.0.0.1", self.daemon.port), timeout=60) as sock:
            sock.sendall(head)
            answers = RawResponses(sock)
            answers.expect_continue()
            meanwhile()
            sock.sendall(body)
            return answers.next()

    def disk(self):
        return len(chunk_files_on([self.drive])), pending_files_on([self.drive])

    def test_2_a_put_whose_condition_is_broken_meanwhile_is_a_conflict(self):
        big_old, big_new = pattern(300 << 10, "old"), pattern(300 << 10, "new")  # chunked, not inline
        mine = pattern(200 << 10, "mine")
        cases = [
            # (the key before, condition, what happens meanwhile, answer, what the key holds after)
            (None, {"If-None-Match": "*"}, "put", (409, "ConditionalRequestConflict"), big_new),
            (big_old, {"If-Match": etag(big_old)}, "put", (409, "ConditionalRequestConflict"), big_new),
            (big_old, {"If-None-Match": etag(big_new)}, "put", (409, "ConditionalRequestConflict"), big_new),
            (big_old, {"If-Match": etag(big_old)}, "delete", (404, "NoSuchKey"), None),
            (big_old, {"If-Match": etag(big_old)}, "nothing", (200, ""), mine),
        ]
        for n, (before, condition, meanwhile, answer, after) in enumerate(cases):
            key = "held-put-%d" % n
            with self.subTest(condition=condition, meanwhile=meanwhile):
                start = self.disk()
                if before is not None:
                    self.s3.put_object(Bucket=PLAIN, Key=key, Body=before)
                actions = {"put": lambda: self.s3.put_object(Bucket=PLAIN, Key=key, Body=big_new),
                           "delete": lambda: self.s3.delete_object(Bucket=PLAIN, Key=key),
                           "nothing": lambda: None}
                status, _headers, body = self.held("PUT", "/%s/%s" % (PLAIN, key), mine, condition,
                                                   actions[meanwhile])
                self.assertEqual((status, error_code(body) if status != 200 else ""), answer, body)
                if after is None:
                    with self.assertRaises(botocore.exceptions.ClientError):
                        self.s3.head_object(Bucket=PLAIN, Key=key)
                else:
                    self.assertEqual(self.s3.get_object(Bucket=PLAIN, Key=key)["Body"].read(), after)
                # The refused body's chunks are gone: what is left is what the key held.
                self.s3.delete_object(Bucket=PLAIN, Key=key)
                self.assertEqual(self.disk(), start)

    def start_upload(self, bucket, key):
        upload = self.s3.create_multipart_upload(Bucket=bucket, Key=key)["UploadId"]
        part = self.s3.upload_part(Bucket=bucket, Key=key, UploadId=upload, PartNumber=1, Body=NEW)["ETag"]
        xml = ("<CompleteMultipartUpload><Part><PartNumber>1</PartNumber><ETag>%s</ETag></Part>"
               "</CompleteMultipartUpload>" % part).encode()
        return upload, part, xml

    def test_3_a_complete_whose_upload_or_key_changed_meanwhile(self):
        cases = [
            # (condition, what happens meanwhile, answer)
            ({"If-None-Match": "*"}, "abort", (409, "ConditionalRequestConflict")),
            ({}, "abort", (404, "NoSuchUpload")),
            ({"If-None-Match": "*"}, "put", (409, "ConditionalRequestConflict")),
            ({"If-None-Match": "*"}, "complete", (200, "")),  # an identical request won: its result
            ({}, "complete", (200, "")),
        ]
        for n, (condition, meanwhile, answer) in enumerate(cases):
            key = "held-complete-%d" % n
            with self.subTest(condition=condition, meanwhile=meanwhile):
                upload, part, xml = self.start_upload(VERSIONED, key)
                won = {}

                def act():
                    if meanwhile == "abort":
                        self.s3.abort_multipart_upload(Bucket=VERSIONED, Key=key, UploadId=upload)
                    elif meanwhile == "put":
                        self.s3.put_object(Bucket=VERSIONED, Key=key, Body=OLD)
                    else:
                        won.update(self.s3.complete_multipart_upload(
                            Bucket=VERSIONED, Key=key, UploadId=upload,
                            MultipartUpload={"Parts": [{"PartNumber": 1, "ETag": part}]}))

                status, headers, body = self.held("POST", "/%s/%s?uploadId=%s" % (VERSIONED, key, upload), xml,
                                                  condition, act)
                self.assertEqual((status, error_code(body) if status != 200 else ""), answer, body)
                if meanwhile == "complete":
                    self.assertEqual(ET.fromstring(body).find("{*}ETag").text, won["ETag"])
                    self.assertEqual(headers.get("x-amz-version-id"), won["VersionId"])
                    self.assertEqual(len(self.history(VERSIONED, key)), 1)
                if meanwhile == "put":
                    self.assertEqual(self.s3.get_object(Bucket=VERSIONED, Key=key)["Body"].read(), OLD)
                    self.s3.abort_multipart_upload(Bucket=VERSIONED, Key=key, UploadId=upload)

    def test_4_a_retried_complete_answers_the_same(self):
        for bucket in (PLAIN, VERSIONED):
            with self.subTest(bucket=bucket):
                key = "retried"
                upload, part, _xml = self.start_upload(bucket, key)
                parts = {"Parts": [{"PartNumber": 1, "ETag": part}]}
                first = self.s3.complete_multipart_upload(Bucket=bucket, Key=key, UploadId=upload,
                                                          MultipartUpload=parts)
                for conditions in ({}, {"If-None-Match": "*"}):
                    again = self.conditional(conditions, self.s3.complete_multipart_upload, Bucket=bucket, Key=key,
                                             UploadId=upload, MultipartUpload=parts)
                    self.assertEqual(again["ETag"], first["ETag"])
                    self.assertEqual(again.get("VersionId"), first.get("VersionId"))
                    self.assertEqual((again["Bucket"], again["Key"]), (bucket, key))
                # Another part list is another request: that upload is gone.
                for other in ({"Parts": [{"PartNumber": 1, "ETag": '"%s"' % ("0" * 32)}]},
                              {"Parts": [{"PartNumber": 2, "ETag": part}]}):
                    with self.assertRaises(botocore.exceptions.ClientError) as raised:
                        self.s3.complete_multipart_upload(Bucket=bucket, Key=key, UploadId=upload,
                                                          MultipartUpload=other)
                    self.assertEqual(raised.exception.response["Error"]["Code"], "NoSuchUpload")
                # Overwritten in a versioned bucket, the version is still there: the same answer.
                self.s3.put_object(Bucket=bucket, Key=key, Body=OLD)
                if bucket == VERSIONED:
                    again = self.s3.complete_multipart_upload(Bucket=bucket, Key=key, UploadId=upload,
                                                              MultipartUpload=parts)
                    self.assertEqual(again["VersionId"], first["VersionId"])
                    self.s3.delete_object(Bucket=bucket, Key=key, VersionId=first["VersionId"])
                # Once the version it became is gone, so is the upload.
                with self.assertRaises(botocore.exceptions.ClientError) as raised:
                    self.s3.complete_multipart_upload(Bucket=bucket, Key=key, UploadId=upload, MultipartUpload=parts)
                self.assertEqual(raised.exception.response["Error"]["Code"], "NoSuchUpload")
        # An aborted upload never completes.
        upload, part, _xml = self.start_upload(PLAIN, "aborted")
        self.s3.abort_multipart_upload(Bucket=PLAIN, Key="aborted", UploadId=upload)
        with self.assertRaises(botocore.exceptions.ClientError) as raised:
            self.s3.complete_multipart_upload(Bucket=PLAIN, Key="aborted", UploadId=upload,
                                              MultipartUpload={"Parts": [{"PartNumber": 1, "ETag": part}]})
        self.assertEqual(raised.exception.response["Error"]["Code"], "NoSuchUpload")


def main():
    main_with_workdir(globals(), "shoald-conditional-")


if __name__ == "__main__":
    main()
