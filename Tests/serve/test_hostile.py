"""`accounts serve` against what the second hostile review did to it (issue 21), through the built
binary over real HTTP (run by ServeCLITests.swift). Each case failed before its fix.

Every server a test starts is stopped in tearDown, also when the test fails; every loop and wait
is bounded.
"""
import os
import re
import socket
import sqlite3
import subprocess
import sys
import threading
import time
import unittest

sys.path.insert(0, os.path.dirname(__file__))
from serving import Site, form, free_port, path_of, token_of  # noqa: E402
from test_http import PAGES, ServeTestCase, unique, wait_for_new_mail  # noqa: E402

HERE = os.path.dirname(__file__)


def raw(port, data, timeout=5, until=b"\r\n\r\n"):
    """Sends bytes on a new connection and returns what came back (up to `until` or EOF)."""
    with socket.create_connection(("127.0.0.1", port), timeout=timeout) as connection:
        connection.sendall(data)
        answer = b""
        try:
            while until not in answer:
                chunk = connection.recv(65536)
                if not chunk:
                    break
                answer += chunk
        except socket.timeout:
            pass
        return answer


def closed_within(connection, seconds):
    """Whether the server closes `connection` within `seconds` (it sends nothing meanwhile)."""
    connection.settimeout(0.2)
    deadline = time.monotonic() + seconds
    while time.monotonic() < deadline:
        try:
            if connection.recv(4096) == b"":
                return True
        except socket.timeout:
            continue
        except ConnectionResetError:
            return True
    return False


class Metrics(ServeTestCase):
    def big_site(self, users=150_000):
        """A site whose statistics take a while: many accounts and three audit entries each."""
        site = self.site()
        with sqlite3.connect(os.path.join(site.directory, "accounts.sqlite3")) as database:
            database.execute(f"""WITH RECURSIVE n(i) AS (SELECT 1 UNION ALL SELECT i + 1 FROM n WHERE i < {users})
                INSERT INTO users (user_id, email, password, is_active, date_joined, activated_at)
                SELECT 'bulk' || i, 'bulk' || i || '@example.com', '!x', i % 2, '2026-01-01 00:00:00',
                       CASE WHEN i % 2 = 1 THEN '2026-01-02 00:00:00' END FROM n""")
            for action in ("register", "send-activation", "activate"):
                database.execute(f"""INSERT INTO audit_log (at, os_user, action, account_id, user_id, outcome, detail)
                    SELECT '2026-01-02 00:00:00', 'bulk', '{action}', id, user_id, 'ok', '' FROM users""")
        return site

    def test_pages_never_wait_for_metrics_scraped_in_a_loop(self):
        site = self.big_site()
        started = time.monotonic()
        site.run("stats", "--format", "prometheus")
        one_reading = time.monotonic() - started
        self.assertGreater(one_reading, 0.25, "the statistics must take a while for this test to mean anything")
        # Every scrape reads anew (max age 0): the worst a scraper can do.
        server = site.serve("--metrics-max-age", "0", "--posts-per-minute", "1000")
        url = site.register(unique("page"))
        stop = threading.Event()
        scrapes = []

        def scrape():
            while not stop.is_set():
                scrapes.append(server.request("GET", "/metrics")[0])

        scrapers = [threading.Thread(target=scrape) for _ in range(4)]
        for scraper in scrapers:
            scraper.start()
        try:
            time.sleep(0.2)
            latencies = []
            for _ in range(15):
                for path in ("/healthz", path_of(url)):
                    started = time.monotonic()
                    status = server.request("GET", path)[0]
                    latencies.append(time.monotonic() - started)
                    self.assertEqual(status, 200, path)
        finally:
            stop.set()
            for scraper in scrapers:
                scraper.join(60)
        self.assertTrue(scrapes and all(status == 200 for status in scrapes), scrapes[:5])
        # A page or /healthz that queued behind a reading would take as long as the reading.
        self.assertLess(max(latencies), max(0.25, one_reading / 2), f"slowest page {max(latencies):.3f} s; a reading {one_reading:.3f} s")

    def test_a_recent_reading_is_reused(self):
        site = self.site()
        server = site.serve("--metrics-max-age", "30")
        first = server.request("GET", "/metrics")[2]
        site.register(unique("later"))
        second = server.request("GET", "/metrics")[2]
        registrations = re.compile(r"^accounts_registrations_total (\d+)", re.M)
        self.assertEqual(registrations.search(first).group(1), registrations.search(second).group(1), "30 s old at most")
        fresh = site.serve("--metrics-max-age", "0").request("GET", "/metrics")[2]
        self.assertEqual(int(registrations.search(fresh).group(1)), int(registrations.search(first).group(1)) + 1)

    def test_a_separate_listener_for_metrics_and_healthz(self):
        site = self.site()
        operations = free_port()
        server = site.serve("--metrics-listen", f"127.0.0.1:{operations}")
        self.assertTrue(any(f"/healthz and /metrics on http://127.0.0.1:{operations}" in line for line in server.lines))
        url = site.register(unique("split"))
        self.assertEqual(server.request("GET", "/metrics")[0], 404, "not on the public port")
        self.assertEqual(server.request("GET", "/healthz")[0], 404)
        self.assertEqual(server.request("GET", path_of(url))[0], 200)
        answer = raw(operations, b"GET /metrics HTTP/1.1\r\nHost: x\r\nConnection: close\r\n\r\n", until=b"accounts_http_requests_total")
        self.assertTrue(answer.startswith(b"HTTP/1.1 200"), answer[:100])
        self.assertIn(b"accounts_users{", answer)
        self.assertTrue(raw(operations, b"GET /healthz HTTP/1.1\r\nHost: x\r\n\r\n").startswith(b"HTTP/1.1 200"))
        page = raw(operations, f"GET {path_of(url)} HTTP/1.1\r\nHost: x\r\n\r\n".encode())
        self.assertTrue(page.startswith(b"HTTP/1.1 404"), "no pages on the operations port")


