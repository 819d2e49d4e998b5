"""Starting and stopping a real shoald for integration tests.

shoald runs natively or through qemu-user (the emulator command is passed in
by ctest), on a loopback port it picks itself (port 0) and reports in its
log, with data in a fresh temporary directory.
"""
import os
import re
import shlex
import signal
import subprocess
import tempfile
import threading
import time

# Emulated start-up is slow; generous but bounded.
START_TIMEOUT = 60

NOBODY = 65534  # uid and gid of "nobody" on Debian

ROOT_USER = "shoaltestroot"
ROOT_PASSWORD = "shoal-test-secret-0123456789"


def clean_env(**extra):
    env = {k: v for k, v in os.environ.items() if not k.startswith("SHOAL_")}
    env.update(extra)
    return env


def s3_client(endpoint, access_key=ROOT_USER, secret_key=ROOT_PASSWORD, attempts=1, s3=None, verify=None, **config):
    """A boto3 S3 client for a test daemon: path-style addressing, region
    us-east-1, `attempts` tries per call; `s3` adds S3 options (such as
    payload_signing_enabled), `config` other botocore Config options;
    `verify` the CA file an https:// endpoint's certificate is checked
    against (Daemon.certificate)."""
    import boto3
    from botocore.config import Config
    options = {"addressing_style": "path"}
    options.update(s3 or {})
    return boto3.client("s3", endpoint_url=endpoint, aws_access_key_id=access_key, aws_secret_access_key=secret_key,
                        region_name="us-east-1", verify=verify,
                        config=Config(s3=options, retries={"max_attempts": attempts}, **config))


# What a client is told of an internal failure (core/s3/errors.cpp): never a
# path, a drive or a system error. The detail is logged under the request id.
GENERIC_MESSAGES = {
    "InternalError": "We encountered an internal error. Please try again.",
    "ServiceUnavailable": "Service is unable to handle request.",
    "SlowDown": "Please reduce your request rate.",
    "InsufficientStorage": "There is not enough storage on this node to complete the request.",
}


def failure_detail(daemon, error, timeout=10):
    """(HTTP status, S3 code, detail) of a botocore ClientError answered by
    `daemon`. For an internal failure (5xx but 501) the client's message must
    be the generic one of its code (AssertionError otherwise), and the detail
    is the log line carrying the answer's request id; for others it is the
    message."""
    response = error.response
    status = response["ResponseMetadata"]["HTTPStatusCode"]
    code = response["Error"]["Code"]
    message = response["Error"].get("Message", "")
    if status < 500 or status == 501:
        return status, code, message
    if message != GENERIC_MESSAGES.get(code):
        raise AssertionError("a %d %s answer tells the client %r" % (status, code, message))
    request_id = response["ResponseMetadata"].get("RequestId")
    if not request_id:
        raise AssertionError("a %d %s answer without a request id" % (status, code))
    return status, code, daemon.wait_for_line(r"request_id=%s .*" % re.escape(request_id), timeout).group(0)


