"""`accounts serve` through the built binary over real HTTP (run by ServeCLITests.swift).

Every server a test starts is stopped in tearDown, also when the test fails.
"""
import base64
import hashlib
import json
import os
import re
import signal
import socket
import ssl
import subprocess
import sqlite3
import sys
import threading
import time
import unittest
import uuid

import html5lib
from prometheus_client.parser import text_string_to_metric_families

sys.path.insert(0, os.path.dirname(__file__))
from serving import BIN, Site, form, free_port, path_of, token_of  # noqa: E402

SECURITY_HEADERS = {
    "referrer-policy": "no-referrer",
    "cache-control": "no-store",
    "x-content-type-options": "nosniff",
    "x-robots-tag": "noindex, nofollow",
}
PAGES = "/users/activate/"


def unique(prefix):
    return f"{prefix}{uuid.uuid4().hex[:8]}"


def wait_for_new_mail(site, before, timeout=10):
    """The name of the first outbox file not in `before`: serve sends what a page queued on
    threads of its own, a moment after answering."""
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        new = sorted(set(site.outbox()) - set(before))
        if new:
            return new[0]
        time.sleep(0.05)
    raise AssertionError("no new mail in the outbox")


class ServeTestCase(unittest.TestCase):
    def setUp(self):
        self.sites = []

    def tearDown(self):
        for site in self.sites:
            site.close()

    def site(self, **settings):
        site = Site(**settings)
        self.sites.append(site)
        return site

    def assertSecurityHeaders(self, headers, what):
        for name, value in SECURITY_HEADERS.items():
            self.assertEqual(headers.get(name), value, f"{name} on {what}")
        csp = headers.get("content-security-policy", "")
        for directive in ("default-src 'none'", "form-action 'self'", "frame-ancestors 'none'", "base-uri 'none'"):
            self.assertIn(directive, csp, what)
        self.assertRegex(csp, r"style-src 'sha256-[A-Za-z0-9+/]+=*'", what)
        self.assertNotIn("unsafe-inline", csp)

    def assertValidHTML(self, body, what):
        parser = html5lib.HTMLParser(strict=True)
        try:
            parser.parse(body)
        except Exception as error:  # html5lib raises ParseError on the first error
            self.fail(f"{what}: HTML error {error!r} in\n{body}")
        self.assertNotIn("<script", body.lower(), what)


