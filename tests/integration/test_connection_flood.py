#!/usr/bin/python3
"""A connection flood against one shoald: 1,100 slow clients (some sending a
head byte by byte, some nothing at all) hold connections, above
server.max_connections (1,000), and reconnect as soon as they are closed.
Meanwhile a well-behaved signed client is served at once: a PUT with a wrong
signature gets 403, a correct PUT and GET succeed, each within 5 s; the
evictions are logged as counts per interval, not a line each; afterwards the
daemon is healthy. A connection with a request in flight is never evicted: at
the limit with every connection busy, a newcomer gets 503 SlowDown (with a
request id) and the busy ones finish.

Under qemu-user (--emulator) the flood is scaled down (330 clients over a
limit of 300): everything there is some ten times slower."""
import os
import resource
import socket
import threading
import time
import unittest
import xml.etree.ElementTree as ET

from shoald_process import (Daemon, RawResponses, ROOT_PASSWORD, ROOT_USER, clean_env, main_with_workdir, pattern,
                           s3_client, signed_head, stop_cleanly, wait_until)

ARGS = None
BUCKET = "flood"
ANSWER_WITHIN = 5.0      # seconds, for each request of the well-behaved client
HEAD_BYTE_EVERY = 0.5    # seconds between two bytes of a slowloris head


def scale():
    """(slow clients, max_connections, reconnections per second at most)."""
    if ARGS.emulator:
        return 330, 300, 50
    return 1100, 1000, 300


class Flood:
    """`count` slow clients on a thread: half send a request head a byte at a
    time and never finish it, half send nothing; each one the server closes
    is replaced (at most `rate` new connections a second)."""

    HEAD = b"GET /flood/never HTTP/1.1\r\nHost: 127.0.0.1\r\nX-Slow: " + b"s" * 8000

    def __init__(self, port, count, rate):
        self.port, self.count, self.rate = port, count, rate
        self.socks = {}  # fd -> [socket, bytes of the head sent (None: silent)]
        self.closed_by_server = 0
        self.refused = 0  # answered 503 before the close
        self.opened = 0
        self.stopping = threading.Event()
        self.thread = threading.Thread(target=self.run, daemon=True)

    def open_one(self, silent):
        s = socket.socket()
        s.setblocking(False)
        s.connect_ex(("127.0.0.1", self.port))  # non-blocking: a full backlog must not stall the flood
        self.socks[s.fileno()] = [s, None if silent else 0]
        self.opened += 1

    def run(self):
        import select
        poller = select.poll()
        next_byte = time.monotonic()
        credit, last = 0.0, time.monotonic()
        while not self.stopping.is_set():
            now = time.monotonic()
            credit = min(self.rate, credit + (now - last) * self.rate)
            last = now
            while len(self.socks) < self.count and credit >= 1:
                credit -= 1
                self.open_one(silent=self.opened % 2 == 0)
                poller.register(list(self.socks)[-1], select.POLLIN)
            for fd, _ in poller.poll(50):
                entry = self.socks.pop(fd, None)
                poller.unregister(fd)
                if entry is None:
                    continue
                try:
                    data = entry[0].recv(4096)
                except OSError:
                    data = b""
                if data.startswith(b"HTTP/1.1 503"):
                    self.refused += 1
                self.closed_by_server += 1
                entry[0].close()
            if now >= next_byte:
                next_byte = now + HEAD_BYTE_EVERY
                for entry in self.socks.values():
                    if entry[1] is not None and entry[1] < len(self.HEAD):
                        try:
                            entry[1] += entry[0].send(self.HEAD[entry[1]:entry[1] + 1])
                        except OSError:
                            pass  # not connected yet, or closed: the poll tells
        for entry in self.socks.values():
            entry[0].close()

    def __enter__(self):
        self.thread.start()
        return self

    def __exit__(self, *exc):
        self.stopping.set()
        self.thread.join(timeout=30)


