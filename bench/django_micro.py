"""The micro-benchmarks of bench/AccountsBench/main.swift, on Django, in one process.

Prints one JSON object. Run with a Python that has Django 5.2 (make bench uses .venv)."""
import datetime
import json
import os
import sys
import time

sys.path.insert(0, os.path.join(os.path.dirname(os.path.abspath(__file__)), "..", "Tests", "django"))
import djangoenv  # noqa: E402

djangoenv.setup("bench-secret-key-0123456789abcdefghijklmnopqrstuvwxyz", time_zone="UTC")

from django.contrib.auth.hashers import make_password  # noqa: E402
from django.contrib.auth.tokens import default_token_generator as tokens  # noqa: E402
from django.utils.encoding import force_bytes, force_str  # noqa: E402
from django.utils.http import urlsafe_base64_decode, urlsafe_base64_encode  # noqa: E402
from sharedsite.models import User  # noqa: E402

seconds = float(sys.argv[1]) if len(sys.argv) > 1 else 2.0


def rate(batch, body):
    """Operations per second of body() (batch operations a call), best of three timed rounds."""
    body()
    best = 0.0
    for _ in range(3):
        operations = 0
        start = time.perf_counter()
        while True:
            body()
            operations += batch
            elapsed = time.perf_counter() - start
            if elapsed >= seconds / 3:
                break
        best = max(best, operations / elapsed)
    return best


# The same account and instant as the Swift side.
user = User(id=4242, user_id="hong", email="hong.gildong@example.com", password="!" + "k" * 40,
            date_joined=datetime.datetime.fromtimestamp(1_790_000_000, datetime.timezone.utc))
now = datetime.datetime.fromtimestamp(1_790_000_100)
tokens._now = lambda: now  # the instant the Swift side uses, without mocking the clock
token = tokens.make_token(user)


def make_tokens():
    for _ in range(1000):
        tokens.make_token(user)


def check_tokens():
    for _ in range(1000):
        assert tokens.check_token(user, token)


def uid_round_trips():
    for pk in range(1_000_000, 1_001_000):
        int(force_str(urlsafe_base64_decode(urlsafe_base64_encode(force_bytes(pk)))))


hash_seconds = []
for _ in range(3):
    start = time.perf_counter()
    make_password("correct horse battery staple", salt="benchsaltbenchsalt12", hasher="pbkdf2_sha256")
    hash_seconds.append(time.perf_counter() - start)

print(json.dumps({
    "make_token_per_s": int(rate(1000, make_tokens)),
    "check_token_per_s": int(rate(1000, check_tokens)),
    "uid_roundtrip_per_s": int(rate(1000, uid_round_trips)),
    "pbkdf2_seconds": min(hash_seconds),
}))