class CoreFlow(ServeTestCase):
    """The flow on whichever store ACCOUNTS_TEST_DATABASE names (SQLite by default)."""

    def test_get_never_activates(self):
        site = self.site()
        server = site.serve("--posts-per-minute", "1000")
        user = unique("get")
        url = site.register(user)
        for method in ("GET", "GET", "HEAD", "GET"):
            status, headers, body = server.request(method, path_of(url))
            self.assertEqual(status, 200)
            self.assertSecurityHeaders(headers, "confirm page")
        self.assertEqual(site.show(user)["state"], "pending")
        self.assertEqual(site.audit(user, "activate"), [])
        # The page names the account, masks the email, and carries uid and token in a POST form.
        self.assertIn(f"&#39;{user}&#39;", body)
        self.assertIn(f"{user[0]}***@example.com", body)
        self.assertNotIn(f"{user}@example.com", body)
        self.assertRegex(body, r'<form method="post" action="/users/activate/">')
        self.assertIn(f'name="token" value="{token_of(url)}"', body)
        self.assertValidHTML(body, "confirm page")

    def test_post_activates_once_then_says_already_active(self):
        site = self.site()
        server = site.serve("--posts-per-minute", "1000")
        user = unique("post")
        url = site.register(user)
        status, headers, body = server.request("POST", PAGES, form(url), {"Accept-Language": "ko"})
        self.assertEqual(status, 200, body)
        self.assertIn("메일 인증이 완료 되었습니다", body)
        self.assertSecurityHeaders(headers, "result page")
        self.assertValidHTML(body, "activated page")
        self.assertEqual(site.show(user)["state"], "active")
        status, _, body = server.request("POST", PAGES, form(url), {"Accept-Language": "en"})
        self.assertEqual(status, 200)
        self.assertIn(f"The account &#39;{user}&#39; ({user[0]}***@example.com) is already active.", body)
        self.assertValidHTML(body, "already-active page")
        # Exactly the entry `accounts activate` makes.
        entries = site.audit(user, "activate")
        self.assertEqual(len(entries), 1)
        self.assertEqual(entries[0]["detail"], "link signed with SECRET_KEY")
        # The GET of a used link: the account is named (its token was genuine), no button.
        status, _, body = server.request("GET", path_of(url))
        self.assertEqual(status, 200)
        self.assertNotIn("<form", body)

    def test_twenty_concurrent_posts_of_one_link_activate_once(self):
        site = self.site()
        server = site.serve("--posts-per-minute", "1000", "--threads", "8")
        user = unique("race")
        url = site.register(user)
        body = form(url).encode()
        request = (f"POST {PAGES} HTTP/1.1\r\nHost: 127.0.0.1:{server.port}\r\nAccept-Language: en\r\n"
                   f"Content-Type: application/x-www-form-urlencoded\r\nContent-Length: {len(body)}\r\n"
                   f"Connection: close\r\n\r\n").encode() + body
        sockets = [socket.create_connection(("127.0.0.1", server.port), timeout=30) for _ in range(20)]
        # Everything but the last byte on all 20 connections: no request can be answered until the
        # last bytes go out together, so all 20 are in the server at once.
        for connection in sockets:
            connection.sendall(request[:-1])
        time.sleep(0.3)
        for connection in sockets:
            connection.setblocking(False)
            with self.assertRaises(BlockingIOError, msg="a response came before the request was complete"):
                connection.recv(1)
            connection.setblocking(True)
        barrier = threading.Barrier(20)
        answers = [None] * 20

        def finish(index, connection):
            barrier.wait()
            connection.sendall(request[-1:])
            chunks = []
            while chunk := connection.recv(65536):
                chunks.append(chunk)
            answers[index] = b"".join(chunks).decode()
            connection.close()

        threads = [threading.Thread(target=finish, args=(i, c)) for i, c in enumerate(sockets)]
        for thread in threads:
            thread.start()
        for thread in threads:
            thread.join(60)
        self.assertTrue(all(answers), "every connection got an answer")
        self.assertTrue(all(a.startswith("HTTP/1.1 200") for a in answers), [a.split("\r\n")[0] for a in answers])
        activated = [a for a in answers if "Your email address is confirmed" in a]
        already = [a for a in answers if "is already active" in a]
        self.assertEqual((len(activated), len(already)), (1, 19))
        self.assertEqual(len(site.audit(user, "activate")), 1)
        outcomes = [line["outcome"] for line in server.access_log() if line["method"] == "POST"]
        self.assertEqual(sorted(outcomes), ["activated"] + ["already_active"] * 19)

    def test_healthz_and_metrics(self):
        site = self.site()
        server = site.serve("--posts-per-minute", "1000")
        user = unique("metrics")
        url = site.register(user)
        server.request("POST", PAGES, form(url))
        status, headers, body = server.request("GET", "/healthz")
        self.assertEqual((status, body), (200, "ok\n"))
        self.assertSecurityHeaders(headers, "/healthz")
        status, headers, body = server.request("GET", "/metrics")
        self.assertEqual(status, 200)
        self.assertTrue(headers["content-type"].startswith("text/plain; version=0.0.4"))
        self.assertSecurityHeaders(headers, "/metrics")
        families = {family.name: family for family in text_string_to_metric_families(body)}
        # The names `accounts stats --format prometheus` uses, with the same values.
        stats = {f.name: f for f in text_string_to_metric_families(site.run("stats", "--format", "prometheus").stdout)}
        for name in ("accounts_users", "accounts_registrations", "accounts_activations", "accounts_activation_mails"):
            self.assertIn(name, families)
            self.assertEqual(sorted((s.labels.get("state", ""), s.value) for s in families[name].samples),
                             sorted((s.labels.get("state", ""), s.value) for s in stats[name].samples), name)
        self.assertGreaterEqual(families["accounts_activations"].samples[0].value, 1)
        requests = {(s.labels["route"], s.labels["method"], s.labels["status"]): s.value
                    for s in families["accounts_http_requests"].samples}
        self.assertEqual(requests[("activation", "POST", "200")], 1)
        self.assertEqual(requests[("healthz", "GET", "200")], 1)