class SlowRelay(ServeTestCase):
    """A relay that accepts connections and never says a word (Tests/smtp/hostile.py silent)."""

    def setUp(self):
        super().setUp()
        self.relay_port = free_port()
        log = os.path.join(os.environ.get("TMPDIR", "/tmp"), f"hostile-{self.relay_port}.log")
        self.relay = subprocess.Popen([sys.executable, os.path.join(HERE, "..", "smtp", "hostile.py"), "--port", str(self.relay_port),
                                       "--log", log, "--behaviour", "silent"],
                                      stdin=subprocess.PIPE, stdout=subprocess.PIPE, text=True)
        self.addCleanup(self.stop_relay)
        self.assertEqual(self.relay.stdout.readline().strip(), "READY")

    def stop_relay(self):
        self.relay.stdin.close()
        self.relay.stdout.close()
        try:
            self.relay.wait(10)
        except subprocess.TimeoutExpired:
            self.relay.kill()
            self.relay.wait()

    def test_resend_answers_at_once_while_the_relay_stalls_and_a_failure_keeps_the_cooldown(self):
        site = self.site(PASSWORD_RESET_TIMEOUT=1, EMAIL_HOST="127.0.0.1", EMAIL_PORT=self.relay_port, EMAIL_TIMEOUT=4,
                         ACTIVATION_COOLDOWN=60)
        server = site.serve("--posts-per-minute", "1000", "--threads", "2")
        users = [unique("stall") for _ in range(4)]
        urls = [site.run("register", user, f"{user}@example.com", "--no-send").stdout.strip() for user in users]
        time.sleep(2.1)  # every link expired; none was ever mailed, so no cooldown yet
        started = time.monotonic()
        for url in urls:
            status, _, body = server.request("POST", PAGES, form(url, "resend"), {"Accept-Language": "en"})
            self.assertEqual(status, 200, body)
            self.assertIn("A new activation link was mailed", body)
        self.assertLess(time.monotonic() - started, 2, "four resends did not wait for the relay")
        # Pages and /healthz meanwhile: at once, although both mail threads are stuck in SMTP.
        for path in ("/healthz", path_of(urls[0])):
            started = time.monotonic()
            self.assertIn(server.request("GET", path)[0], (200, 400))
            self.assertLess(time.monotonic() - started, 1, path)
        # The relay never answers: after EMAIL_TIMEOUT the mails fail and stay in the outbox...
        deadline = time.monotonic() + 30
        while time.monotonic() < deadline:
            outbox = site.run("outbox", "--format", "csv").stdout
            if outbox.count("failed-temporary") == 4:
                break
            time.sleep(0.5)
        self.assertEqual(outbox.count("failed-temporary"), 4, outbox)
        # ...and the cooldown they took stays taken: asking again at once mails nobody.
        status, headers, body = server.request("POST", PAGES, form(urls[0], "resend"), {"Accept-Language": "en"})
        self.assertIn(status, (400, 429), body)
        self.assertEqual(len(site.audit(users[0], "request-activation")), 1)


