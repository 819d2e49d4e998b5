#!/usr/bin/python3
"""Integration tests for the shoald process itself: start-up, the health
endpoint, HTTP behaviour, configuration errors and clean shutdown.

Runs the real binary, natively or through qemu-user (--emulator), on a free
loopback port that shoald picks itself (port 0) and reports in its log.
"""
import argparse
import os
import re
import shlex
import signal
import socket
import subprocess
import sys
import tempfile
import time
import unittest

import shoald_process
from shoald_process import START_TIMEOUT, clean_env

ARGS = None


def shoald_cmd(*args):
    return shlex.split(ARGS.emulator) + [ARGS.shoald, *args]


def Daemon(*flags, drives=None, env=None):
    """A shoald with the given flags, by default without root credentials set."""
    return shoald_process.Daemon(ARGS.shoald, ARGS.emulator, flags=flags, drives=drives,
                                 env=env if env is not None else clean_env())


class Lifecycle(unittest.TestCase):
    def setUp(self):
        self.daemon = Daemon("--threads", "2")
        self.daemon.wait_listening()

    def tearDown(self):
        self.daemon.close()

    def test_health_live_answers_200(self):
        conn = self.daemon.connection()
        conn.request("GET", "/health/live")
        resp = conn.getresponse()
        self.assertEqual(resp.status, 200)
        self.assertEqual(resp.read(), b"")
        self.assertEqual(resp.getheader("Server"), "Shoal")
        self.assertIsNotNone(resp.getheader("Date"))

    def test_head_has_no_body_and_keep_alive_reuses_the_connection(self):
        conn = self.daemon.connection()
        for method in ("HEAD", "GET", "HEAD", "GET"):
            conn.request(method, "/health/live")
            resp = conn.getresponse()
            self.assertEqual(resp.status, 200)
            resp.read()
            self.assertEqual(resp.getheader("Connection"), "keep-alive")
        local = conn.sock.getsockname()
        conn.request("GET", "/health/live")
        conn.getresponse().read()
        self.assertEqual(conn.sock.getsockname(), local, "a new connection was opened")

    def test_anonymous_s3_requests_are_refused(self):
        conn = self.daemon.connection()
        conn.request("GET", "/some-bucket/some-key")
        resp = conn.getresponse()
        body = resp.read().decode()
        self.assertEqual(resp.status, 403)
        self.assertIn("<Code>AccessDenied</Code>", body)
        self.assertEqual(resp.getheader("Content-Type"), "application/xml")
        self.assertTrue(resp.getheader("x-amz-request-id"))

    def test_wrong_method_on_health(self):
        conn = self.daemon.connection()
        conn.request("DELETE", "/health/live")
        resp = conn.getresponse()
        resp.read()
        self.assertEqual(resp.status, 405)
        self.assertEqual(resp.getheader("Allow"), "GET, HEAD")

    def raw_exchange(self, payload):
        with socket.create_connection(("127.0.0.1", self.daemon.port), timeout=30) as s:
            s.sendall(payload)
            chunks = []
            while True:
                data = s.recv(65536)
                if not data:
                    break
                chunks.append(data)
            return b"".join(chunks)

    def test_malformed_request_gets_400_and_close(self):
        reply = self.raw_exchange(b"GARBAGE\r\n\r\n")
        self.assertTrue(reply.startswith(b"HTTP/1.1 400 "), reply)
        self.assertIn(b"Connection: close", reply)
        self.assertIn(b"<Code>BadRequest</Code>", reply)

    def test_oversized_head_gets_431(self):
        reply = self.raw_exchange(b"GET /health/live HTTP/1.1\r\nX-Big: " + b"a" * 20000 + b"\r\n\r\n")
        self.assertTrue(reply.startswith(b"HTTP/1.1 431 "), reply[:100])

    def test_pipelined_requests_are_answered_in_order(self):
        reply = self.raw_exchange(b"GET /health/live HTTP/1.1\r\n\r\n"
                                  b"GET /nope HTTP/1.1\r\n\r\n"
                                  b"GET /health/live HTTP/1.1\r\nConnection: close\r\n\r\n")
        statuses = re.findall(rb"HTTP/1\.1 (\d{3}) ", reply)
        self.assertEqual(statuses, [b"200", b"403", b"200"])

    def test_small_unread_body_is_skipped_and_connection_reused(self):
        with socket.create_connection(("127.0.0.1", self.daemon.port), timeout=30) as s:
            s.sendall(b"PUT /health/live HTTP/1.1\r\nContent-Length: 10\r\n\r\n0123456789"
                      b"GET /health/live HTTP/1.1\r\nConnection: close\r\n\r\n")
            reply = b""
            while True:
                data = s.recv(65536)
                if not data:
                    break
                reply += data
        self.assertEqual(re.findall(rb"HTTP/1\.1 (\d{3}) ", reply), [b"405", b"200"])
        self.assertIn(b"Connection: keep-alive", reply.split(b"\r\n\r\n")[0])

    def test_unread_body_behind_100_continue_closes_the_connection(self):
        reply = self.raw_exchange(b"PUT /health/live HTTP/1.1\r\nContent-Length: 5\r\n"
                                  b"Expect: 100-continue\r\n\r\n")
        self.assertTrue(reply.startswith(b"HTTP/1.1 405 "), reply)  # no "100 Continue" first
        self.assertIn(b"Connection: close", reply)

    def test_expectation_with_an_empty_body_still_gets_100_continue(self):
        # botocore 1.29 would otherwise replay this final status line for later requests.
        reply = self.raw_exchange(b"PUT /health/live HTTP/1.1\r\nContent-Length: 0\r\n"
                                  b"Expect: 100-continue\r\nConnection: close\r\n\r\n")
        self.assertTrue(reply.startswith(b"HTTP/1.1 100 Continue\r\n\r\nHTTP/1.1 405 "), reply)

    def test_unread_chunked_body_closes_the_connection(self):
        reply = self.raw_exchange(b"PUT /health/live HTTP/1.1\r\nTransfer-Encoding: chunked\r\n\r\n"
                                  b"5\r\nhello\r\n0\r\n\r\n")
        self.assertTrue(reply.startswith(b"HTTP/1.1 405 "), reply)
        self.assertIn(b"Connection: close", reply)

    def test_sigterm_exits_cleanly_with_open_idle_connection(self):
        idle = socket.create_connection(("127.0.0.1", self.daemon.port), timeout=30)
        conn = self.daemon.connection()
        conn.request("GET", "/health/live")
        conn.getresponse().read()
        code = self.daemon.stop(signal.SIGTERM)
        self.assertEqual(code, 0, self.daemon.log())
        log = self.daemon.log()
        self.assertIn("shutting down signal=TERM", log)
        self.assertIn("stopped clean=true", log)
        # The idle connection was closed by the server, not left hanging.
        self.assertEqual(idle.recv(1), b"")
        idle.close()

    def test_sigint_exits_cleanly(self):
        self.assertEqual(self.daemon.stop(signal.SIGINT), 0, self.daemon.log())
        self.assertIn("shutting down signal=INT", self.daemon.log())

    def test_second_instance_on_same_drive_is_refused(self):
        drive = self.daemon.drives[0]
        other = subprocess.run(shoald_cmd("server", "--address", "127.0.0.1:0", drive),
                               capture_output=True, env=clean_env(), timeout=START_TIMEOUT)
        self.assertEqual(other.returncode, 1)
        self.assertIn(b"in use by another shoald process", other.stderr)


