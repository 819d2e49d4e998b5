#!/usr/bin/python3
"""Hostile and broken clients against one shoald: slowloris heads, half-closed
connections, 10,000 idle connections, garbage pipelined behind a valid
request, bodies longer or shorter than their Content-Length, uploads (and
multipart part uploads) dropped halfway, hundreds of signed clients that
never read their listings. Each must cost the client its connection, never
leave an object or a chunk file behind, never pin metadata, and never stop
shoald from serving everyone else (checked after every test)."""
import os
import resource
import select
import socket
import struct
import threading
import time
import unittest
import xml.etree.ElementTree as ET
from concurrent.futures import ThreadPoolExecutor

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
# Signed clients that ask for a 1,000-key listing and never read it: more
# than LMDB's 512 reader slots natively; fewer under qemu and ASan (slower),
# where a pinned snapshot still shows as a growing map.
SLOW_LISTINGS = 600
SLOW_LISTINGS_SLOWER = 150
LISTED_KEYS = 1000
# How far the metadata file may grow while slow readers wait and 200 writes
# are made: LMDB reuses the pages each commit frees unless a reader still
# sees them (a pinned snapshot makes every commit take new pages: some MiB,
# unless earlier deletes left free pages; the open snapshots tell then).
META_GROWTH_SLACK = 512 << 10


def connect(port):
    return socket.create_connection(("127.0.0.1", port), timeout=30)


def reset(sock):
    """Closes with a TCP reset (SO_LINGER 0): a client that vanished."""
    sock.setsockopt(socket.SOL_SOCKET, socket.SO_LINGER, struct.pack("ii", 1, 0))
    sock.close()


def slow_reader(port):
    """A connection that reads nothing and takes little: a 1 KiB receive
    buffer and the smallest segments (88 bytes), so that the server's send
    blocks after some 40 KiB instead of the megabytes loopback would buffer."""
    sock = socket.socket()
    sock.setsockopt(socket.SOL_SOCKET, socket.SO_RCVBUF, 1024)
    sock.setsockopt(socket.IPPROTO_TCP, socket.TCP_MAXSEG, 88)
    sock.connect(("127.0.0.1", port))
    return sock


