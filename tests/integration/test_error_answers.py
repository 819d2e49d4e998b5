#!/usr/bin/python3
"""What a client learns from an error, and what every answer carries.

  - an internal failure (here: an object whose only chunk file is gone) is
    answered 500 InternalError with a generic message and the request id, to
    anonymous and signed clients alike: no path, drive id or system error;
    the log line under that request id has the detail, and so has root's
    GET /_shoal/errors?request-id=; nobody else may read it;
  - every answer carries x-amz-request-id, errors a <RequestId> too: S3
    successes and errors, the health endpoint, a 400 for a head that is not
    HTTP (refused before routing), a 404 (whose message still names the key:
    4xx messages explain the client's own mistake)."""
import os
import re
import socket
import unittest
import urllib.request
import xml.etree.ElementTree as ET

from shoald_process import (Daemon, GENERIC_MESSAGES, RawResponses, chunk_files_on, failure_detail,
                           main_with_workdir, pattern, s3_client, shoald_admin, signed_head, stop_cleanly)

ARGS = None
BUCKET = "errors"
CHUNK = 64 << 10


def anonymous(daemon, method, path):
    """(status, lower-case headers, body) of an unsigned request."""
    request = urllib.request.Request(daemon.endpoint + path, method=method)
    try:
        with urllib.request.urlopen(request, timeout=30) as r:
            return r.status, {k.lower(): v for k, v in r.headers.items()}, r.read()
    except urllib.error.HTTPError as e:
        return e.code, {k.lower(): v for k, v in e.headers.items()}, e.read()


def raw(daemon, data):
    """The first answer to bytes sent on a fresh connection."""
    with socket.create_connection(("127.0.0.1", daemon.port), timeout=30) as s:
        s.sendall(data)
        return RawResponses(s).next()


class ErrorAnswers(unittest.TestCase):
    @classmethod
    def setUpClass(cls):
        cls.daemon = Daemon(ARGS.shoald, ARGS.emulator, data_dir=os.path.join(ARGS.workdir, "node"),
                            env=None, flags=())
        cls.daemon.wait_listening()
        cls.s3 = s3_client(cls.daemon.endpoint)
        cls.s3.create_bucket(Bucket=BUCKET)
        code, out = shoald_admin(cls.daemon, "public-read", BUCKET, "on")
        assert code == 0, out

    @classmethod
    def tearDownClass(cls):
        stop_cleanly(cls.daemon)

    def assert_request_id(self, headers, body=None):
        """The answer's request id (header), the same in an <Error> body."""
        request_id = headers.get("x-amz-request-id")
        self.assertRegex(request_id or "", r"^[0-9A-F]{16,}$")
        if body:
            self.assertEqual(ET.fromstring(body).findtext("RequestId"), request_id, body)
        return request_id

    def test_internal_failure_tells_the_client_nothing_of_the_node(self):
        key = "gone"
        self.s3.put_object(Bucket=BUCKET, Key=key, Body=pattern(2 * CHUNK, key))
        for path in chunk_files_on(self.daemon.drives):
            os.remove(path)
        drive = self.daemon.drives[0]
        # Anonymous (the bucket is public-read), then signed.
        status, headers, body = anonymous(self.daemon, "GET", "/%s/%s" % (BUCKET, key))
        self.assertEqual(status, 500, body)
        error = ET.fromstring(body)
        self.assertEqual(error.findtext("Code"), "InternalError")
        self.assertEqual(error.findtext("Message"), GENERIC_MESSAGES["InternalError"])
        self.assertNotIn(drive.encode(), body)
        self.assertNotIn(b"chunk", body)
        request_id = self.assert_request_id(headers, body)
        logged = self.daemon.wait_for_line(r"request_id=%s .*" % request_id).group(0)
        self.assertIn(drive, logged)  # the detail names the drive and the object
        self.assertIn(key, logged)
        with self.assertRaises(self.s3.exceptions.ClientError) as caught:
            self.s3.get_object(Bucket=BUCKET, Key=key)
        _status, _code, detail = failure_detail(self.daemon, caught.exception)  # generic to the client
        self.assertIn(drive, detail)

        # Root reads the detail by request id; an anonymous client may not.
        with socket.create_connection(("127.0.0.1", self.daemon.port), timeout=30) as s:
            s.sendall(signed_head(self.daemon.endpoint, "GET", "/_shoal/errors?request-id=" + request_id))
            status, headers, body = RawResponses(s).next()
        self.assertEqual(status, 200, body)
        found = ET.fromstring(body).findall("Error")
        self.assertEqual(len(found), 1, body)
        self.assertEqual(found[0].findtext("Status"), "500")
        self.assertEqual(found[0].findtext("Path"), "/%s/%s" % (BUCKET, key))
        self.assertIn(drive, found[0].findtext("Detail"))
        code, out = shoald_admin(self.daemon, "errors")
        self.assertEqual(code, 0, out)
        self.assertIn(request_id, out)
        status, headers, body = anonymous(self.daemon, "GET", "/_shoal/errors")
        self.assertEqual(status, 403, body)
        self.assertNotIn(drive.encode(), body)
        self.assert_request_id(headers, body)

    def test_every_answer_carries_a_request_id(self):
        # S3 success and client error (whose message explains the mistake).
        put = self.s3.put_object(Bucket=BUCKET, Key="here", Body=b"x")
        self.assertRegex(put["ResponseMetadata"]["RequestId"], r"^[0-9A-F]{16,}$")
        status, headers, body = anonymous(self.daemon, "GET", "/%s/absent" % BUCKET)
        self.assertEqual(status, 404)
        self.assertIn(b"absent", body)
        self.assert_request_id(headers, body)
        # Health, and its refusal of a method.
        status, headers, _ = anonymous(self.daemon, "GET", "/health/live")
        self.assertEqual(status, 200)
        first = self.assert_request_id(headers)
        status, headers, _ = anonymous(self.daemon, "GET", "/health/live")
        self.assertNotEqual(self.assert_request_id(headers), first)
        status, headers, body = anonymous(self.daemon, "DELETE", "/health/live")
        self.assertEqual(status, 405)
        self.assert_request_id(headers, body)
        # Refused by the HTTP layer before any routing.
        status, headers, body = raw(self.daemon, b"NOT HTTP AT ALL\r\n\r\n")
        self.assertEqual(status, 400, body)
        self.assertEqual(ET.fromstring(body).findtext("Code"), "BadRequest")
        self.assert_request_id(headers, body)
        status, headers, body = raw(self.daemon, b"GET / HTTP/1.1\r\nHost: x\r\nX-Big: " + b"a" * 20000 + b"\r\n\r\n")
        self.assertEqual(status, 431, body)
        self.assert_request_id(headers, body)


def main():
    main_with_workdir(globals(), "shoald-errors-")


if __name__ == "__main__":
    main()