def run_first_start(drive, stdout, stderr, read_fds):
    """Starts shoald without credentials in the environment on `drive`, with
    the given stdout and stderr, reads `read_fds` until it listens, stops it
    (SIGTERM) and returns everything read from them."""
    import selectors
    proc = subprocess.Popen(shoald_cmd("server", "--address", "127.0.0.1:0", drive),
                            stdout=stdout, stderr=stderr, env=clean_env())
    for f in (stdout, stderr):
        if isinstance(f, int) and f >= 0:
            os.close(f)  # the child's end of a pseudo-terminal
    output = b""
    selector = selectors.DefaultSelector()
    for fd in read_fds:
        selector.register(fd, selectors.EVENT_READ)
    deadline = time.monotonic() + START_TIMEOUT
    stopping = False
    try:
        while selector.get_map() and time.monotonic() < deadline:
            if not stopping and re.search(rb"listening address=", output):
                proc.send_signal(signal.SIGTERM)
                stopping = True
            for key, _ in selector.select(0.2):
                try:
                    data = os.read(key.fd, 65536)
                except OSError:  # EIO: a pseudo-terminal whose other end is closed
                    data = b""
                if data:
                    output += data
                else:
                    selector.unregister(key.fd)
        code = proc.wait(timeout=START_TIMEOUT)
    finally:
        if proc.poll() is None:
            proc.kill()
            proc.wait()
    if code != 0 or not stopping:
        raise AssertionError("shoald did not start and stop cleanly (%s); output:\n%s" % (code, output.decode()))
    return output