class QueryStringLinks(ServeTestCase):
    """ACTIVATION_URL with the uid and token in its query (issue 23): the link register prints
    and mails is the one activate, inspect and serve's GET and POST answer, on either store."""

    def test_register_inspect_activate_and_serve_read_one_template(self):
        port = free_port()
        site = self.site(ACTIVATION_URL=f"http://127.0.0.1:{port}/verify?lang=ko&uid={{uid}}&token={{token}}")
        server = site.serve("--posts-per-minute", "1000", port=port)
        first, second = unique("query"), unique("query")
        url = site.register(first)
        self.assertRegex(url, rf"^http://127\.0\.0\.1:{port}/verify\?lang=ko&uid=[A-Za-z0-9_-]+&token=[0-9a-z]+-[0-9a-f]+$")
        uid, token = re.search(r"uid=([^&]+)&token=(.+)$", url).groups()
        inspected = json.loads(site.run("inspect", url, "--format", "json").stdout)
        self.assertEqual((inspected["user_id"], inspected["state"], inspected["would_activate"]), (first, "pending", True))
        # The page: a GET changes nothing, and its form posts to the path, without the token.
        status, headers, body = server.request("GET", path_of(url))
        self.assertEqual(status, 200, body)
        self.assertSecurityHeaders(headers, "confirm page")
        self.assertIn('<form method="post" action="/verify">', body)
        self.assertIn(f'name="token" value="{token}"', body)
        self.assertEqual(site.show(first)["state"], "pending")
        status, _, body = server.request("GET", "/verify?lang=ko&uid=" + uid)
        self.assertEqual(status, 404, "half a link is no link")
        status, _, body = server.request("POST", "/verify", f"uid={uid}&token={token}&action=activate", {"Accept-Language": "en"})
        self.assertEqual(status, 200, body)
        self.assertEqual(site.show(first)["state"], "active")
        self.assertNotIn(token, "".join(server.lines), "no token in the access log")
        # The CLI reads the mailed link too, from standard input.
        site.register(second)
        mailed = site.mail_link(site.outbox()[-1])
        self.assertIn("/verify?lang=ko&uid=", mailed)
        activated = subprocess.run([BIN, "activate", "-"], input=mailed, cwd=site.directory, env=site.env(), capture_output=True, text=True, timeout=60)
        self.assertEqual(activated.returncode, 0, activated.stderr)
        self.assertEqual(site.show(second)["state"], "active")
        refused = site.run("activate", f"http://127.0.0.1:{port}/verify?lang=ko&uid={uid}", check=False)
        self.assertEqual(refused.returncode, 65)
        self.assertIn("does not hold ?uid=<uid>&token=<token>", refused.stderr)