def wait_answering(socks, timeout):
    """Waits until the server has begun to answer each of `socks` (each has
    bytes to read); AssertionError after `timeout` seconds."""
    poller = select.poll()
    waiting = {s.fileno(): s for s in socks}
    for fd in waiting:
        poller.register(fd, select.POLLIN)
    deadline = time.monotonic() + timeout
    while waiting and time.monotonic() < deadline:
        for fd, _ in poller.poll(100):
            poller.unregister(fd)
            del waiting[fd]
    if waiting:
        raise AssertionError("%d of %d clients got no answer in %.0f s" % (len(waiting), len(socks), timeout))


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

    # --- slow readers ----------------------------------------------------

    def metadata(self):
        """The metadata section of GET /_shoal/drives: {element: number}."""
        with connect(self.port) as s:
            s.sendall(self.head("GET", "/_shoal/drives"))
            status, _, body = RawResponses(s).next()
        self.assertEqual(status, 200, body[:300])
        return {e.tag: int(e.text) for e in ET.fromstring(body).find("Metadata")}

    def writes(self, prefix, count):
        """`count` small PUTs (inline: metadata only) by a normal client, each read back now and then."""
        for i in range(count):
            key = "%s-%d" % (prefix, i % 50)
            body = pattern(100 + i, key)
            self.s3.put_object(Bucket=BUCKET, Key=key, Body=body)
            if i % 20 == 0:
                self.assertEqual(self.s3.get_object(Bucket=BUCKET, Key=key)["Body"].read(), body)

    def fill(self, count, make):
        """Runs make(s3, i) for i in range(count) on a few threads, each with its own client."""
        local = threading.local()

        def run(i):
            if not hasattr(local, "s3"):
                local.s3 = s3_client(self.daemon.endpoint)
            make(local.s3, i)

        with ThreadPoolExecutor(8) as pool:
            list(pool.map(run, range(count)))

    def slow_listings(self, path, count):
        """`count` signed clients asking for `path`, reading nothing, once the
        server has begun to answer every one of them."""
        readers = []
        try:
            for _ in range(count):
                sock = slow_reader(self.port)
                readers.append(sock)
                sock.sendall(self.head("GET", path))
            wait_answering(readers, SLACK * 4)
        except BaseException:
            for sock in readers:
                sock.close()
            raise
        return readers

    def assert_writes_pin_nothing(self, readers, prefix):
        """While `readers` wait, a normal client lists, writes and reads; no
        snapshot stays open behind those writes, and the metadata file does
        not grow."""
        try:
            before = self.metadata()
            listed = self.s3.list_objects_v2(Bucket="listing")
            self.assertEqual(listed["KeyCount"], LISTED_KEYS)
            self.writes(prefix, 200)
            after = self.metadata()
            grown = after["FileBytes"] - before["FileBytes"]
            print("\n%d slow readers: %d snapshots open, the oldest %d commits behind; the metadata file grew by "
                  "%d KiB over 200 writes" % (len(readers), after["Readers"], after["OldestReaderCommitsBehind"],
                                              grown >> 10))
            # (Each of the writes was a commit of its own.)
            self.assertLess(after["OldestReaderCommitsBehind"], 100, "slow readers hold metadata snapshots")
            self.assertLess(grown, META_GROWTH_SLACK, "slow readers pin old metadata pages")
        finally:
            for sock in readers:
                sock.close()

    def make_listed_bucket(self):
        if getattr(HostileClients, "listing_ready", False):
            return
        self.s3.create_bucket(Bucket="listing")
        self.fill(LISTED_KEYS, lambda s3, i: s3.put_object(
            Bucket="listing", Key="many-keys-to-list/%s/%06d" % ("k" * 60, i), Body=b"x" * (i % 200)))
        HostileClients.listing_ready = True
        self.writes("warm-up", 200)  # LMDB's free-page list in use from here on

    def test_600_signed_clients_never_reading_their_listings(self):
        self.make_listed_bucket()
        count = SLOW_LISTINGS_SLOWER if (ARGS.emulator or ARGS.sanitized) else SLOW_LISTINGS
        readers = self.slow_listings("/listing?list-type=2", count)
        self.assert_writes_pin_nothing(readers, "beside-slow-listings")

    def test_every_listing_read_slowly_pins_nothing(self):
        # ListObjects v1, ListObjectVersions, ListMultipartUploads, ListParts
        # and ListBuckets, each answer well beyond what the sockets buffer.
        self.make_listed_bucket()
        self.s3.create_bucket(Bucket="uploads")
        self.fill(200, lambda s3, i: s3.create_multipart_upload(
            Bucket="uploads", Key="an-upload-with-a-long-name/%s/%04d" % ("u" * 200, i)))
        upload = self.s3.create_multipart_upload(Bucket="uploads", Key="parts")["UploadId"]
        self.fill(400, lambda s3, i: s3.upload_part(
            Bucket="uploads", Key="parts", UploadId=upload, PartNumber=i + 1, Body=b"p"))
        self.fill(500, lambda s3, i: s3.create_bucket(Bucket="many-%s-%04d" % ("b" * 50, i)))
        for path in ("/listing", "/listing?versions", "/uploads?uploads", "/uploads/parts?uploadId=" + upload, "/"):
            with self.subTest(path=path):
                self.assert_writes_pin_nothing(self.slow_listings(path, 10), "beside " + path)

    def test_slow_small_answers_hold_no_read_lease(self):
        # Tags and 304 Not Modified read no chunk: a client slow to read them
        # must not keep a deleted object's chunk files on disk (read leases).
        key = "leased"
        others = set(chunk_files_on(self.drives()))
        etag = self.s3.put_object(Bucket=BUCKET, Key=key, Body=pattern(3 * CHUNK, key))["ETag"]
        mine = set(chunk_files_on(self.drives())) - others
        self.assertTrue(mine)
        # 400 answers of some 350 bytes: several times what the sockets buffer.
        requests = b"".join(self.head("GET", "/%s/%s?tagging" % (BUCKET, key)) +
                            self.head("GET", "/%s/%s" % (BUCKET, key), **{"If-None-Match": etag})
                            for _ in range(200))
        with slow_reader(self.port) as sock:
            sock.setblocking(False)
            sent, stuck = 0, 0
            while sent < len(requests) and stuck < 3:
                try:
                    sent += sock.send(requests[sent:sent + 65536])
                    stuck = 0
                except BlockingIOError:
                    stuck += 1
                    time.sleep(0.2)
            wait_answering([sock], SLACK)
            time.sleep(5 if (ARGS.emulator or ARGS.sanitized) else 1)  # until the server's send blocks
            self.s3.delete_object(Bucket=BUCKET, Key=key)
            wait_until(lambda: not (set(chunk_files_on(self.drives())) & mine), SLACK,
                       "a deleted object's chunks stay while a slow client reads small answers about it")

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
