#!/usr/bin/python3
"""HTTPS on shoald (docs/tls.md): the self-signed certificate generated at
first start, real clients (boto3, the AWS CLI, curl) verifying it, bad and
slow TLS clients that must not disturb others, certificate reload without a
restart, weak protocol versions and ciphers refused, HTTPS-only mode and the
configuration errors."""
import hashlib
import os
import shutil
import socket
import ssl
import subprocess
import threading
import time
import unittest

from shoald_process import (Daemon, ROOT_PASSWORD, ROOT_USER, clean_env, main_with_workdir, pattern, s3_client,
                            stop_cleanly)

ARGS = None  # set by main_with_workdir()

HEADER_TIMEOUT = 2  # seconds, for the daemons here: how long a stalled handshake may hold a connection

# What the server may negotiate: TLS 1.2, ECDHE, AEAD.
ALLOWED_CIPHERS = {"ECDHE-ECDSA-AES128-GCM-SHA256", "ECDHE-ECDSA-AES256-GCM-SHA384", "ECDHE-ECDSA-CHACHA20-POLY1305"}


def env(**extra):
    return clean_env(SHOAL_ROOT_USER=ROOT_USER, SHOAL_ROOT_PASSWORD=ROOT_PASSWORD,
                     SHOAL_SERVER_HEADER_TIMEOUT="%ds" % HEADER_TIMEOUT, **extra)


def start(**extra):
    daemon = Daemon(ARGS.shoald, ARGS.emulator, env=env(**extra), data_dir=os.path.join(ARGS.workdir, "d%d" % time.monotonic_ns()))
    try:
        daemon.wait_listening()
    except BaseException:
        daemon.close()
        raise
    return daemon


def file_fingerprint(path):
    with open(path) as f:
        der = ssl.PEM_cert_to_DER_cert(f.read())
    return hashlib.sha256(der).hexdigest()


def colon_hex(hex_digest):
    return ":".join(hex_digest[i:i + 2] for i in range(0, len(hex_digest), 2)).upper()


def verifying_context(cafile):
    context = ssl.create_default_context(cafile=cafile)
    return context


def lax_context():
    """A client that checks nothing: to see what the server itself accepts."""
    context = ssl.SSLContext(ssl.PROTOCOL_TLS_CLIENT)
    context.check_hostname = False
    context.verify_mode = ssl.CERT_NONE
    return context


def handshake(port, context, server_hostname="127.0.0.1"):
    """(fingerprint of the server's certificate, TLS version, cipher) of a fresh connection."""
    with socket.create_connection(("127.0.0.1", port), timeout=30) as raw:
        with context.wrap_socket(raw, server_hostname=server_hostname) as tls:
            der = tls.getpeercert(binary_form=True)
            return hashlib.sha256(der).hexdigest(), tls.version(), tls.cipher()[0]


def https_get(port, cafile, path="/health/live", connection=None):
    """(status, body) of a GET on a new connection verifying `cafile`, or on `connection` (kept open)."""
    import http.client
    own = connection is None
    if own:
        connection = http.client.HTTPSConnection("127.0.0.1", port, timeout=30, context=verifying_context(cafile))
    try:
        connection.request("GET", path)
        response = connection.getresponse()
        return response.status, response.read()
    finally:
        if own:
            connection.close()


def run(argv, **kwargs):
    done = subprocess.run(argv, capture_output=True, timeout=300, **kwargs)
    if done.returncode != 0:
        raise AssertionError("%s failed (%d):\n%s\n%s" % (" ".join(argv), done.returncode,
                                                          done.stdout.decode(errors="replace")[-2000:],
                                                          done.stderr.decode(errors="replace")[-2000:]))
    return done


