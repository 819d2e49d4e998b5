#!/usr/bin/python3
"""Authentication of a real shoald: SigV4 header and presigned requests, the
failures S3 clients must see, and presigned URLs used with curl."""
import argparse
import datetime
import hashlib
import http.client
import os
import subprocess
import sys
import time
import unittest
import urllib.parse

import botocore
from botocore.auth import SigV4Auth
from botocore.awsrequest import AWSRequest
from botocore.credentials import Credentials

from shoald_process import Daemon, run_suite, ROOT_PASSWORD, ROOT_USER, s3_client

DAEMON = None
CURL = "/usr/bin/curl"


def client(access=ROOT_USER, secret=ROOT_PASSWORD):
    # s3v4: this botocore presigns with signature V2 unless told otherwise.
    return s3_client(DAEMON.endpoint, access, secret, signature_version="s3v4")


def send(method, path, body=b"", headers=None, sign=True, when=None, secret=ROOT_PASSWORD, region="us-east-1"):
    request = AWSRequest(method=method, url=DAEMON.endpoint + path, data=body, headers=headers or {})
    if sign:
        request.headers["x-amz-content-sha256"] = hashlib.sha256(body).hexdigest()
        signer = SigV4Auth(Credentials(ROOT_USER, secret), "s3", region)
        if when is not None:
            # botocore reads the clock through datetime.datetime.utcnow().
            real = botocore.auth.datetime.datetime

            class Skewed(real):
                @classmethod
                def utcnow(cls):
                    return when
            botocore.auth.datetime.datetime = Skewed
            try:
                signer.add_auth(request)
            finally:
                botocore.auth.datetime.datetime = real
        else:
            signer.add_auth(request)
    prepared = request.prepare()
    conn = http.client.HTTPConnection("127.0.0.1", DAEMON.port, timeout=30)
    conn.request(method, path, body=body, headers=dict(prepared.headers))
    response = conn.getresponse()
    data = response.read()
    conn.close()
    return response.status, data


def code_of(body):
    start = body.find(b"<Code>")
    return body[start + 6:body.find(b"</Code>")].decode() if start >= 0 else ""


class Signatures(unittest.TestCase):
    @classmethod
    def setUpClass(cls):
        client().create_bucket(Bucket="auth-tests")

    def test_wrong_secret(self):
        with self.assertRaises(botocore.exceptions.ClientError) as ctx:
            client(secret="not-the-secret-at-all").list_objects_v2(Bucket="auth-tests")
        self.assertEqual(ctx.exception.response["Error"]["Code"], "SignatureDoesNotMatch")

    def test_unknown_access_key(self):
        with self.assertRaises(botocore.exceptions.ClientError) as ctx:
            client(access="NOSUCHKEY123").list_buckets()
        self.assertEqual(ctx.exception.response["Error"]["Code"], "InvalidAccessKeyId")

    def test_anonymous(self):
        status, body = send("GET", "/auth-tests", sign=False)
        self.assertEqual((status, code_of(body)), (403, "AccessDenied"))

    def test_skewed_clock(self):
        when = datetime.datetime.utcnow() - datetime.timedelta(minutes=20)
        status, body = send("GET", "/auth-tests", when=when)
        self.assertEqual((status, code_of(body)), (403, "RequestTimeTooSkewed"))
        near = datetime.datetime.utcnow() - datetime.timedelta(minutes=5)
        self.assertEqual(send("GET", "/auth-tests", when=near)[0], 200)

    def test_wrong_region(self):
        status, body = send("GET", "/auth-tests", region="eu-west-1")
        self.assertEqual(status, 400)
        self.assertEqual(code_of(body), "AuthorizationHeaderMalformed")

    def test_payload_hash_mismatch_writes_nothing(self):
        body = b"the real body"
        request = AWSRequest(method="PUT", url=DAEMON.endpoint + "/auth-tests/tampered", data=body)
        request.headers["x-amz-content-sha256"] = hashlib.sha256(b"another body").hexdigest()
        SigV4Auth(Credentials(ROOT_USER, ROOT_PASSWORD), "s3", "us-east-1").add_auth(request)
        conn = http.client.HTTPConnection("127.0.0.1", DAEMON.port, timeout=30)
        conn.request("PUT", "/auth-tests/tampered", body=body, headers=dict(request.prepare().headers))
        response = conn.getresponse()
        self.assertEqual((response.status, code_of(response.read())), (400, "XAmzContentSHA256Mismatch"))
        conn.close()
        with self.assertRaises(botocore.exceptions.ClientError):
            client().head_object(Bucket="auth-tests", Key="tampered")

    def test_tampered_header_after_signing(self):
        request = AWSRequest(method="GET", url=DAEMON.endpoint + "/auth-tests", headers={"x-amz-meta-a": "1"})
        request.headers["x-amz-content-sha256"] = hashlib.sha256(b"").hexdigest()
        SigV4Auth(Credentials(ROOT_USER, ROOT_PASSWORD), "s3", "us-east-1").add_auth(request)
        headers = dict(request.prepare().headers)
        headers["x-amz-meta-a"] = "2"
        conn = http.client.HTTPConnection("127.0.0.1", DAEMON.port, timeout=30)
        conn.request("GET", "/auth-tests", headers=headers)
        response = conn.getresponse()
        self.assertEqual((response.status, code_of(response.read())), (403, "SignatureDoesNotMatch"))
        conn.close()

    def test_malformed_authorization(self):
        for value in ["AWS4-HMAC-SHA256", "AWS4-HMAC-SHA256 Credential=x", "Bearer token",
                      "AWS4-HMAC-SHA256 Credential=%s/20260101/us-east-1/s3/aws4_request, SignedHeaders=host, "
                      "Signature=zz" % ROOT_USER]:
            status, body = send("GET", "/auth-tests", sign=False,
                                headers={"Authorization": value, "x-amz-date": "20260101T000000Z"})
            self.assertIn(status, (400, 403), value)
            self.assertTrue(code_of(body), value)


