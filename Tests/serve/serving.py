"""What serve's tests share: a site (a working directory with settings, secrets and a database,
SQLite or the PostgreSQL server of ACCOUNTS_TEST_DATABASE), `accounts serve` started on a free
port and always stopped, and plain HTTP requests to it.

Environment: ACCOUNTS_BIN (the built binary), ACCOUNTS_TEST_DATABASE (optional PostgreSQL URI).
"""
import email
import email.policy
import http.client
import json
import os
import re
import shutil
import signal
import socket
import subprocess
import tempfile
import threading
import time

BIN = os.environ["ACCOUNTS_BIN"]


def free_port():
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        return probe.getsockname()[1]


class Site:
    """A directory to run `accounts` in; `env` are ACCOUNTS_* settings for every command."""

    def __init__(self, **settings):
        self.directory = tempfile.mkdtemp(prefix="accounts-serve-")
        self.settings = {"ACCOUNTS_" + key: str(value) for key, value in settings.items()}
        database = os.environ.get("ACCOUNTS_TEST_DATABASE")
        if database:
            self.settings["ACCOUNTS_DATABASE"] = database
        self.servers = []
        self.run("init")

    def env(self, extra=None):
        env = {k: v for k, v in os.environ.items() if not k.startswith("ACCOUNTS_")}
        env.update(self.settings)
        env.update(extra or {})
        return env

    def run(self, *args, check=True, extra=None):
        result = subprocess.run([BIN, *args], cwd=self.directory, env=self.env(extra), capture_output=True, text=True, timeout=60)
        if check and result.returncode != 0:
            raise AssertionError(f"accounts {' '.join(args)} exited {result.returncode}: {result.stderr}")
        return result

    def register(self, user_id, email=None):
        """The activation URL `register` printed (and mailed to the outbox)."""
        return self.run("register", user_id, email or f"{user_id}@example.com").stdout.strip()

    def show(self, user_id):
        return json.loads(self.run("show", user_id, "--format", "json").stdout)

    def audit(self, user_id, action):
        entries = json.loads(self.run("log", "--user", user_id, "--format", "json").stdout)
        return [e for e in entries if e["action"] == action]

    def outbox(self):
        folder = os.path.join(self.directory, "outbox")
        return sorted(os.listdir(folder)) if os.path.isdir(folder) else []

    def mail_link(self, name):
        """The activation URL in an outbox mail (its plain-text part)."""
        with open(os.path.join(self.directory, "outbox", name), "rb") as file:
            message = email.message_from_binary_file(file, policy=email.policy.default)
        text = message.get_body(("plain",)).get_content()
        return re.search(r"https?://\S+/(?:users/activate/|verify\?)[^\s\"<]+", text).group(0)

    def serve(self, *args, port=None, extra=None):
        server = Server(self, port or free_port(), args, extra)
        self.servers.append(server)
        return server

    def close(self):
        for server in self.servers:
            server.stop()
        shutil.rmtree(self.directory, ignore_errors=True)


class Server:
    """`accounts serve` on 127.0.0.1:port; stderr collected line by line."""

    def __init__(self, site, port, args, extra):
        self.port = port
        # An ssl.SSLContext to talk HTTPS (serve --tls-cert/--tls-key).
        self.tls = None
        self.lines = []
        self.process = subprocess.Popen([BIN, "serve", "--listen", f"127.0.0.1:{port}", *args], cwd=site.directory,
                                        env=site.env(extra), stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True)
        self.stdout = ""
        self._reader = threading.Thread(target=self._read, daemon=True)
        self._reader.start()
        deadline = time.monotonic() + 20
        while not any("listening on" in line for line in self.lines):
            if self.process.poll() is not None or time.monotonic() > deadline:
                self.stop()
                raise AssertionError("accounts serve did not start: " + "".join(self.lines))
            time.sleep(0.02)

    def _read(self):
        for line in self.process.stderr:
            self.lines.append(line)

    def access_log(self, at_least=0):
        """The access log's lines so far; with `at_least`, waits (5 s at most) for that many, as
        stderr is read by another thread a moment after the response arrives."""
        deadline = time.monotonic() + 5
        while True:
            lines = [json.loads(line) for line in list(self.lines) if line.startswith("{")]
            if len(lines) >= at_least or time.monotonic() > deadline:
                return lines
            time.sleep(0.02)

    def request(self, method, path, body=None, headers=None):
        """(status, headers with lower-case names, body text)."""
        if self.tls:
            connection = http.client.HTTPSConnection("127.0.0.1", self.port, timeout=30, context=self.tls)
        else:
            connection = http.client.HTTPConnection("127.0.0.1", self.port, timeout=30)
        try:
            headers = dict(headers or {})
            if body is not None:
                headers.setdefault("Content-Type", "application/x-www-form-urlencoded")
            connection.request(method, path, body=body, headers=headers)
            response = connection.getresponse()
            return response.status, {k.lower(): v for k, v in response.getheaders()}, response.read().decode("utf-8")
        finally:
            connection.close()

    def stop(self, sig=signal.SIGTERM):
        """Stops the server (SIGTERM, then SIGKILL after 10 s); returns its exit status."""
        if self.process.stdout.closed:
            return self.process.returncode
        if self.process.poll() is None:
            self.process.send_signal(sig)
            try:
                self.process.wait(10)
            except subprocess.TimeoutExpired:
                self.process.kill()
                self.process.wait()
        self.stdout = self.process.stdout.read()
        self.process.stdout.close()
        self._reader.join(5)
        self.process.stderr.close()
        return self.process.returncode


def path_of(url):
    return re.sub(r"^https?://[^/]+", "", url)


def form(url, action="activate"):
    """The body the confirm page's form posts for this link."""
    uid, token = path_of(url).rstrip("/").split("/")[-2:]
    return f"uid={uid}&token={token}&action={action}"


def token_of(url):
    return path_of(url).rstrip("/").split("/")[-1]