def pattern(size, seed):
    """`size` bytes of a pattern that differs with `seed` (2 KiB repeats)."""
    import hashlib
    block = hashlib.sha256(seed.encode()).digest() * 64
    return (block * (size // len(block) + 1))[:size]


def stop_cleanly(daemon):
    """Stops the daemon (SIGTERM) and closes it; raises AssertionError, with
    the log, unless it exited with status 0."""
    code = daemon.stop()
    daemon.close()
    if code != 0:
        raise AssertionError("shoald exited with %d; log:\n%s" % (code, daemon.log()[-4000:]))


def shoald_admin(daemon, *args):
    """Runs `shoald admin ARGS --endpoint <daemon>` (through the emulator, if
    any) with the root credentials; returns (exit status, stdout + stderr)."""
    env = clean_env(SHOAL_ROOT_USER=ROOT_USER, SHOAL_ROOT_PASSWORD=ROOT_PASSWORD)
    done = subprocess.run(daemon.command("admin", *args, "--endpoint", daemon.endpoint),
                          env=env, capture_output=True, timeout=120)
    return done.returncode, done.stdout.decode() + done.stderr.decode()


def wait_for_clean_scrub(daemon, timeout=180):
    """Waits until the daemon's scrub finished a pass that repaired nothing
    and found nothing unrecoverable, after at least one other pass (the one
    that repaired); raises AssertionError with the log's end if it does not."""
    import xml.etree.ElementTree as ET
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        code, out = shoald_admin(daemon, "drives", "--xml")
        scrub = ET.fromstring(out.strip()).find("Scrub") if code == 0 else None
        if (scrub is not None and int(scrub.findtext("Passes")) >= 2 and scrub.findtext("Running") == "false"
                and scrub.findtext("PiecesRebuilt") == "0" and scrub.findtext("Unrecoverable") == "0"):
            return
        time.sleep(0.3)
    raise AssertionError("no clean scrub pass in %d s; log:\n%s" % (timeout, daemon.log()[-4000:]))


def main_with_workdir(module_globals, prefix, add_options=None):
    """The main() of a test module that takes --shoald, --emulator,
    --workdir and --sanitized (shoald built with ASan/UBSan), and whatever
    `add_options(parser)` adds: sets the module's ARGS and runs its tests in
    a new work directory (run_in_workdir)."""
    import argparse
    import sys
    parser = argparse.ArgumentParser()
    parser.add_argument("--shoald", required=True)
    parser.add_argument("--emulator", default="")
    parser.add_argument("--workdir", default=None)
    parser.add_argument("--sanitized", action="store_true")
    if add_options:
        add_options(parser)
    args, rest = parser.parse_known_args()
    module_globals["ARGS"] = args
    run_in_workdir(args, [sys.argv[0]] + rest, prefix)


def run_in_workdir(args, argv, prefix):
    """Runs this module's unittest suite with args.workdir replaced by a new
    temporary directory below it (below the system's default when None),
    removed afterwards whatever happens."""
    import shutil
    import unittest
    args.workdir = tempfile.mkdtemp(prefix=prefix, dir=args.workdir)
    try:
        unittest.main(argv=argv)
    finally:
        shutil.rmtree(args.workdir, ignore_errors=True)


def chunk_files_on(drives):
    """Paths of the chunk files in these drive directories (pending ones left out)."""
    found = []
    for drive in drives:
        for root, _dirs, files in os.walk(os.path.join(drive, "chunks")):
            if os.path.basename(root) != "pending":
                found += [os.path.join(root, f) for f in files]
    return found


def chunk_owner(path):
    """(bucket, key, version or upload id, part number, chunk index) read from
    a chunk file's header (docs/chunk-format.md)."""
    import struct
    with open(path, "rb") as f:
        header = f.read(4096)
    part, index = struct.unpack_from("<II", header, 56)
    fields, at = [], 72
    for _ in range(3):
        (n,) = struct.unpack_from("<H", header, at)
        fields.append(header[at + 2:at + 2 + n].decode())
        at += 2 + n
    return fields[0], fields[1], fields[2], part, index


def pending_files_on(drives):
    """Names of the pending (unfinished) chunk files in these drive directories."""
    found = []
    for drive in drives:
        pending = os.path.join(drive, "chunks", "pending")
        if os.path.isdir(pending):
            found += os.listdir(pending)
    return found


def wait_until(probe, timeout, what, interval=0.05):
    """Polls `probe` until it returns a true value, which is returned; raises
    AssertionError naming `what` (a string, or a function of the last value)
    if it does not within `timeout` seconds."""
    deadline = time.monotonic() + timeout
    while True:
        value = probe()
        if value:
            return value
        if time.monotonic() >= deadline:
            raise AssertionError("after %.1f s: %s" % (timeout, what(value) if callable(what) else what))
        time.sleep(interval)


def open_fd_count(pid):
    """File descriptors the process holds (under qemu-user: the emulator's, which are the guest's too)."""
    return len(os.listdir("/proc/%d/fd" % pid))


def rss_bytes(pid):
    with open("/proc/%d/status" % pid) as f:
        for line in f:
            if line.startswith("VmRSS:"):
                return int(line.split()[1]) * 1024
    raise AssertionError("no VmRSS for pid %d" % pid)


STREAMING_PAYLOAD = "STREAMING-AWS4-HMAC-SHA256-PAYLOAD"


def signed_head(endpoint, method, path, headers=None, access_key=ROOT_USER, secret_key=ROOT_PASSWORD,
                payload="UNSIGNED-PAYLOAD"):
    """The head (bytes, up to the blank line) of a request signed by botocore's
    SigV4 signer, for requests sent by hand on a raw socket (a body cut short,
    longer than declared, sent slowly...). `headers` should carry
    Content-Length when a body follows; `payload` is the x-amz-content-sha256
    value: UNSIGNED-PAYLOAD, the body's hex SHA-256, or STREAMING_PAYLOAD for
    an aws-chunked body (aws_chunks)."""
    from botocore.auth import SigV4Auth
    from botocore.awsrequest import AWSRequest
    from botocore.credentials import Credentials
    request = AWSRequest(method=method, url=endpoint + path, headers=dict(headers or {}))
    request.headers["x-amz-content-sha256"] = payload
    SigV4Auth(Credentials(access_key, secret_key), "s3", "us-east-1").add_auth(request)
    lines = ["%s %s HTTP/1.1" % (method, path), "Host: %s" % endpoint.split("://", 1)[1]]
    lines += ["%s: %s" % (k, v) for k, v in request.headers.items()]
    return ("\r\n".join(lines) + "\r\n\r\n").encode()


def aws_chunks(head, secret_key, pieces):
    """The aws-chunked encoding of `pieces` (bytes each), ending chunk
    included, for a body following `head` (signed_head with
    payload=STREAMING_PAYLOAD and x-amz-decoded-content-length): a list of
    encoded chunks, each signed, chained from the head's signature, so that
    a test can send them when it likes."""
    import hashlib
    import hmac
    text = head.decode("latin-1")
    amz_date = re.search(r"(?im)^x-amz-date: (\S+)", text).group(1)
    seed = re.search(r"Signature=([0-9a-f]{64})", text).group(1)
    day = amz_date[:8]
    scope = "%s/us-east-1/s3/aws4_request" % day
    key = ("AWS4" + secret_key).encode()
    for part in (day, "us-east-1", "s3", "aws4_request"):
        key = hmac.new(key, part.encode(), hashlib.sha256).digest()
    empty = hashlib.sha256(b"").hexdigest()
    encoded, previous = [], seed
    for data in list(pieces) + [b""]:
        to_sign = "\n".join(["AWS4-HMAC-SHA256-PAYLOAD", amz_date, scope, previous, empty,
                             hashlib.sha256(data).hexdigest()])
        previous = hmac.new(key, to_sign.encode(), hashlib.sha256).hexdigest()
        encoded.append(b"%x;chunk-signature=%s\r\n%s\r\n" % (len(data), previous.encode(), data))
    return encoded


def aws_chunked_length(sizes):
    """The Content-Length of an aws-chunked body (aws_chunks) whose pieces
    have these sizes."""
    return sum(len("%x;chunk-signature=" % n) + 64 + 2 + n + 2 for n in list(sizes) + [0])


class RawResponses:
    """Reads successive HTTP/1.1 responses from a raw client socket."""

    def __init__(self, sock):
        self.file = sock.makefile("rb")

    def expect_continue(self):
        """Waits for the "100 Continue" a request with "Expect: 100-continue"
        gets once its handler starts reading the body (so: after the request
        passed its access and arrival checks); raises AssertionError with
        whatever came instead."""
        line = self.file.readline()
        if not line.startswith(b"HTTP/1.1 100"):
            raise AssertionError("no 100 Continue but %r %r" % (line, self.file.read1(4096)))
        while self.file.readline().rstrip(b"\r\n"):
            pass

    def next(self):
        """(status, {lower-case header: value}, body), or None if the server
        closed the connection (or reset it) before a status line."""
        try:
            line = self.file.readline()
        except ConnectionResetError:
            return None
        if not line:
            return None
        status = int(line.split()[1])
        headers = {}
        while True:
            line = self.file.readline().rstrip(b"\r\n")
            if not line:
                break
            name, _, value = line.decode("latin-1").partition(":")
            headers[name.strip().lower()] = value.strip()
        if status == 100:
            return self.next()
        if "content-length" in headers:
            body = self.file.read(int(headers["content-length"]))
        elif headers.get("transfer-encoding") == "chunked":
            body = b""
            while True:
                size = int(self.file.readline().split(b";")[0], 16)
                body += self.file.read(size)
                self.file.readline()
                if size == 0:
                    break
        else:
            body = self.file.read()
        return status, headers, body

    def at_end(self):
        """True if the server closed the connection with nothing more sent."""
        try:
            return self.file.read(1) == b""
        except ConnectionResetError:
            return True


class Daemon:
    """A running shoald whose stderr is collected on a thread."""

    def __init__(self, shoald, emulator="", flags=(), drives=None, env=None, data_dir=None, unprivileged=False):
        self.shoald = shoald
        self.emulator = emulator
        self._own_data = data_dir is None
        self.data_dir = data_dir or tempfile.mkdtemp(prefix="shoald-it-")
        if drives is None:
            drives = [os.path.join(self.data_dir, "d1")]
        self.drives = drives
        if env is None:
            env = clean_env(SHOAL_ROOT_USER=ROOT_USER, SHOAL_ROOT_PASSWORD=ROOT_PASSWORD)
        argv = self.command("server", "--address", "127.0.0.1:0", *flags, *drives)
        if unprivileged and os.geteuid() == 0:
            # File permissions bind only an unprivileged process: tests that
            # make a drive unreadable run shoald as nobody, owning its data.
            subprocess.run(["chown", "-R", "%d:%d" % (NOBODY, NOBODY), self.data_dir], check=True)
            argv = ["setpriv", "--reuid=%d" % NOBODY, "--regid=%d" % NOBODY, "--clear-groups"] + argv
        self.proc = subprocess.Popen(argv, stdout=subprocess.DEVNULL, stderr=subprocess.PIPE, env=env)
        self.lines = []
        self.cond = threading.Condition()
        self.reader = threading.Thread(target=self._read, daemon=True)
        self.reader.start()
        self.port = None

    def command(self, *args):
        return shlex.split(self.emulator) + [self.shoald, *args]

    def _read(self):
        for raw in self.proc.stderr:
            with self.cond:
                self.lines.append(raw.decode("utf-8", "replace"))
                self.cond.notify_all()
        with self.cond:
            self.cond.notify_all()

    def wait_for_line(self, pattern, timeout=START_TIMEOUT):
        regex = re.compile(pattern)
        deadline = time.monotonic() + timeout
        with self.cond:
            while True:
                for line in self.lines:
                    m = regex.search(line)
                    if m:
                        return m
                remaining = deadline - time.monotonic()
                if remaining <= 0 or (self.proc.poll() is not None and not self.reader.is_alive()):
                    raise AssertionError("no log line matching %r; log so far:\n%s" % (pattern, self.log()))
                self.cond.wait(min(remaining, 0.2))

    def wait_listening(self):
        m = self.wait_for_line(r"listening address=127\.0\.0\.1:(\d+)")
        self.port = int(m.group(1))
        return self.port

    def connection(self):
        import http.client
        return http.client.HTTPConnection("127.0.0.1", self.port, timeout=30)

    @property
    def endpoint(self):
        return "http://127.0.0.1:%d" % self.port

    @property
    def https_endpoint(self):
        """The same port over TLS (server.tls = auto, the default)."""
        return "https://127.0.0.1:%d" % self.port

    @property
    def certificate(self):
        """The TLS certificate the daemon serves by default (generated
        self-signed at its first start): the CA file for its clients."""
        return os.path.join(self.drives[0], "certs", "public.crt")

    def chunk_files(self):
        """Paths of the chunk files on this daemon's drives (pending ones left out)."""
        return chunk_files_on(self.drives)

    def log(self):
        with self.cond:
            return "".join(self.lines)

    def stop(self, sig=signal.SIGTERM, timeout=START_TIMEOUT):
        self.proc.send_signal(sig)
        code = self.proc.wait(timeout=timeout)
        self.reader.join(timeout=10)
        return code

    def kill(self):
        self.proc.kill()
        self.proc.wait()
        self.reader.join(timeout=10)

    def close(self):
        if self.proc.poll() is None:
            self.proc.kill()
            self.proc.wait()
        self.proc.stderr.close()
        if self._own_data:
            subprocess.run(["rm", "-rf", self.data_dir], check=False)


def run_suite(daemon_factory, argv):
    """Runs this module's unittest suite against one daemon, which must also
    exit cleanly (status 0 on SIGTERM). Exits the process with the verdict."""
    import sys
    import unittest
    daemon = daemon_factory()
    try:
        daemon.wait_listening()
        program = unittest.main(argv=argv, exit=False)
        code = daemon.stop()
        if code != 0:
            print("shoald exited with %d; log:\n%s" % (code, daemon.log()))
            sys.exit(1)
        sys.exit(0 if program.result.wasSuccessful() else 1)
    finally:
        daemon.close()