class SlowClients(ServeTestCase):
    def test_a_request_must_arrive_whole_within_the_request_timeout(self):
        site = self.site()
        server = site.serve("--request-timeout", "3")
        # Headers a byte at a time, each well inside any idle timeout.
        dribbled = socket.create_connection(("127.0.0.1", server.port), timeout=5)
        started = time.monotonic()
        for byte in b"GET /healthz HTTP/1.1\r\nHo":
            dribbled.send(bytes([byte]))
            time.sleep(0.1)
            if time.monotonic() - started > 2.5:
                break
        self.assertTrue(closed_within(dribbled, 4), "closed about 3 s after the request's first byte")
        self.assertLess(time.monotonic() - started, 6.5)
        dribbled.close()
        # A body dribbled after complete headers: the same.
        body = socket.create_connection(("127.0.0.1", server.port), timeout=5)
        started = time.monotonic()
        body.sendall(f"POST {PAGES} HTTP/1.1\r\nHost: x\r\nContent-Type: application/x-www-form-urlencoded\r\nContent-Length: 100\r\n\r\nuid=".encode())
        self.assertTrue(closed_within(body, 5))
        self.assertLess(time.monotonic() - started, 5.5)
        body.close()
        # An honest request is untouched, and a kept-alive connection may idle between requests.
        with socket.create_connection(("127.0.0.1", server.port), timeout=10) as kept:
            kept.sendall(b"GET /healthz HTTP/1.1\r\nHost: x\r\n\r\n")
            self.assertTrue(kept.recv(4096).startswith(b"HTTP/1.1 200"))
            time.sleep(4)
            kept.sendall(b"GET /healthz HTTP/1.1\r\nHost: x\r\n\r\n")
            self.assertTrue(kept.recv(4096).startswith(b"HTTP/1.1 200"), "idle between requests is not a slow request")

    def test_connections_are_capped_and_the_slowest_make_room(self):
        site = self.site()
        server = site.serve("--max-connections", "20", "--request-timeout", "60")
        hogs = []
        try:
            for _ in range(60):
                hog = socket.create_connection(("127.0.0.1", server.port), timeout=5)
                hog.sendall(b"GET /healthz HTTP/1.1\r\nHost")
                hogs.append(hog)
            time.sleep(0.5)
            open_sockets = len([fd for fd in os.listdir(f"/proc/{server.process.pid}/fd")
                                if os.readlink(f"/proc/{server.process.pid}/fd/{fd}").startswith("socket:")])
            self.assertLessEqual(open_sockets, 20 + 10, "the cap, the listener and the store's few")
            started = time.monotonic()
            answer = raw(server.port, b"GET /healthz HTTP/1.1\r\nHost: x\r\n\r\n")
            self.assertTrue(answer.startswith(b"HTTP/1.1 200"), answer)
            self.assertLess(time.monotonic() - started, 2, "an honest client is answered despite 60 slow ones")
        finally:
            for hog in hogs:
                hog.close()

    def test_too_many_open_files_for_the_cap_is_refused_at_start(self):
        site = self.site()
        result = subprocess.run(["prlimit", "--nofile=200:200", os.environ["ACCOUNTS_BIN"], "serve", "--listen", "127.0.0.1:0",
                                 "--max-connections", "500"], cwd=site.directory, env=site.env(), capture_output=True, text=True, timeout=30)
        self.assertEqual(result.returncode, 78, result.stderr)
        self.assertIn("--max-connections 500 needs about", result.stderr)
        self.assertIn("LimitNOFILE=", result.stderr)


