#!/usr/bin/env python3
"""Generates Tests/AccountsCoreTests/django_vectors.json with Django itself.

    python3 -m venv .venv && .venv/bin/pip install 'django>=5.2,<5.3'
    .venv/bin/python Tests/django/make_vectors.py > Tests/AccountsCoreTests/django_vectors.json

Every value in the file is computed by Django's own code (PasswordResetTokenGenerator,
urlsafe_base64_encode, PBKDF2PasswordHasher), never by accounts.
"""
import json
import sys
from datetime import datetime, timezone as dt_timezone

import djangoenv

djangoenv.setup("vector-secret-not-for-production", fallbacks=["old-key-1", "old-key-2"])

import django  # noqa: E402
from django.contrib.auth.hashers import PBKDF2PasswordHasher, check_password  # noqa: E402
from django.contrib.auth.tokens import PasswordResetTokenGenerator  # noqa: E402
from django.utils.encoding import force_bytes  # noqa: E402
from django.utils.http import urlsafe_base64_encode  # noqa: E402


class Subject:
    """Just what the token generator reads from a user."""

    def __init__(self, pk, password, last_login, email):
        self.pk, self.password, self.last_login, self.email = pk, password, last_login, email

    def get_email_field_name(self):
        return "email"


def parse(text):
    return None if text is None else datetime.fromisoformat(text).replace(tzinfo=dt_timezone.utc)


users = [
    (1, "!unusablehash0123456789abcdefghijklmnopqrstu", None, "hong@example.com"),
    (2, "pbkdf2_sha256$1000000$abcdefghijklmnopqrstuv$qGvG0uDkLhPL5jJ4KBNbP2uPSF+NwWc0xPpGVtNWhCE=", "2026-03-01 09:30:00.123456", "kim@example.com"),
    (42, "", "2025-12-31 23:59:59", ""),
    (9223372036854775807, "x$y", "2001-01-01 00:00:00.000001", "최@example.kr"),
    (1234567, "pbkdf2_sha256$1000000$salt$hash", None, "Mixed.Case+tag@Example.COM"),
]
timestamps = [0, 1, 35, 820368000, 815000000, 2**40]
secrets = ["vector-secret-not-for-production", "old-key-1", "old-key-2", "ünïcödé-🔑"]

generator = PasswordResetTokenGenerator()
tokens = []
for pk, password, last_login, email in users:
    subject = Subject(pk, password, parse(last_login), email)
    for ts in timestamps:
        for secret in secrets:
            tokens.append({
                "id": pk, "password": password, "last_login": last_login, "email": email,
                "timestamp": ts, "secret": secret,
                "token": generator._make_token_with_timestamp(subject, ts, secret),
            })

uids = [{"id": pk, "uid": urlsafe_base64_encode(force_bytes(pk))}
        for pk in [1, 2, 9, 10, 99, 100, 12345, 999999, 2**31, 2**53 + 1, 9223372036854775807]]

hasher = PBKDF2PasswordHasher()
passwords = []
for password, salt, iterations in [
    ("correct horse battery staple", "abcdefghijklmnopqrstuv", 1000000),
    ("비밀번호123", "0123456789ABCDEFGHIJKL", 1000),
    ("", "saltsaltsaltsaltsaltsa", 1),
    ("p@$$w0rd with spaces", "Zz9Zz9Zz9Zz9Zz9Zz9Zz9Z", 260000),
]:
    encoded = hasher.encode(password, salt, iterations)
    assert check_password(password, encoded)
    passwords.append({"password": password, "salt": salt, "iterations": iterations, "encoded": encoded})

json.dump({
    "django_version": django.get_version(),
    "key_salt": PasswordResetTokenGenerator.key_salt,
    "tokens": tokens,
    "uids": uids,
    "passwords": passwords,
}, sys.stdout, ensure_ascii=False, indent=1)
sys.stdout.write("\n")