class Pages(ServeTestCase):
    def test_healthz_is_503_when_the_store_fails(self):
        site = self.site()
        server = site.serve()
        self.assertEqual(server.request("GET", "/healthz")[:1], (200,))
        # What a disk fault looks like to SQLite: the file is no longer a database.
        with open(os.path.join(site.directory, "accounts.sqlite3"), "r+b") as database:
            database.write(b"\0" * 4096)
        for name in ("accounts.sqlite3-wal", "accounts.sqlite3-shm"):
            if os.path.exists(os.path.join(site.directory, name)):
                with open(os.path.join(site.directory, name), "r+b") as file:
                    file.write(b"\0" * 64)
        status, headers, body = server.request("GET", "/healthz")
        self.assertEqual((status, body), (503, "store unavailable\n"))
        self.assertSecurityHeaders(headers, "503")
        status, _, body = server.request("GET", "/users/activate/MQ/a-0123456789abcdef0123456789abcdef/")
        self.assertEqual(status, 503)
        self.assertValidHTML(body, "503 page")

    def test_refused_links_get_their_own_page_without_a_button(self):
        site = self.site()
        server = site.serve()
        user = unique("bad")
        url = site.register(user)
        path = path_of(url)
        wrong = path[:-2] + ("0" if path[-2] != "0" else "1") + "/"
        cases = {
            "invalid": (wrong, 400, "the token does not match"),
            "malformed": (path.replace(token_of(url), "not-a-token"), 400, "cut off or mistyped"),
            "unknown": ("/users/activate/OTk5OTk/" + token_of(url) + "/", 404, "does not exist"),
            "no such page": ("/elsewhere", 404, "There is no page at this address."),
        }
        for what, (target, code, words) in cases.items():
            status, headers, body = server.request("GET", target, headers={"Accept-Language": "en"})
            self.assertEqual(status, code, what)
            self.assertIn(words, body, what)
            self.assertNotIn("<form", body, what)
            # A guessed link learns nothing about the account.
            self.assertNotIn(user, body, what)
            self.assertSecurityHeaders(headers, what)
            self.assertValidHTML(body, what)
        self.assertEqual(site.show(user)["state"], "pending")

    def test_language_from_accept_language_else_language_code(self):
        site = self.site()
        server = site.serve()
        url = site.register(unique("lang"))
        for accept, language, words in [(None, "ko", "활성화할까요"), ("en-US,en;q=0.9", "en", "Activate the account"),
                                        ("fr, ko;q=0.5, en;q=0.4", "ko", "활성화할까요"), ("de", "ko", "활성화할까요")]:
            status, headers, body = server.request("GET", path_of(url), headers={"Accept-Language": accept} if accept else {})
            self.assertEqual(headers["content-language"], language, accept)
            self.assertIn(f'<html lang="{language}">', body)
            self.assertIn(words, body, accept)
            self.assertEqual(headers["vary"], "Accept-Language")
        english = self.site(LANGUAGE_CODE="en")
        server = english.serve()
        _, headers, body = server.request("GET", path_of(english.register(unique("lang"))))
        self.assertEqual(headers["content-language"], "en")

    def test_stored_text_is_escaped_and_templates_can_be_replaced(self):
        site = self.site()
        templates = os.path.join(site.directory, "pages")
        os.mkdir(templates)
        # Only the stylesheet first: the built-in page.html answers with it.
        with open(os.path.join(templates, "style.css"), "w") as style:
            style.write("p{color:red}")
        server = site.serve("--templates", templates)
        status, headers, body = server.request("GET", "/users/activate/MQ/x/")
        self.assertIn("<main", body)
        self.assertIn("<style>p{color:red}</style>", body)
        server.stop()
        with open(os.path.join(templates, "page.html"), "w") as page:
            page.write('<!DOCTYPE html><html lang="{{lang}}"><head><meta charset="utf-8"><title>mine</title>'
                       '<style>{{{style}}}</style></head><body>{{#user_id}}<p id="who">{{user_id}}</p>{{/user_id}}'
                       '{{#button}}<form method="post" action="{{form_action}}"><button>{{button}}</button></form>{{/button}}</body></html>')
        server = site.serve("--templates", templates)
        user = unique("x")
        url = site.register(user)
        # A user_id written by another program may hold markup (accounts itself refuses '<').
        with sqlite3.connect(os.path.join(site.directory, "accounts.sqlite3")) as database:
            database.execute("UPDATE users SET user_id = user_id || '<b>' WHERE user_id = ?", (user,))
        status, headers, body = server.request("GET", path_of(site.run("send-activation", user + "<b>", "--force").stdout.strip()))
        self.assertEqual(status, 200, body)
        self.assertIn(f'<p id="who">{user}&lt;b&gt;</p>', body)
        digest = base64.b64encode(hashlib.sha256(b"p{color:red}").digest()).decode()
        self.assertIn(f"style-src 'sha256-{digest}'", headers["content-security-policy"])
        self.assertIn('<form method="post" action="/users/activate/">', body)
        # A refused link's page, through the same template: no account, no form.
        _, _, body = server.request("GET", path_of(url) + "x/")
        self.assertNotIn("<form", body)
        self.assertNotIn('id="who"', body)

    def test_success_url_redirects_after_activation(self):
        site = self.site(ACTIVATION_SUCCESS_URL="https://example.com/login/")
        server = site.serve()
        url = site.register(unique("redirect"))
        status, headers, _ = server.request("POST", PAGES, form(url))
        self.assertEqual(status, 303)
        self.assertEqual(headers["location"], "https://example.com/login/")
        # The redirect leaves this origin, so form-action must allow it.
        self.assertIn("form-action 'self' https://example.com;", headers["content-security-policy"])