class Requests(ServeTestCase):
    def test_two_host_headers_are_refused_and_expect_100_continue_is_answered(self):
        site = self.site()
        server = site.serve("--posts-per-minute", "1000")
        answer = raw(server.port, b"GET /healthz HTTP/1.1\r\nHost: a.example\r\nHost: b.example\r\n\r\n")
        self.assertTrue(answer.startswith(b"HTTP/1.1 400"), answer)
        url = site.register(unique("expect"))
        body = form(url).encode()
        with socket.create_connection(("127.0.0.1", server.port), timeout=5) as connection:
            connection.sendall((f"POST {PAGES} HTTP/1.1\r\nHost: 127.0.0.1\r\nContent-Type: application/x-www-form-urlencoded\r\n"
                                f"Content-Length: {len(body)}\r\nExpect: 100-continue\r\n\r\n").encode())
            interim = connection.recv(4096)
            self.assertTrue(interim.startswith(b"HTTP/1.1 100 Continue\r\n"), interim)
            connection.sendall(body)
            final = b""
            while b"</html>" not in final:
                chunk = connection.recv(65536)
                if not chunk:
                    break
                final += chunk
        self.assertTrue(final.startswith(b"HTTP/1.1 200"), final[:100])
        answer = raw(server.port, b"GET /healthz HTTP/1.1\r\nHost: x\r\nExpect: something-else\r\n\r\n")
        self.assertTrue(answer.startswith(b"HTTP/1.1 417"), answer)

    def test_bidirectional_controls_are_shown_as_escapes(self):
        site = self.site()
        server = site.serve()
        user = unique("bidi")
        url = site.register(user)
        # A user_id another program wrote, holding a right-to-left override (register refuses
        # one); the link still works, since the token does not cover the user_id.
        with sqlite3.connect(os.path.join(site.directory, "accounts.sqlite3")) as database:
            database.execute("UPDATE users SET user_id = ? WHERE user_id = ?", ("evil\u202egnp.exe", user))
        status, _, body = server.request("GET", path_of(url))
        self.assertEqual(status, 200)
        self.assertNotIn("\u202e", body)
        self.assertIn("evil\\u{202E}gnp.exe", body)


class AccessLog(ServeTestCase):
    def test_near_miss_paths_never_log_a_token(self):
        site = self.site()
        server = site.serve()
        url = site.register(unique("near"))
        path = path_of(url)
        token = token_of(url)
        for near in (path + ")", path + "/", "/" + path, path.replace(path.rstrip("/").split("/")[-2] + "/", path.rstrip("/").split("/")[-2] + "%2F"),
                     path.upper(), "/elsewhere/" + token + "/", "/users%2Factivate/x/" + token + "/"):
            server.request("GET", near)
        self.assertEqual(server.stop(), 0)
        log = "".join(server.lines)
        self.assertNotIn(token, log)
        self.assertNotIn(token.split("-")[1], log)
        self.assertNotIn(token.split("-")[1].upper(), log)
        self.assertNotIn(token.split("-")[1][:20], log)
        self.assertEqual(len(server.access_log()), 7)


class RateLimit(ServeTestCase):
    def test_an_ipv6_64_is_one_client_and_forwarded_ports_are_understood(self):
        site = self.site(TRUSTED_PROXIES="127.0.0.1")
        server = site.serve("--posts-per-minute", "10")
        statuses = [server.request("POST", PAGES, "uid=MQ&token=x&action=activate", {"X-Forwarded-For": f"2001:db8:1:2::{n:x}"})[0]
                    for n in range(1, 14)]
        self.assertEqual(statuses, [400] * 10 + [429] * 3, "13 addresses of one /64 share ten POSTs")
        self.assertEqual(server.request("POST", PAGES, "uid=MQ&token=x&action=activate", {"X-Forwarded-For": "2001:db8:1:3::1"})[0], 400,
                         "another /64 is another client")
        # ip:port and [v6]:port, as some proxies write them: the client, not the proxy's bucket.
        one = site.serve("--posts-per-minute", "1")
        ask = lambda hop: one.request("POST", PAGES, "uid=MQ&token=x&action=activate", {"X-Forwarded-For": hop})[0]  # noqa: E731
        self.assertEqual(ask("192.0.2.7:5555"), 400)
        self.assertEqual(ask("192.0.2.7:6666"), 429, "a port is no new client")
        self.assertEqual(ask("192.0.2.8:5555"), 400, "another client is not locked out")
        self.assertEqual(ask("[2001:db8::1]:443"), 400)
        self.assertEqual(one.access_log(at_least=4)[3]["client"], "2001:db8::1")
        self.assertEqual(ask("[2001:db8::2]:443"), 429, "same /64")


