#!/usr/bin/python3
"""Hostile and broken clients against one shoald: slowloris heads, half-closed
connections, 10,000 idle connections, garbage pipelined behind a valid
request, bodies longer or shorter than their Content-Length, uploads (and
multipart part uploads) dropped halfway. Each must cost the client its
connection, never leave an object or a chunk file behind, and never stop
shoald from serving everyone else (checked after every test)."""
import os
import resource
import select
import socket
import struct
import time
import unittest

from shoald_process import (Daemon, RawResponses, ROOT_PASSWORD, ROOT_USER, chunk_files_on, clean_env,
                           main_with_workdir, open_fd_count, pattern, pending_files_on, rss_bytes, s3_client,
                           signed_head, stop_cleanly, wait_until)

ARGS = None
HEADER_TIMEOUT = 4.0          # server.header_timeout, seconds
BODY_TIMEOUT = 4.0            # server.body_timeout: a body must progress within this
CHUNK = 64 << 10              # small chunks: a partial upload has finished some
IDLE_CONNECTIONS = 10_000
MAX_CONNECTIONS = 12_000      # above IDLE_CONNECTIONS, so none is refused
# Resident memory an idle connection may cost shoald at most (socket, state,
# coroutine frames, no read buffer: about 3 KiB on x86-64), more under qemu
# (the emulator's own) and ASan (redzones, shadow).
BYTES_PER_IDLE = 4 << 10
BYTES_PER_IDLE_EMULATED = 8 << 10
BYTES_PER_IDLE_SANITIZED = 48 << 10
FD_SLACK = 3                  # descriptors shoald may open or close on its own meanwhile
BUCKET = "hostile"
SLACK = 15                    # seconds allowed beyond a deadline (qemu, a loaded machine)


def connect(port):
    return socket.create_connection(("127.0.0.1", port), timeout=30)


def reset(sock):
    """Closes with a TCP reset (SO_LINGER 0): a client that vanished."""
    sock.setsockopt(socket.SOL_SOCKET, socket.SO_LINGER, struct.pack("ii", 1, 0))
    sock.close()


def wait_closed_by_server(sock, timeout):
    """Seconds until the server closes `sock` (EOF or reset), reading and
    dropping whatever it sends; AssertionError after `timeout`."""
    start = time.monotonic()
    while time.monotonic() - start < timeout:
        ready, _, _ = select.select([sock], [], [], 0.1)
        if ready:
            try:
                if not sock.recv(65536):
                    return time.monotonic() - start
            except ConnectionResetError:
                return time.monotonic() - start
    raise AssertionError("the server kept the connection open for %.1f s" % timeout)