class Protections(ServeTestCase):
    def test_cross_site_posts_are_refused(self):
        site = self.site()
        server = site.serve("--posts-per-minute", "1000")
        user = unique("csrf")
        url = site.register(user)
        for headers in ({"Sec-Fetch-Site": "cross-site"}, {"Sec-Fetch-Site": "same-site"},
                        {"Origin": "https://evil.example"}, {"Origin": "null"}):
            status, response_headers, body = server.request("POST", PAGES, form(url), headers)
            self.assertEqual(status, 403, headers)
            self.assertSecurityHeaders(response_headers, "403")
            self.assertValidHTML(body, "403 page")
        self.assertEqual(site.show(user)["state"], "pending")
        status, _, _ = server.request("POST", PAGES, form(url), {"Origin": f"http://127.0.0.1:{server.port}", "Sec-Fetch-Site": "same-origin"})
        self.assertEqual(status, 200)
        self.assertEqual(site.show(user)["state"], "active")

    def test_posts_over_the_rate_limit_get_429_and_forwarded_headers_count_only_from_trusted_proxies(self):
        site = self.site()
        server = site.serve("--posts-per-minute", "3")
        statuses = [server.request("POST", PAGES, "uid=MQ&token=x&action=activate")[0] for _ in range(3)]
        self.assertEqual(statuses, [400, 400, 400])
        status, headers, body = server.request("POST", PAGES, "uid=MQ&token=x&action=activate")
        self.assertEqual(status, 429)
        self.assertGreaterEqual(int(headers["retry-after"]), 1)
        self.assertSecurityHeaders(headers, "429")
        self.assertValidHTML(body, "429 page")
        # A client cannot pick itself a fresh bucket by claiming to be forwarded.
        status, headers, _ = server.request("POST", PAGES, "uid=MQ&token=x", {"X-Forwarded-For": "192.0.2.7", "X-Forwarded-Proto": "https"})
        self.assertEqual(status, 429)
        self.assertNotIn("strict-transport-security", headers)
        self.assertEqual(server.access_log(at_least=5)[4]["client"], "127.0.0.1")
        # Behind a trusted proxy, the forwarded client is the one counted, and HTTPS means HSTS.
        proxied = self.site(TRUSTED_PROXIES="127.0.0.1")
        server = proxied.serve("--posts-per-minute", "1")
        self.assertEqual(server.request("POST", PAGES, "uid=MQ&token=x&action=activate", {"X-Forwarded-For": "192.0.2.7"})[0], 400)
        self.assertEqual(server.request("POST", PAGES, "uid=MQ&token=x&action=activate", {"X-Forwarded-For": "192.0.2.7"})[0], 429)
        status, headers, _ = server.request("POST", PAGES, "uid=MQ&token=x&action=activate", {"X-Forwarded-For": "198.51.100.1, 192.0.2.8", "X-Forwarded-Proto": "https"})
        self.assertEqual(status, 400)
        self.assertEqual(headers["strict-transport-security"], "max-age=31536000")
        self.assertEqual(server.access_log(at_least=3)[2]["client"], "192.0.2.8")

    def test_access_log_never_holds_a_token(self):
        site = self.site()
        server = site.serve("--posts-per-minute", "1000")
        urls = [site.register(unique("log")) for _ in range(3)]
        for url in urls:
            server.request("GET", path_of(url))
            server.request("GET", path_of(url) + "?utm_source=mail")
            server.request("POST", PAGES, form(url))
            server.request("GET", path_of(url).rstrip("/"))
        self.assertEqual(server.stop(), 0)
        log = "".join(server.lines)
        for url in urls:
            self.assertNotIn(token_of(url), log)
            self.assertNotIn(token_of(url).split("-")[1], log)
        lines = server.access_log()
        self.assertEqual(len(lines), 12)
        for line in lines:
            self.assertEqual(set(line), {"time", "client", "method", "path", "status", "outcome", "duration_us", "user_agent"})
            self.assertTrue(line["path"] == PAGES or re.fullmatch(r"/users/activate/[A-Za-z0-9_-]+/\[token\]/?", line["path"]), line)
        self.assertEqual(server.stdout, "", "nothing on stdout")

    def test_expired_link_offers_a_new_one_under_the_cooldown(self):
        site = self.site(PASSWORD_RESET_TIMEOUT=1, ACTIVATION_COOLDOWN=4)
        server = site.serve("--posts-per-minute", "1000")
        user = unique("late")
        url = site.register(user)
        time.sleep(4.2)  # the link is expired and the registration mail's cooldown over
        status, _, body = server.request("GET", path_of(url), headers={"Accept-Language": "en"})
        self.assertEqual(status, 400)
        self.assertIn("expired at", body)
        self.assertIn('name="action" value="resend"', body)
        self.assertValidHTML(body, "expired page")
        mails = site.outbox()
        status, _, body = server.request("POST", PAGES, form(url, "resend"), {"Accept-Language": "en"})
        self.assertEqual(status, 200, body)
        self.assertIn(f"mailed to {user[0]}***@example.com", body)
        fresh = site.mail_link(wait_for_new_mail(site, mails))
        self.assertNotEqual(token_of(fresh), token_of(url))
        self.assertEqual(server.request("GET", path_of(fresh))[0], 200, "the new link works")
        # The old link again: a newer one was sent, only the latest may ask; nothing is mailed.
        status, _, body = server.request("POST", PAGES, form(url, "resend"), {"Accept-Language": "en"})
        self.assertEqual(status, 400)
        self.assertIn("A newer activation link was mailed", body)
        self.assertValidHTML(body, "superseded page")
        # The new link, expired too, within the cooldown: it holds, nothing more is mailed.
        time.sleep(2.2)
        status, headers, body = server.request("POST", PAGES, form(fresh, "resend"), {"Accept-Language": "en"})
        self.assertEqual(status, 429, body)
        self.assertIn("try again in", body)
        self.assertTrue(1 <= int(headers["retry-after"]) <= 4)
        # A made-up token cannot ask for mail.
        status, _, _ = server.request("POST", PAGES, form(fresh, "resend").replace(token_of(fresh)[-4:], "0000"))
        self.assertEqual(status, 400)
        time.sleep(0.5)
        self.assertEqual(len(site.outbox()), len(mails) + 1)
        self.assertEqual(len(site.audit(user, "send-activation")), 2)
        self.assertEqual(len(site.audit(user, "request-activation")), 1)

    def test_sigterm_finishes_the_request_in_flight(self):
        site = self.site()
        server = site.serve()
        user = unique("term")
        url = site.register(user)
        body = form(url).encode()
        connection = socket.create_connection(("127.0.0.1", server.port), timeout=30)
        connection.sendall((f"POST {PAGES} HTTP/1.1\r\nHost: 127.0.0.1\r\nContent-Type: application/x-www-form-urlencoded\r\n"
                            f"Content-Length: {len(body)}\r\n\r\n").encode() + body[:10])
        time.sleep(0.3)
        server.process.send_signal(signal.SIGTERM)
        time.sleep(0.5)
        self.assertIsNone(server.process.poll(), "the server waits for the request in flight")
        connection.sendall(body[10:])
        answer = b""
        while chunk := connection.recv(65536):
            answer += chunk
            if b"</html>" in answer:
                break
        connection.close()
        self.assertTrue(answer.startswith(b"HTTP/1.1 200"), answer[:200])
        self.assertIn("인증 완료".encode(), answer)
        self.assertEqual(server.process.wait(10), 0)
        self.assertEqual(site.show(user)["state"], "active")
        self.assertIn("accounts serve: stopped\n", server.lines)
        # And no new connection is accepted after it.
        with self.assertRaises(OSError):
            socket.create_connection(("127.0.0.1", server.port), timeout=2).close()