class Presigned(unittest.TestCase):
    @classmethod
    def setUpClass(cls):
        client().create_bucket(Bucket="presigned")

    def curl(self, *args):
        return subprocess.run([CURL, "-s", "-o", "-", "-w", "\n%{http_code}", *args], capture_output=True,
                              timeout=60, check=True).stdout

    def test_get_and_put_with_curl(self):
        s3 = client()
        put_url = s3.generate_presigned_url("put_object", Params={"Bucket": "presigned", "Key": "via curl"},
                                            ExpiresIn=300)
        data = os.urandom(100000)
        path = os.path.join(DAEMON.data_dir, "upload.bin")
        with open(path, "wb") as f:
            f.write(data)
        out = self.curl("-X", "PUT", "-T", path, put_url)
        self.assertTrue(out.endswith(b"\n200"), out[-300:])
        get_url = s3.generate_presigned_url("get_object", Params={"Bucket": "presigned", "Key": "via curl"},
                                            ExpiresIn=300)
        out = self.curl(get_url)
        self.assertEqual(out, data + b"\n200")
        # A changed query breaks the signature.
        out = self.curl(get_url.replace("via%20curl", "via%20curl2"))
        self.assertTrue(out.endswith(b"\n403"), out)
        self.assertIn(b"SignatureDoesNotMatch", out)

    def test_expired(self):
        url = client().generate_presigned_url("get_object", Params={"Bucket": "presigned", "Key": "x"}, ExpiresIn=1)
        time.sleep(2.5)
        out = self.curl(url)
        self.assertTrue(out.endswith(b"\n403"), out)
        self.assertIn(b"AccessDenied", out)
        self.assertIn(b"expired", out)

    def test_too_long_expiry_is_refused(self):
        url = client().generate_presigned_url("get_object", Params={"Bucket": "presigned", "Key": "x"},
                                              ExpiresIn=604801)
        out = self.curl(url)
        self.assertTrue(out.endswith(b"\n400"), out)


def main():
    global DAEMON
    parser = argparse.ArgumentParser()
    parser.add_argument("--shoald", required=True)
    parser.add_argument("--emulator", default="")
    args, rest = parser.parse_known_args()
    DAEMON = Daemon(args.shoald, args.emulator)
    run_suite(lambda: DAEMON, [sys.argv[0]] + rest)


if __name__ == "__main__":
    main()