class HostileClients(unittest.TestCase):
    @classmethod
    def setUpClass(cls):
        cls.workdir = os.path.join(ARGS.workdir, "hostile")
        os.makedirs(cls.workdir)
        # shoald is started with a low soft limit of open files, which it must
        # raise itself to the hard one; the test needs as many for its clients.
        _soft, hard = resource.getrlimit(resource.RLIMIT_NOFILE)
        if hard < IDLE_CONNECTIONS + 1000:
            try:
                hard = IDLE_CONNECTIONS + 1000
                resource.setrlimit(resource.RLIMIT_NOFILE, (hard, hard))
            except (ValueError, OSError):
                raise unittest.SkipTest("the hard limit of open files (%d) is below the %d connections this test "
                                        "opens, and cannot be raised here" % (_soft, IDLE_CONNECTIONS))
        resource.setrlimit(resource.RLIMIT_NOFILE, (1024, hard))
        env = clean_env(SHOAL_ROOT_USER=ROOT_USER, SHOAL_ROOT_PASSWORD=ROOT_PASSWORD,
                        SHOAL_SERVER_HEADER_TIMEOUT="%dms" % (HEADER_TIMEOUT * 1000),
                        SHOAL_SERVER_BODY_TIMEOUT="%dms" % (BODY_TIMEOUT * 1000), SHOAL_SERVER_IDLE_TIMEOUT="300s", SHOAL_SERVER_MAX_CONNECTIONS=str(MAX_CONNECTIONS),
                        SHOAL_STORAGE_CHUNK_SIZE=str(CHUNK), SHOAL_STORAGE_REPAIR="off")
        try:
            cls.daemon = Daemon(ARGS.shoald, ARGS.emulator, env=env, data_dir=cls.workdir)
        finally:
            resource.setrlimit(resource.RLIMIT_NOFILE, (hard, hard))
        cls.port = cls.daemon.wait_listening()
        # Its descriptors are counted: no background scan may hold any.
        cls.daemon.wait_for_line(r"orphan chunk collection done")
        cls.s3 = s3_client(cls.daemon.endpoint)
        cls.s3.create_bucket(Bucket=BUCKET)
        cls.served = 0

    @classmethod
    def tearDownClass(cls):
        stop_cleanly(cls.daemon)

    def tearDown(self):
        self.assert_still_serving()

    def assert_still_serving(self):
        HostileClients.served += 1
        key = "served-%d" % HostileClients.served
        body = pattern(3 * CHUNK + 5, key)
        self.s3.put_object(Bucket=BUCKET, Key=key, Body=body)
        self.assertEqual(self.s3.get_object(Bucket=BUCKET, Key=key)["Body"].read(), body)
        self.assertIsNone(self.daemon.proc.poll(), "shoald exited")

    def drives(self):
        return self.daemon.drives

    def head(self, method, path, **headers):
        return signed_head(self.daemon.endpoint, method, path, headers)

    def assert_no_object(self, key):
        with self.assertRaises(self.s3.exceptions.ClientError) as caught:
            self.s3.head_object(Bucket=BUCKET, Key=key)
        self.assertEqual(caught.exception.response["ResponseMetadata"]["HTTPStatusCode"], 404)

    def assert_chunks_back_to(self, before, what):
        """Polls until the drive holds exactly the chunk files it held before
        (the server cleans up once it sees the connection fail)."""
        wait_until(lambda: sorted(chunk_files_on(self.drives())) == before and not pending_files_on(self.drives()),
                   SLACK, lambda _: "%s left chunk files behind: %d now, %d before, pending %s" % (
                       what, len(chunk_files_on(self.drives())), len(before), pending_files_on(self.drives())))

    def start_partial_upload(self, path, declared, sent):
        """Sends a PUT declaring `declared` body bytes and `sent` of them, and
        waits until the server has written chunk files of it: the upload is
        really under way when the test breaks it."""
        before = sorted(chunk_files_on(self.drives()))
        sock = connect(self.port)
        sock.sendall(self.head("PUT", path, **{"Content-Length": str(declared)}) + pattern(sent, path))
        self.sent_at = time.monotonic()
        wait_until(lambda: len(chunk_files_on(self.drives())) >= len(before) + 3, SLACK,
                   "the partial upload wrote no chunk files")
        return sock, before

    # --- heads ---------------------------------------------------------

    def test_slowloris_heads_are_cut_at_header_timeout(self):
        # Twenty clients each sending its head a byte at a time, never ending it.
        head = b"GET /health/live HTTP/1.1\r\nHost: 127.0.0.1\r\nX-Slow: " + b"a" * 4096
        socks = [connect(self.port) for _ in range(20)]
        start = time.monotonic()
        closed = {}
        sent = 0
        while len(closed) < len(socks) and time.monotonic() - start < HEADER_TIMEOUT + SLACK:
            for i, s in enumerate(socks):
                if i in closed:
                    continue
                try:
                    s.send(head[sent % len(head):][:1])
                except (BrokenPipeError, ConnectionResetError):
                    closed[i] = time.monotonic() - start
                    continue
                ready, _, _ = select.select([s], [], [], 0)
                if ready:
                    try:
                        data = s.recv(4096)
                    except ConnectionResetError:
                        data = b""
                    self.assertEqual(data, b"", "a slow head got an answer: %r" % data[:100])
                    closed[i] = time.monotonic() - start
            sent += 1
            time.sleep(0.1)
        for s in socks:
            s.close()
        self.assertEqual(len(closed), len(socks), "slow clients still connected after %.1f s" % (HEADER_TIMEOUT + SLACK))
        # Cut by the header deadline, not before it: bytes kept arriving.
        self.assertGreaterEqual(min(closed.values()), HEADER_TIMEOUT - 0.5)
        self.assertLessEqual(max(closed.values()), HEADER_TIMEOUT + SLACK)

    def test_half_closed_client_gets_its_answer_then_the_close(self):
        with connect(self.port) as s:
            s.sendall(b"GET /health/live HTTP/1.1\r\nHost: 127.0.0.1\r\n\r\n")
            s.shutdown(socket.SHUT_WR)  # the client sends nothing more, but reads
            responses = RawResponses(s)
            self.assertEqual(responses.next()[0], 200)
            start = time.monotonic()
            self.assertTrue(responses.at_end())
            self.assertLess(time.monotonic() - start, SLACK)  # at once, not at the idle timeout (300 s)

    def test_half_closed_inside_a_head_is_closed_at_once(self):
        with connect(self.port) as s:
            s.sendall(b"GET /health/live HTTP/1.1\r\nHo")
            s.shutdown(socket.SHUT_WR)
            elapsed = wait_closed_by_server(s, HEADER_TIMEOUT + SLACK)
            self.assertLess(elapsed, HEADER_TIMEOUT - 1, "closed by the header timeout, not by the client's FIN")

    def test_half_closed_inside_a_body_stores_nothing(self):
        sock, before = self.start_partial_upload("/%s/half-body" % BUCKET, 1 << 20, 600 << 10)
        with sock:
            sock.shutdown(socket.SHUT_WR)
            responses = RawResponses(sock)
            answer = responses.next()
            self.assertIsNotNone(answer)
            self.assertEqual(answer[0], 400, answer[2][:300])
            self.assertIn(b"before sending the whole body", answer[2])
            self.assertTrue(responses.at_end())
        self.assert_chunks_back_to(before, "a body cut short by the client's FIN")
        self.assert_no_object("half-body")

    # --- many idle connections -----------------------------------------

    def test_10000_idle_connections(self):
        pid = self.daemon.proc.pid
        with open("/proc/%d/limits" % pid) as f:
            nofile = [line.split()[3:5] for line in f if line.startswith("Max open files")][0]
        self.assertEqual(nofile[0], nofile[1], "shoald did not raise its soft limit of open files to the hard one")
        self.assert_still_serving()  # boto3's pooled connection is open from here on
        base_fds = open_fd_count(pid)
        base_rss = rss_bytes(pid)
        idle = []
        try:
            # In batches, each waited for: the accept queue (backlog 512) never
            # overflows into SYN retransmissions.
            while len(idle) < IDLE_CONNECTIONS:
                for _ in range(min(250, IDLE_CONNECTIONS - len(idle))):
                    s = socket.socket()
                    s.connect(("127.0.0.1", self.port))
                    idle.append(s)
                wait_until(lambda: open_fd_count(pid) >= base_fds + len(idle) - FD_SLACK, SLACK,
                           lambda _: "shoald accepted %d of %d connections" % (open_fd_count(pid) - base_fds, len(idle)))
            grown = rss_bytes(pid) - base_rss
            per_connection = (BYTES_PER_IDLE_SANITIZED if ARGS.sanitized else
                              BYTES_PER_IDLE_EMULATED if ARGS.emulator else BYTES_PER_IDLE)
            print("\n%d idle connections: shoald RSS grew by %.1f MiB (%d bytes each)"
                  % (len(idle), grown / 2**20, grown // len(idle)))
            self.assertLess(grown, IDLE_CONNECTIONS * per_connection, "idle connections cost too much memory")
            # Everyone else is still served, promptly.
            start = time.monotonic()
            self.assert_still_serving()
            self.assertLess(time.monotonic() - start, SLACK)
            # None of them was dropped or answered.
            readable, _, _ = select.select(idle[:1000], [], [], 0)
            self.assertEqual(readable, [], "the server closed or answered idle connections")
        finally:
            for s in idle:
                s.close()
        # Every descriptor comes back.
        wait_until(lambda: open_fd_count(pid) <= base_fds + FD_SLACK, 3 * SLACK,
                   lambda _: "shoald holds %d descriptors, %d before the idle connections"
                   % (open_fd_count(pid), base_fds))

    # --- framing ---------------------------------------------------------

    def test_garbage_pipelined_behind_a_valid_request(self):
        with connect(self.port) as s:
            s.sendall(b"GET /health/live HTTP/1.1\r\nHost: 127.0.0.1\r\n\r\n"
                      b"\x16\x03\x01\x02\x00 \xff\xfe not http at all\r\n\r\n")
            responses = RawResponses(s)
            self.assertEqual(responses.next()[0], 200)
            status, headers, body = responses.next()
            self.assertEqual(status, 400, body[:300])
            self.assertEqual(headers.get("connection"), "close")
            self.assertTrue(responses.at_end())

    def test_unterminated_garbage_behind_a_valid_request_is_refused_at_once(self):
        # Not HTTP (a TLS ClientHello's first bytes, then noise), and no blank line.
        with connect(self.port) as s:
            s.sendall(b"GET /health/live HTTP/1.1\r\nHost: 127.0.0.1\r\n\r\n"
                      b"\x16\x03\x01\x02\x00\x01" + os.urandom(300).replace(b"\n", b"."))
            responses = RawResponses(s)
            self.assertEqual(responses.next()[0], 200)
            start = time.monotonic()
            status, headers, _ = responses.next()
            self.assertEqual(status, 400)
            self.assertEqual(headers.get("connection"), "close")
            self.assertTrue(responses.at_end())
            self.assertLess(time.monotonic() - start, HEADER_TIMEOUT - 1, "not answered before the header timeout")

    def test_a_head_that_never_ends_behind_a_valid_request_is_cut_at_header_timeout(self):
        with connect(self.port) as s:
            s.sendall(b"GET /health/live HTTP/1.1\r\nHost: 127.0.0.1\r\n\r\nGET /" + b"a" * 300)
            responses = RawResponses(s)
            self.assertEqual(responses.next()[0], 200)
            start = time.monotonic()
            self.assertTrue(responses.at_end())
            elapsed = time.monotonic() - start
            self.assertGreater(elapsed, HEADER_TIMEOUT - 1)
            self.assertLess(elapsed, HEADER_TIMEOUT + SLACK)

    def test_body_longer_than_its_content_length(self):
        size = 2 * CHUNK + 7
        body = pattern(size, "longer")
        extra = b"THESE BYTES FOLLOW THE DECLARED BODY\r\n\r\n"
        with connect(self.port) as s:
            s.sendall(self.head("PUT", "/%s/longer" % BUCKET, **{"Content-Length": str(size)}) + body + extra)
            responses = RawResponses(s)
            status, _, answer = responses.next()
            self.assertEqual(status, 200, answer[:300])
            # The extra bytes were read as the next request: rejected, then the close.
            status, headers, _ = responses.next()
            self.assertEqual(status, 400)
            self.assertEqual(headers.get("connection"), "close")
            self.assertTrue(responses.at_end())
        stored = self.s3.get_object(Bucket=BUCKET, Key="longer")["Body"].read()
        self.assertEqual(len(stored), size)
        self.assertEqual(stored, body)

    # --- uploads broken off ------------------------------------------------

    def test_body_shorter_than_its_content_length_then_close(self):
        sock, before = self.start_partial_upload("/%s/shorter" % BUCKET, 1 << 20, 600 << 10)
        sock.close()
        self.assert_chunks_back_to(before, "a body shorter than its Content-Length")
        self.assert_no_object("shorter")

    def test_connection_reset_mid_upload(self):
        sock, before = self.start_partial_upload("/%s/reset" % BUCKET, 4 << 20, 700 << 10)
        reset(sock)
        self.assert_chunks_back_to(before, "an upload cut by a reset")
        self.assert_no_object("reset")

    def test_stalled_upload_is_dropped_after_body_timeout(self):
        # The client stops sending halfway and goes silent, the connection open.
        sock, before = self.start_partial_upload("/%s/stalled" % BUCKET, 1 << 20, 600 << 10)
        with sock:
            wait_closed_by_server(sock, BODY_TIMEOUT + SLACK)
            # Not before body_timeout after the last bytes sent (the server read them later still).
            self.assertGreaterEqual(time.monotonic() - self.sent_at, BODY_TIMEOUT - 0.1)
        self.assert_chunks_back_to(before, "a stalled upload")
        self.assert_no_object("stalled")

    def test_connection_reset_mid_multipart_part(self):
        key = "multi"
        upload = self.s3.create_multipart_upload(Bucket=BUCKET, Key=key)["UploadId"]
        first = pattern(5 << 20, "part-1")
        etag = self.s3.upload_part(Bucket=BUCKET, Key=key, UploadId=upload, PartNumber=1, Body=first)["ETag"]
        sock, before = self.start_partial_upload("/%s/%s?partNumber=2&uploadId=%s" % (BUCKET, key, upload),
                                                 5 << 20, 700 << 10)
        reset(sock)
        self.assert_chunks_back_to(before, "a part upload cut by a reset")
        parts = self.s3.list_parts(Bucket=BUCKET, Key=key, UploadId=upload).get("Parts", [])
        self.assertEqual([(p["PartNumber"], p["Size"]) for p in parts], [(1, len(first))])
        self.s3.complete_multipart_upload(Bucket=BUCKET, Key=key, UploadId=upload,
                                          MultipartUpload={"Parts": [{"PartNumber": 1, "ETag": etag}]})
        self.assertEqual(self.s3.get_object(Bucket=BUCKET, Key=key)["Body"].read(), first)


def main():
    main_with_workdir(globals(), "shoald-hostile-")


if __name__ == "__main__":
    main()