class TLS(ServeTestCase):
    def certificate(self, site, name="server"):
        """A throw-away self-signed certificate for 127.0.0.1, its key 0600."""
        cert, key = (os.path.join(site.directory, f"{name}.{kind}.pem") for kind in ("cert", "key"))
        subprocess.run(["openssl", "req", "-x509", "-newkey", "ec", "-pkeyopt", "ec_paramgen_curve:P-256", "-nodes",
                        "-keyout", key, "-out", cert, "-days", "1", "-subj", "/CN=127.0.0.1",
                        "-addext", "subjectAltName=IP:127.0.0.1"], check=True, capture_output=True)
        os.chmod(key, 0o600)
        return cert, key

    def test_https_with_its_own_certificate(self):
        site = self.site()
        cert, key = self.certificate(site)
        server = site.serve("--tls-cert", cert, "--tls-key", key)
        self.assertTrue(any(f"listening on https://127.0.0.1:{server.port}" in line for line in server.lines))
        server.tls = ssl.create_default_context(cafile=cert)
        user = unique("tls")
        url = site.register(user)
        status, headers, body = server.request("GET", path_of(url))
        self.assertEqual(status, 200)
        self.assertEqual(headers["strict-transport-security"], "max-age=31536000")
        self.assertSecurityHeaders(headers, "HTTPS confirm page")
        # The browser's Origin for this page is https://…; it must be accepted as same-origin.
        status, _, body = server.request("POST", PAGES, form(url), {"Origin": f"https://127.0.0.1:{server.port}"})
        self.assertEqual(status, 200, body)
        self.assertEqual(site.show(user)["state"], "active")
        # Plain HTTP to the HTTPS port gets no page.
        with socket.create_connection(("127.0.0.1", server.port), timeout=5) as plain:
            plain.sendall(b"GET /healthz HTTP/1.1\r\nHost: x\r\n\r\n")
            try:
                answer = plain.recv(100)
            except ConnectionResetError:
                answer = b""
        self.assertFalse(answer.startswith(b"HTTP/1.1 200"), answer)

    def test_certbots_symbolic_links_are_followed_only_when_nobody_else_could_change_them(self):
        site = self.site()
        cert, key = self.certificate(site)
        # certbot's layout: live/NAME/*.pem link to ../../archive/NAME/*1.pem.
        live, archive = (os.path.join(site.directory, "letsencrypt", part, "site") for part in ("live", "archive"))
        os.makedirs(live)
        os.makedirs(archive)
        for source, name in ((cert, "fullchain"), (key, "privkey")):
            os.rename(source, os.path.join(archive, f"{name}1.pem"))
            os.symlink(f"../../archive/site/{name}1.pem", os.path.join(live, f"{name}.pem"))
        arguments = ("--tls-cert", os.path.join(live, "fullchain.pem"), "--tls-key", os.path.join(live, "privkey.pem"))
        server = site.serve(*arguments)
        server.tls = ssl.create_default_context(cafile=os.path.join(archive, "fullchain1.pem"))
        self.assertEqual(server.request("GET", "/healthz")[0], 200)
        server.stop()
        # A directory others may write holds the link: someone could point it at their own key.
        os.chmod(live, 0o777)
        result = site.run("serve", "--listen", "127.0.0.1:0", *arguments, check=False)
        self.assertEqual(result.returncode, 78, result.stderr)
        self.assertIn("can be written by other users", result.stderr)
        os.chmod(live, 0o755)
        if os.geteuid() == 0:
            os.lchown(os.path.join(live, "privkey.pem"), 65534, 65534)
            result = site.run("serve", "--listen", "127.0.0.1:0", *arguments, check=False)
            self.assertEqual(result.returncode, 78, result.stderr)
            self.assertIn("belongs to", result.stderr)
        # The key at the end is still checked as ever.
        os.chmod(os.path.join(archive, "privkey1.pem"), 0o644)
        if os.geteuid() == 0:
            os.lchown(os.path.join(live, "privkey.pem"), 0, 0)
        result = site.run("serve", "--listen", "127.0.0.1:0", *arguments, check=False)
        self.assertEqual(result.returncode, 78, result.stderr)
        self.assertIn("can be read by other users", result.stderr)

    def test_a_key_others_can_read_or_that_does_not_fit_is_refused(self):
        site = self.site()
        cert, key = self.certificate(site)
        other_cert, other_key = self.certificate(site, "other")
        os.chmod(key, 0o644)
        result = site.run("serve", "--listen", "127.0.0.1:0", "--tls-cert", cert, "--tls-key", key, check=False)
        self.assertEqual(result.returncode, 78)
        self.assertIn("can be read by other users", result.stderr)
        os.chmod(key, 0o600)
        result = site.run("serve", "--listen", "127.0.0.1:0", "--tls-cert", cert, "--tls-key", other_key, check=False)
        self.assertEqual(result.returncode, 78)
        self.assertIn("does not go with the certificate", result.stderr)
        result = site.run("serve", "--listen", "127.0.0.1:0", "--tls-cert", key, "--tls-key", key, check=False)
        self.assertEqual(result.returncode, 78)
        self.assertIn("is not a PEM certificate chain", result.stderr)
        result = site.run("serve", "--listen", "127.0.0.1:0", "--tls-cert", cert, check=False)
        self.assertEqual(result.returncode, 64)
        self.assertIn("--tls-cert and --tls-key go together", result.stderr)