class Traffic:
    """Another client's requests, over HTTPS and plain HTTP, in a loop on a
    thread while a test misbehaves: every one of them must succeed."""

    def __init__(self, daemon):
        self.https = s3_client(daemon.https_endpoint, verify=daemon.certificate)
        self.plain = s3_client(daemon.endpoint)
        self.https.create_bucket(Bucket="traffic")
        self.stop = threading.Event()
        self.done = 0
        self.errors = []
        self.thread = threading.Thread(target=self._loop, daemon=True)

    def _loop(self):
        body = pattern(100_000, "traffic")
        while not self.stop.is_set():
            try:
                for client in (self.https, self.plain):
                    client.put_object(Bucket="traffic", Key="k", Body=body)
                    if client.get_object(Bucket="traffic", Key="k")["Body"].read() != body:
                        raise AssertionError("wrong body")
                    self.done += 1
            except Exception as e:  # noqa: BLE001 - every failure is reported by finish()
                self.errors.append(repr(e))

    def __enter__(self):
        self.thread.start()
        return self

    def __exit__(self, *exc):
        self.stop.set()
        self.thread.join(timeout=120)

    def check(self, test):
        test.assertEqual(self.errors, [])
        test.assertGreater(self.done, 0)


class DefaultTls(unittest.TestCase):
    """One daemon in the default mode: plain HTTP and HTTPS on one port, a
    generated self-signed certificate."""

    @classmethod
    def setUpClass(cls):
        cls.daemon = start()

    @classmethod
    def tearDownClass(cls):
        stop_cleanly(cls.daemon)

    def test_generated_certificate_is_logged_and_served(self):
        daemon = self.daemon
        daemon.wait_for_line(r"generated a self-signed TLS certificate")
        logged = daemon.wait_for_line(r"tls certificate .*sha256=([0-9A-F:]{95})").group(1)
        expected = file_fingerprint(daemon.certificate)
        self.assertEqual(logged, colon_hex(expected))
        key = os.path.join(os.path.dirname(daemon.certificate), "private.key")
        self.assertEqual(os.stat(key).st_mode & 0o777, 0o600)
        # Verified against the certificate itself, by IP address and by name.
        for name in ("127.0.0.1", "localhost"):
            fingerprint, version, cipher = handshake(daemon.port, verifying_context(daemon.certificate), name)
            self.assertEqual(fingerprint, expected)
            self.assertEqual(version, "TLSv1.2")
            self.assertIn(cipher, ALLOWED_CIPHERS)
        self.assertEqual(https_get(daemon.port, daemon.certificate)[0], 200)
        # Plain HTTP stays on the same port.
        connection = daemon.connection()
        connection.request("GET", "/health/live")
        self.assertEqual(connection.getresponse().status, 200)
        connection.close()

    def test_boto3_over_https(self):
        client = s3_client(self.daemon.https_endpoint, verify=self.daemon.certificate)
        client.create_bucket(Bucket="boto3-tls")
        small = b"hello over TLS"
        big = pattern(5 * 1024 * 1024 + 3, "boto3-tls")  # chunked, many TLS records each way
        client.put_object(Bucket="boto3-tls", Key="small", Body=small)
        client.put_object(Bucket="boto3-tls", Key="big", Body=big)
        self.assertEqual(client.get_object(Bucket="boto3-tls", Key="small")["Body"].read(), small)
        self.assertEqual(client.get_object(Bucket="boto3-tls", Key="big")["Body"].read(), big)
        ranged = client.get_object(Bucket="boto3-tls", Key="big", Range="bytes=1000000-1999999")["Body"].read()
        self.assertEqual(ranged, big[1000000:2000000])
        # The same objects over plain HTTP.
        plain = s3_client(self.daemon.endpoint)
        self.assertEqual(plain.get_object(Bucket="boto3-tls", Key="small")["Body"].read(), small)
        # A client that does not trust the certificate is refused by its own check.
        import botocore.exceptions
        untrusting = s3_client(self.daemon.https_endpoint, verify=True)
        with self.assertRaises(botocore.exceptions.SSLError):
            untrusting.list_buckets()

    def test_aws_cli_and_curl_over_https(self):
        work = os.path.join(ARGS.workdir, "cli")
        os.makedirs(work, exist_ok=True)
        cli_env = {"PATH": "/usr/bin:/bin", "HOME": work, "AWS_ACCESS_KEY_ID": ROOT_USER,
                   "AWS_SECRET_ACCESS_KEY": ROOT_PASSWORD, "AWS_DEFAULT_REGION": "us-east-1",
                   "AWS_CONFIG_FILE": os.path.join(work, "aws-config"), "AWS_PAGER": ""}
        with open(cli_env["AWS_CONFIG_FILE"], "w") as f:
            f.write("[default]\ns3 =\n    addressing_style = path\n")

        def aws(*args):
            return run(["/usr/bin/aws", "--endpoint-url", self.daemon.https_endpoint,
                        "--ca-bundle", self.daemon.certificate, *args], env=cli_env)

        big = os.path.join(work, "big")
        with open(big, "wb") as f:
            f.write(pattern(12 * 1024 * 1024 + 11, "aws-tls"))  # over the CLI's 8 MiB multipart threshold
        aws("s3", "mb", "s3://cli-tls")
        aws("s3", "cp", big, "s3://cli-tls/big")
        back = os.path.join(work, "big.back")
        aws("s3", "cp", "s3://cli-tls/big", back)
        with open(big, "rb") as a, open(back, "rb") as b:
            self.assertTrue(a.read() == b.read())
        self.assertIn(b"big", aws("s3", "ls", "s3://cli-tls/").stdout)

        curl = ["/usr/bin/curl", "-sS", "--fail", "--cacert", self.daemon.certificate]
        self.assertEqual(run(curl + ["-o", "/dev/null", "-w", "%{http_code}",
                                     self.daemon.https_endpoint + "/health/live"]).stdout, b"200")
        signer = s3_client(self.daemon.https_endpoint, verify=self.daemon.certificate, signature_version="s3v4")
        presigned = signer.generate_presigned_url(
            "get_object", Params={"Bucket": "cli-tls", "Key": "big"}, ExpiresIn=600)
        self.assertTrue(presigned.startswith("https://"))
        run(curl + ["-o", os.path.join(work, "curl.out"), presigned])
        with open(big, "rb") as a, open(os.path.join(work, "curl.out"), "rb") as b:
            self.assertTrue(a.read() == b.read())
        # Without the CA file curl refuses the self-signed certificate.
        refused = subprocess.run(["/usr/bin/curl", "-sS", "--fail", self.daemon.https_endpoint + "/health/live"],
                                 capture_output=True, timeout=60)
        self.assertNotEqual(refused.returncode, 0)

    def test_bad_clients_do_not_disturb_others(self):
        daemon = self.daemon
        with Traffic(daemon) as traffic:
            # Garbage that starts like a TLS handshake record.
            for garbage in (b"\x16\x03\x01\x00\x10" + os.urandom(16), b"\x16" + os.urandom(3000),
                            b"\x16\x03\x03\xff\xff" + b"\x00" * 100):
                with socket.create_connection(("127.0.0.1", daemon.port), timeout=30) as s:
                    s.sendall(garbage)
                    # Closed, at most after a TLS alert.
                    self.assertFalse(self.read_until_closed(s, HEADER_TIMEOUT + 30).startswith(b"HTTP"))
            # Garbage that does not: answered as a malformed HTTP request.
            with socket.create_connection(("127.0.0.1", daemon.port), timeout=30) as s:
                s.sendall(b"\x01\x02garbage\r\n\r\n")
                self.assertTrue(self.read_until_closed(s, HEADER_TIMEOUT + 30).startswith(b"HTTP/1.1 400"))
            # Half a ClientHello, then silence: closed by the handshake deadline.
            hello = self.client_hello()
            stalled = []
            for _ in range(5):
                s = socket.create_connection(("127.0.0.1", daemon.port), timeout=30)
                s.sendall(hello[:len(hello) // 2])
                stalled.append(s)
            started = time.monotonic()
            for s in stalled:
                self.assertEqual(self.read_until_closed(s, HEADER_TIMEOUT + 30), b"")
                s.close()
            self.assertLess(time.monotonic() - started, HEADER_TIMEOUT + 20)
            # Half a ClientHello, then gone; connections that close at once.
            for _ in range(20):
                with socket.create_connection(("127.0.0.1", daemon.port), timeout=30) as s:
                    s.sendall(hello[:len(hello) // 2])
                with socket.create_connection(("127.0.0.1", daemon.port), timeout=30):
                    pass
            # A TLS client that gives up after its ClientHello (untrusted certificate).
            with self.assertRaises(ssl.SSLError):
                handshake(daemon.port, ssl.create_default_context())
            time.sleep(0.5)
        traffic.check(self)
        self.assertIsNone(daemon.proc.poll())
        daemon.wait_for_line(r"tls handshake failed peer=127\.0\.0\.1:\d+ error=")
        self.assertEqual(https_get(daemon.port, daemon.certificate)[0], 200)

    def test_weak_protocols_and_ciphers_refused(self):
        port = self.daemon.port
        for version in (ssl.TLSVersion.TLSv1, ssl.TLSVersion.TLSv1_1):
            context = lax_context()
            context.set_ciphers("ALL:@SECLEVEL=0")
            context.minimum_version = version
            context.maximum_version = version
            with self.assertRaises((ssl.SSLError, ConnectionError), msg=str(version)):
                handshake(port, context)
        # TLS 1.2, but only CBC ciphers, or no forward secrecy.
        for ciphers in ("ECDHE-ECDSA-AES128-SHA:ECDHE-ECDSA-AES256-SHA384:ECDHE-ECDSA-AES128-SHA256:AES128-SHA",
                        "AES128-GCM-SHA256:AES256-GCM-SHA384", "DHE-RSA-AES128-GCM-SHA256"):
            context = lax_context()
            context.set_ciphers(ciphers + ":@SECLEVEL=0")
            context.maximum_version = ssl.TLSVersion.TLSv1_2
            with self.assertRaises((ssl.SSLError, ConnectionError), msg=ciphers):
                handshake(port, context)
        # Each allowed cipher works on its own.
        for cipher in sorted(ALLOWED_CIPHERS):
            context = lax_context()
            context.set_ciphers(cipher)
            context.maximum_version = ssl.TLSVersion.TLSv1_2
            self.assertEqual(handshake(port, context)[2], cipher)
        # A TLS 1.3-capable client settles on 1.2.
        self.assertEqual(handshake(port, lax_context())[1], "TLSv1.2")
        # Refused by the server, not by the client's own library.
        self.daemon.wait_for_line(r"tls handshake failed .*Handshake protocol not within min/max boundaries")
        self.daemon.wait_for_line(r"tls handshake failed .*no ciphersuites in common")


class CertificateReload(unittest.TestCase):
    def test_replaced_pair_serves_new_connections_without_restart(self):
        daemon = start()
        try:
            old = file_fingerprint(daemon.certificate)
            import http.client
            kept = http.client.HTTPSConnection("127.0.0.1", daemon.port, timeout=30,
                                               context=verifying_context(daemon.certificate))
            self.assertEqual(https_get(daemon.port, None, connection=kept)[0], 200)
            # Another daemon generates another self-signed pair.
            other = start()
            new_certificate = os.path.join(ARGS.workdir, "new.crt")
            new_key = os.path.join(ARGS.workdir, "new.key")
            shutil.copy(other.certificate, new_certificate)
            shutil.copy(os.path.join(os.path.dirname(other.certificate), "private.key"), new_key)
            stop_cleanly(other)
            new = file_fingerprint(new_certificate)
            self.assertNotEqual(old, new)

            # First a broken pair (the new certificate with the old key): ignored, the old pair stays.
            certs = os.path.dirname(daemon.certificate)
            shutil.copy(new_certificate, os.path.join(certs, "public.crt.tmp"))
            os.rename(os.path.join(certs, "public.crt.tmp"), daemon.certificate)
            deadline = time.monotonic() + 30
            while "tls certificate not reloaded" not in daemon.log():  # looked at when connections come
                self.assertEqual(handshake(daemon.port, lax_context())[0], old)
                self.assertLess(time.monotonic(), deadline, "the broken pair was never looked at")
                time.sleep(0.2)
            self.assertEqual(handshake(daemon.port, lax_context())[0], old)
            # Then the matching key: new connections get the new certificate.
            shutil.copy(new_key, os.path.join(certs, "private.key.tmp"))
            os.rename(os.path.join(certs, "private.key.tmp"), os.path.join(certs, "private.key"))
            deadline = time.monotonic() + 30
            while handshake(daemon.port, lax_context())[0] != new:
                self.assertLess(time.monotonic(), deadline, "the new certificate was never served")
                time.sleep(0.2)
            daemon.wait_for_line(r"tls certificate reloaded .*sha256=" + colon_hex(new))
            self.assertEqual(handshake(daemon.port, verifying_context(new_certificate))[0], new)
            client = s3_client(daemon.https_endpoint, verify=new_certificate)
            client.create_bucket(Bucket="reloaded")
            # The connection opened before goes on with the old certificate.
            self.assertEqual(https_get(daemon.port, None, connection=kept)[0], 200)
            self.assertEqual(hashlib.sha256(kept.sock.getpeercert(binary_form=True)).hexdigest(), old)
            kept.close()
        finally:
            stop_cleanly(daemon)


class HttpsOnly(unittest.TestCase):
    def test_plain_http_is_refused(self):
        daemon = start(SHOAL_SERVER_HTTP="off")
        try:
            daemon.wait_for_line(r"listening address=\S+ url=https://")
            connection = daemon.connection()
            connection.request("GET", "/health/live")
            response = connection.getresponse()
            self.assertEqual(response.status, 400)
            self.assertIn(b"https://", response.read())
            connection.close()
            self.assertEqual(https_get(daemon.port, daemon.certificate)[0], 200)
            client = s3_client(daemon.https_endpoint, verify=daemon.certificate)
            client.create_bucket(Bucket="only-tls")
            self.assertEqual(client.list_buckets()["Buckets"][0]["Name"], "only-tls")
        finally:
            stop_cleanly(daemon)


class TlsOff(unittest.TestCase):
    def test_no_certificate_and_no_tls(self):
        daemon = start(SHOAL_SERVER_TLS="off")
        try:
            self.assertFalse(os.path.exists(daemon.certificate))
            with self.assertRaises((ssl.SSLError, ConnectionError)):
                handshake(daemon.port, lax_context())
            connection = daemon.connection()
            connection.request("GET", "/health/live")
            self.assertEqual(connection.getresponse().status, 200)
            connection.close()
        finally:
            stop_cleanly(daemon)


class ConfigurationErrors(unittest.TestCase):
    def run_daemon(self, data_dir, **extra):
        argv = [*(ARGS.emulator.split()), ARGS.shoald, "server", "--address", "127.0.0.1:0", data_dir]
        return subprocess.run(argv, env=env(**extra), capture_output=True, timeout=120)

    def test_nothing_to_serve_is_a_config_error(self):
        done = self.run_daemon(os.path.join(ARGS.workdir, "none"), SHOAL_SERVER_HTTP="off", SHOAL_SERVER_TLS="off")
        self.assertEqual(done.returncode, 2, done.stderr)
        self.assertIn(b"server.http", done.stderr)

    def test_tls_on_needs_a_certificate(self):
        done = self.run_daemon(os.path.join(ARGS.workdir, "on"), SHOAL_SERVER_TLS="on")
        self.assertEqual(done.returncode, 1, done.stderr)
        self.assertIn(b"server.tls = on needs the pair", done.stderr)

    def test_named_files_must_exist(self):
        done = self.run_daemon(os.path.join(ARGS.workdir, "named"),
                               SHOAL_SERVER_TLS_CERT=os.path.join(ARGS.workdir, "missing.crt"),
                               SHOAL_SERVER_TLS_KEY=os.path.join(ARGS.workdir, "missing.key"))
        self.assertEqual(done.returncode, 1, done.stderr)
        self.assertIn(b"missing.crt", done.stderr)


def client_hello():
    """The bytes of a real ClientHello."""
    incoming, outgoing = ssl.MemoryBIO(), ssl.MemoryBIO()
    tls = ssl.create_default_context().wrap_bio(incoming, outgoing, server_hostname="localhost")
    try:
        tls.do_handshake()
    except ssl.SSLWantReadError:
        pass
    return outgoing.read()


def read_until_closed(s, timeout):
    """What the server sends until it closes the connection (b"" when it
    closes without a word); fails if it is still open after `timeout`."""
    s.settimeout(timeout)
    data = b""
    try:
        while True:
            block = s.recv(65536)
            if not block:
                return data
            data += block
    except ConnectionResetError:
        return data


DefaultTls.client_hello = staticmethod(client_hello)
DefaultTls.read_until_closed = staticmethod(read_until_closed)


if __name__ == "__main__":
    main_with_workdir(globals(), "shoald-tls-")