class ConnectionFlood(unittest.TestCase):
    @classmethod
    def setUpClass(cls):
        cls.clients, cls.max_connections, cls.rate = scale()
        # Every slow client is a descriptor here, and one in shoald (which
        # raises its soft limit to the hard one by itself).
        needed = cls.clients + 1000
        soft, hard = resource.getrlimit(resource.RLIMIT_NOFILE)
        if hard < needed:
            try:
                resource.setrlimit(resource.RLIMIT_NOFILE, (needed, needed))
            except (ValueError, OSError):
                raise unittest.SkipTest("the hard limit of open files (%d) is below the %d this test needs" %
                                        (hard, needed))
        else:
            resource.setrlimit(resource.RLIMIT_NOFILE, (hard, hard))
        cls.workdir = os.path.join(ARGS.workdir, "flood")
        os.makedirs(cls.workdir)

    def start(self, max_connections, **settings):
        env = clean_env(SHOAL_ROOT_USER=ROOT_USER, SHOAL_ROOT_PASSWORD=ROOT_PASSWORD,
                        SHOAL_SERVER_MAX_CONNECTIONS=str(max_connections),
                        SHOAL_SERVER_HEADER_TIMEOUT="120s", SHOAL_SERVER_IDLE_TIMEOUT="120s", **settings)
        self.daemon = Daemon(ARGS.shoald, ARGS.emulator, env=env,
                             data_dir=os.path.join(self.workdir, self.id().rsplit(".", 1)[1]))
        self.addCleanup(self.daemon.close)
        self.daemon.wait_listening()
        self.s3 = s3_client(self.daemon.endpoint, attempts=0, connect_timeout=ANSWER_WITHIN,
                            read_timeout=ANSWER_WITHIN)
        self.s3.create_bucket(Bucket=BUCKET)

    def timed(self, what, call):
        """call()'s result, or the botocore ClientError it raised; either
        within ANSWER_WITHIN seconds."""
        start = time.monotonic()
        try:
            result = call()
        except self.s3.exceptions.ClientError as e:
            result = e
        elapsed = time.monotonic() - start
        print("  %s: %.2f s" % (what, elapsed))
        self.assertLess(elapsed, ANSWER_WITHIN, what)
        return result

    def test_slow_clients_at_the_limit_do_not_lock_a_signed_client_out(self):
        self.start(self.max_connections)
        body = pattern(100 << 10, "served")
        with Flood(self.daemon.port, self.clients, self.rate) as flood:
            # Until the flood holds every place and more wait: the limit is reached.
            wait_until(lambda: flood.opened >= self.clients and flood.closed_by_server > 0, 120,
                       lambda _: "the flood did not reach the limit: %d opened, %d closed by the server"
                       % (flood.opened, flood.closed_by_server))
            print("\n%d slow clients, max_connections %d:" % (self.clients, self.max_connections))
            wrong = s3_client(self.daemon.endpoint, secret_key="not-the-secret-0123456789", attempts=0,
                              connect_timeout=ANSWER_WITHIN, read_timeout=ANSWER_WITHIN)
            forged = self.timed("PUT with a wrong signature",
                                lambda: wrong.put_object(Bucket=BUCKET, Key="forged", Body=b"forged"))
            self.assertIsInstance(forged, wrong.exceptions.ClientError)
            self.assertEqual(forged.response["ResponseMetadata"]["HTTPStatusCode"], 403, forged)
            self.assertEqual(forged.response["Error"]["Code"], "SignatureDoesNotMatch")
            put = self.timed("PUT", lambda: self.s3.put_object(Bucket=BUCKET, Key="served", Body=body))
            self.assertNotIsInstance(put, Exception)
            got = self.timed("GET", lambda: self.s3.get_object(Bucket=BUCKET, Key="served")["Body"].read())
            self.assertEqual(got, body)
            # The flood is still on: its clients are evicted, not the served ones.
            self.assertGreater(flood.closed_by_server, 0)
            evicted, refused = flood.closed_by_server, flood.refused
        print("  %d slow clients closed by the server (%d of them answered 503)" % (evicted, refused))
        self.assertEqual(refused, 0, "slow clients were refused while others waited without a request")
        # Counted, not logged one by one.
        reports = [line for line in self.daemon.log().splitlines() if "http connection limit reached" in line]
        self.assertTrue(reports, "no report of the evictions")
        self.assertLess(len(reports), max(3, evicted // 10), "evictions logged one by one")
        self.assertIn("evicted_before_a_request=", reports[0])
        # Healthy afterwards.
        self.assertIsNone(self.daemon.proc.poll(), "shoald exited")
        self.s3.put_object(Bucket=BUCKET, Key="after", Body=b"after")
        self.assertEqual(self.s3.get_object(Bucket=BUCKET, Key="after")["Body"].read(), b"after")
        stop_cleanly(self.daemon)

    def test_requests_in_flight_are_never_evicted(self):
        limit = 4
        self.start(limit, SHOAL_SERVER_BODY_TIMEOUT="60s")
        self.s3.close()  # its idle connection would be the one to evict
        busy = []
        try:
            for i in range(limit):
                s = socket.create_connection(("127.0.0.1", self.daemon.port), timeout=30)
                busy.append(s)
                s.sendall(signed_head(self.daemon.endpoint, "PUT", "/%s/busy-%d" % (BUCKET, i),
                                      {"Content-Length": "1000", "Expect": "100-continue"}))
                # "100 Continue": the handler runs and reads the body, the request is in flight.
                interim = b""
                while not interim.endswith(b"\r\n\r\n"):
                    interim += s.recv(1)
                self.assertTrue(interim.startswith(b"HTTP/1.1 100 "), interim)
                s.sendall(b"x" * 10)
            # A newcomer finds no connection it may close: 503 SlowDown, with a request id.
            with socket.create_connection(("127.0.0.1", self.daemon.port), timeout=30) as s:
                status, headers, body = RawResponses(s).next()
            self.assertEqual(status, 503, body)
            self.assertEqual(ET.fromstring(body).findtext("Code"), "SlowDown")
            self.assertEqual(ET.fromstring(body).findtext("RequestId"), headers.get("x-amz-request-id"))
            self.assertRegex(headers.get("x-amz-request-id", ""), r"^[0-9A-F]{16,}$")
            # The uploads in flight were left alone: each one completes.
            for s in busy:
                s.sendall(b"x" * 990)
                status, _, answer = RawResponses(s).next()
                self.assertEqual(status, 200, answer[:300])
        finally:
            for s in busy:
                s.close()
        self.assertIn("refused_all_busy=1", self.daemon.log())
        stop_cleanly(self.daemon)


def main():
    main_with_workdir(globals(), "shoald-flood-")


if __name__ == "__main__":
    main()