@unittest.skipUnless(os.environ.get("ACCOUNTS_TEST_DATABASE"), "PostgreSQL only (ServeCLITests runs it there)")
class PostgresOutage(ServeTestCase):
    def test_healthz_follows_the_database_down_and_back(self):
        import psycopg  # in .venv; only this PostgreSQL case needs it
        site = self.site()
        server = site.serve()
        self.assertEqual(server.request("GET", "/healthz")[0], 200)
        uri = os.environ["ACCOUNTS_TEST_DATABASE"]
        name = uri.rsplit("/", 1)[1].split("?")[0]
        with psycopg.connect(uri.rsplit("/", 1)[0] + "/postgres", autocommit=True) as admin:
            admin.execute(f'ALTER DATABASE "{name}" ALLOW_CONNECTIONS false')
            admin.execute("SELECT pg_terminate_backend(pid) FROM pg_stat_activity WHERE datname = %s", (name,))
            try:
                status, _, body = server.request("GET", "/healthz")
                self.assertEqual((status, body), (503, "store unavailable\n"))
                status, _, body = server.request("GET", "/users/activate/MQ/a-0123456789abcdef0123456789abcdef/")
                self.assertEqual(status, 503)
                self.assertValidHTML(body, "503 page")
            finally:
                admin.execute(f'ALTER DATABASE "{name}" ALLOW_CONNECTIONS true')
        # Back: a new connection is made for the next request.
        self.assertEqual(server.request("GET", "/healthz")[0], 200)


if __name__ == "__main__":
    unittest.main(verbosity=2)