class RootCredentials(unittest.TestCase):
    def stored_pair(self, drive):
        path = os.path.join(drive, ".shoal-root-credentials")
        self.assertEqual(os.stat(path).st_mode & 0o777, 0o600)
        with open(path) as f:
            access_key, secret_key = f.read().split()
        return path, access_key, secret_key

    def test_generated_secret_stays_out_of_piped_output(self):
        # Under a service manager stdout and stderr are pipes to journald: the
        # secret is in the 0600 file only, and the log says where.
        with tempfile.TemporaryDirectory() as d:
            drive = os.path.join(d, "d1")
            out_r, out_w = os.pipe()
            err_r, err_w = os.pipe()
            try:
                output = run_first_start(drive, out_w, err_w, [out_r, err_r])
            finally:
                os.close(out_r)
                os.close(err_r)
            path, _access_key, secret_key = self.stored_pair(drive)
            self.assertNotIn(secret_key.encode(), output)
            self.assertRegex(output.decode(), r"WARN +generated root credentials.* file=" + re.escape(path))
            self.assertIn(b"shown_on_terminal=false", output)
            # Later starts use the stored pair and say nothing of it.
            out_r, out_w = os.pipe()
            try:
                again = run_first_start(drive, out_w, subprocess.STDOUT, [out_r])
            finally:
                os.close(out_r)
            self.assertNotIn(secret_key.encode(), again)
            self.assertNotIn(b"generated root credentials", again)

    def test_generated_secret_is_shown_once_on_a_terminal(self):
        import pty
        with tempfile.TemporaryDirectory() as d:
            drive = os.path.join(d, "d1")
            master, slave = pty.openpty()
            try:
                output = run_first_start(drive, slave, os.dup(slave), [master])
            finally:
                os.close(master)
            path, access_key, secret_key = self.stored_pair(drive)
            self.assertEqual(output.count(secret_key.encode()), 1, output.decode())
            self.assertIn(("access key: " + access_key).encode(), output)
            self.assertIn(path.encode(), output)
            self.assertIn(b"shown_on_terminal=true", output)

    def test_environment_credentials_must_come_in_pairs(self):
        r = subprocess.run(shoald_cmd("server", "--address", "127.0.0.1:0", "/nonexistent/never"),
                           capture_output=True, timeout=START_TIMEOUT, env=clean_env(SHOAL_ROOT_USER="someone"))
        self.assertEqual(r.returncode, 2)
        self.assertIn(b"SHOAL_ROOT_USER and SHOAL_ROOT_PASSWORD must be set together", r.stderr)
        r = subprocess.run(shoald_cmd("server", "--address", "127.0.0.1:0", "/nonexistent/never"),
                           capture_output=True, timeout=START_TIMEOUT,
                           env=clean_env(SHOAL_ROOT_USER="someone", SHOAL_ROOT_PASSWORD="short"))
        self.assertEqual(r.returncode, 2)
        self.assertIn(b"SHOAL_ROOT_PASSWORD", r.stderr)


class Timeouts(unittest.TestCase):
    def test_slow_client_is_disconnected_after_header_timeout(self):
        env = clean_env(SHOAL_SERVER_HEADER_TIMEOUT="500ms", SHOAL_SERVER_IDLE_TIMEOUT="1s")
        daemon = Daemon(env=env)
        try:
            port = daemon.wait_listening()
            with socket.create_connection(("127.0.0.1", port), timeout=30) as s:
                s.sendall(b"GET /health/live HTTP/1.1\r\nX-Slow: ")
                start = time.monotonic()
                self.assertEqual(s.recv(1), b"")  # closed by the server
                self.assertLess(time.monotonic() - start, 20)
            with socket.create_connection(("127.0.0.1", port), timeout=30) as s:
                start = time.monotonic()
                self.assertEqual(s.recv(1), b"")  # idle connection closed
                self.assertGreater(time.monotonic() - start, 0.5)
            self.assertEqual(daemon.stop(), 0)
        finally:
            daemon.close()