class NewLinks(ServeTestCase):
    def test_resends_per_account_are_capped_and_a_refused_ask_changes_nothing(self):
        site = self.site(PASSWORD_RESET_TIMEOUT=1, ACTIVATION_COOLDOWN=0, ACTIVATION_RESEND_LIMIT=1)
        server = site.serve("--posts-per-minute", "1000")
        user = unique("capped")
        url = site.run("register", user, f"{user}@example.com", "--no-send").stdout.strip()
        time.sleep(2.1)
        mails = site.outbox()
        self.assertEqual(server.request("POST", PAGES, form(url, "resend"))[0], 200)
        fresh = site.mail_link(wait_for_new_mail(site, mails))
        time.sleep(2.1)
        before = site.show(user)
        status, _, body = server.request("POST", PAGES, form(fresh, "resend"), {"Accept-Language": "en"})
        self.assertEqual(status, 429, body)
        self.assertIn("has had all the new links this page sends", body)
        self.assertValidHTML(body, "resend limit page")
        after = site.show(user)
        self.assertEqual(before["activation_sent_at"], after["activation_sent_at"], "asking did not restart the activation window")
        self.assertEqual(len(site.outbox()), len(mails) + 1)
        self.assertEqual(len(site.audit(user, "request-activation")), 1)
        # With no new links on request at all, an expired link's page offers none.
        none = self.site(PASSWORD_RESET_TIMEOUT=1, ACTIVATION_RESEND_LIMIT=0)
        server = none.serve()
        url = none.register(unique("none"))
        time.sleep(2.1)
        status, _, body = server.request("GET", path_of(url), headers={"Accept-Language": "en"})
        self.assertEqual(status, 400)
        self.assertIn("Ask the site&#39;s administrator for a new one", body)
        self.assertNotIn('value="resend"', body)


@unittest.skipUnless(os.environ.get("ACCOUNTS_TEST_DATABASE"), "PostgreSQL only (ServeCLITests runs it there)")
class PostgresLocks(ServeTestCase):
    def test_a_locked_table_gives_503_within_seconds_and_a_restart_costs_no_request(self):
        import psycopg  # in .venv; only the PostgreSQL cases need it
        site = self.site()
        server = site.serve("--statement-timeout", "3")
        url = site.register(unique("locked"))
        self.assertEqual(server.request("GET", path_of(url))[0], 200)
        uri = os.environ["ACCOUNTS_TEST_DATABASE"]
        with psycopg.connect(uri) as locker:
            locker.execute("LOCK TABLE users IN ACCESS EXCLUSIVE MODE")
            started = time.monotonic()
            status, _, _ = server.request("GET", "/healthz")
            self.assertEqual(status, 503)
            self.assertLess(time.monotonic() - started, 5, "/healthz answers within seconds")
            started = time.monotonic()
            status, _, body = server.request("GET", path_of(url))
            self.assertEqual(status, 503, body)
            self.assertLess(time.monotonic() - started, 8, "a page waits for its statement's bound, no more")
            locker.rollback()
        deadline = time.monotonic() + 10
        while server.request("GET", "/healthz")[0] != 200 and time.monotonic() < deadline:
            time.sleep(0.2)
        self.assertEqual(server.request("GET", path_of(url))[0], 200)
        # Every pooled connection killed, as a server restart does: the next requests still work.
        name = uri.rsplit("/", 1)[1].split("?")[0]
        with psycopg.connect(uri.rsplit("/", 1)[0] + "/postgres", autocommit=True) as admin:
            admin.execute("SELECT pg_terminate_backend(pid) FROM pg_stat_activity WHERE datname = %s AND pid <> pg_backend_pid()", (name,))
        statuses = [server.request("GET", path_of(url))[0] for _ in range(4)]
        self.assertEqual(statuses, [200] * 4, "a stale pooled connection is retried, not a 503")


if __name__ == "__main__":
    unittest.main(verbosity=2)