class Configuration(unittest.TestCase):
    def run_shoald(self, *args, env=None):
        return subprocess.run(shoald_cmd(*args), capture_output=True, timeout=START_TIMEOUT,
                              env=env if env is not None else clean_env())

    def test_bad_config_file_names_the_key(self):
        with tempfile.TemporaryDirectory() as d:
            path = os.path.join(d, "shoal.toml")
            with open(path, "w") as f:
                f.write('[server]\nthreads = "lots"\n')
            r = self.run_shoald("server", "--config", path, os.path.join(d, "data"))
            self.assertEqual(r.returncode, 2)
            self.assertIn(b"server.threads", r.stderr)
            self.assertFalse(os.path.exists(os.path.join(d, "data")), "nothing is created on a config error")

    def test_unknown_key_in_config_file(self):
        with tempfile.TemporaryDirectory() as d:
            path = os.path.join(d, "shoal.toml")
            with open(path, "w") as f:
                f.write('[log]\nlevle = "debug"\n')
            r = self.run_shoald("server", "--config", path, d)
            self.assertEqual(r.returncode, 2)
            self.assertIn(b"log.levle: unknown key", r.stderr)

    def test_config_file_from_environment(self):
        with tempfile.TemporaryDirectory() as d:
            path = os.path.join(d, "shoal.toml")
            with open(path, "w") as f:
                f.write('[log]\nformat = "yaml"\n')
            r = self.run_shoald("server", d, env=clean_env(SHOAL_CONFIG=path))
            self.assertEqual(r.returncode, 2)
            self.assertIn(b"log.format", r.stderr)

    def test_bad_environment_value_names_the_key(self):
        r = self.run_shoald("server", env=clean_env(SHOAL_SERVER_ADDRESS="nowhere"))
        self.assertEqual(r.returncode, 2)
        self.assertIn(b"server.address", r.stderr)
        self.assertIn(b"SHOAL_SERVER_ADDRESS", r.stderr)

    def test_bad_flag_value_names_the_key(self):
        r = self.run_shoald("server", "--log-level", "chatty")
        self.assertEqual(r.returncode, 2)
        self.assertIn(b"log.level", r.stderr)

    def test_unknown_option_is_a_usage_error(self):
        r = self.run_shoald("server", "--no-such-flag")
        self.assertEqual(r.returncode, 2)
        self.assertIn(b"unknown option '--no-such-flag'", r.stderr)

    def test_config_file_and_json_logs(self):
        with tempfile.TemporaryDirectory() as d:
            path = os.path.join(d, "shoal.toml")
            with open(path, "w") as f:
                f.write('[server]\naddress = "127.0.0.1:0"\nthreads = 1\n'
                        '[log]\nformat = "json"\n[storage]\ndrives = ["%s"]\n' % os.path.join(d, "data"))
            daemon = Daemon("--config", path, drives=[])
            try:
                m = daemon.wait_for_line(r'"msg":"listening","address":"127\.0\.0\.1:(\d+)"')
                self.assertIn('"threads":1', m.string)
                self.assertEqual(daemon.stop(), 0)
            finally:
                daemon.close()

    def test_port_in_use_fails_with_the_address(self):
        with socket.socket() as s:
            s.bind(("127.0.0.1", 0))
            s.listen(1)
            port = s.getsockname()[1]
            with tempfile.TemporaryDirectory() as d:
                r = self.run_shoald("server", "--address", "127.0.0.1:%d" % port, d)
            self.assertEqual(r.returncode, 1)
            self.assertIn(("cannot listen on 127.0.0.1:%d" % port).encode(), r.stderr)


class Commands(unittest.TestCase):
    def test_version(self):
        r = subprocess.run(shoald_cmd("version"), capture_output=True, timeout=START_TIMEOUT)
        self.assertEqual(r.returncode, 0, r.stderr)
        out = r.stdout.decode()
        self.assertRegex(out, r"^shoald \d+\.\d+\.\d+\n")
        self.assertRegex(out, r"\nrevision:\s+\S+")
        self.assertRegex(out, r"\nbuild type:\s+\S+")
        self.assertRegex(out, r"\nlibraries:\s+LMDB \d")
        if ARGS.expect_arch:
            self.assertRegex(out, r"\ntarget:\s+" + re.escape(ARGS.expect_arch))

    def test_help(self):
        r = subprocess.run(shoald_cmd("--help"), capture_output=True, timeout=START_TIMEOUT)
        self.assertEqual(r.returncode, 0)
        self.assertIn(b"shoald server", r.stdout)
        self.assertIn(b"SHOAL_SERVER_ADDRESS", r.stdout)


def main():
    global ARGS
    parser = argparse.ArgumentParser()
    parser.add_argument("--shoald", required=True)
    parser.add_argument("--emulator", default="")
    parser.add_argument("--expect-arch", default="")
    ARGS, rest = parser.parse_known_args()
    unittest.main(argv=[sys.argv[0]] + rest)


if __name__ == "__main__":
    main()
