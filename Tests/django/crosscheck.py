#!/usr/bin/env python3
"""The Django side of the live cross-check (run by the Swift test suite with Django from PyPI).

    crosscheck.py roundtrip            JSON on stdin: tokens, uids and hashes made by accounts.
                                       Verifies each with Django, then adds random ones made by
                                       Django for accounts to verify. JSON on stdout.
    crosscheck.py db DB ACTION ARGS    Works on the users table accounts created, through the
                                       Django model in sharedsite/models.py; `view METHOD UID
                                       TOKEN` calls the activation view of sharedsite/views.py
                                       (docs/django.md) and prints its status and body. DB is a
                                       SQLite file or a postgresql:// URI (password: PGPASSWORD);
                                       `migrate` (with DJ_MANAGED=1) lets Django make the table.

Settings come from the environment: DJ_SECRET_KEY, DJ_FALLBACKS (JSON list), DJ_TIME_ZONE,
DJ_TIMEOUT; DJ_DJANGO_PATH runs another Django (an unpacked 6.1 wheel) instead of .venv's.
"""
import json
import os
import random
import string
import sys
from datetime import datetime, timedelta, timezone as dt_timezone

import djangoenv

command = sys.argv[1]
djangoenv.setup(
    os.environ["DJ_SECRET_KEY"],
    fallbacks=json.loads(os.environ.get("DJ_FALLBACKS", "[]")),
    time_zone=os.environ.get("DJ_TIME_ZONE", "UTC"),
    timeout=int(os.environ.get("DJ_TIMEOUT", "259200")),
    database=sys.argv[2] if command == "db" else ":memory:",
)

from django.conf import settings  # noqa: E402
from django.contrib.auth.hashers import check_password, make_password  # noqa: E402
from django.contrib.auth.tokens import PasswordResetTokenGenerator, default_token_generator  # noqa: E402
from django.utils import timezone  # noqa: E402
from django.utils.encoding import force_bytes, force_str  # noqa: E402
from django.utils.http import urlsafe_base64_decode, urlsafe_base64_encode  # noqa: E402


class Subject:
    def __init__(self, pk, password, last_login, email):
        self.pk, self.password, self.email = pk, password, email
        self.last_login = None if last_login is None else datetime.fromisoformat(last_login).replace(tzinfo=dt_timezone.utc)

    def get_email_field_name(self):
        return "email"


class FixedNow(PasswordResetTokenGenerator):
    """Django's generator with its clock set, as Django's own tests mock `_now`."""

    def __init__(self, now):
        super().__init__()
        self.now = now

    def _now(self):
        return self.now


def random_text(alphabet, low, high):
    return "".join(random.choice(alphabet) for _ in range(random.randint(low, high)))


def roundtrip():
    given = json.load(sys.stdin)
    token_ok = []
    for item in given["tokens"]:
        subject = Subject(item["id"], item["password"], item["last_login"], item["email"])
        # check_token at the moment the token claims, one second before expiry, and one after.
        issued = datetime(2001, 1, 1) + timedelta(seconds=item["timestamp"])
        timeout = settings.PASSWORD_RESET_TIMEOUT
        token_ok.append([
            FixedNow(issued).check_token(subject, item["token"]),
            FixedNow(issued + timedelta(seconds=timeout)).check_token(subject, item["token"]),
            FixedNow(issued + timedelta(seconds=timeout + 1)).check_token(subject, item["token"]),
        ])
    uid_ok = [force_str(urlsafe_base64_decode(item["uid"])) == str(item["id"])
              and urlsafe_base64_encode(force_bytes(item["id"])) == item["uid"] for item in given["uids"]]
    password_ok = [check_password(item["password"], item["encoded"]) for item in given["passwords"]]

    # Now Django's turn: random users, tokens at random times, with the current key or a fallback.
    made = {"tokens": [], "uids": [], "passwords": []}
    alphabet = string.ascii_letters + string.digits + "!@#$%^&*()_+-=.가나다라마바사😀"
    keys = [settings.SECRET_KEY, *settings.SECRET_KEY_FALLBACKS]
    for _ in range(200):
        pk = random.randint(1, 2**63 - 1)
        last_login = None if random.random() < 0.3 else datetime(
            random.randint(2001, 2037), random.randint(1, 12), random.randint(1, 28), random.randint(0, 23),
            random.randint(0, 59), random.randint(0, 59), random.randint(0, 999999)).isoformat(" ")
        subject = Subject(pk, random_text(alphabet, 0, 60), last_login, random_text(alphabet, 0, 30) + "@example.com")
        ts = random.randint(0, 2**40)
        key_index = random.randrange(len(keys))
        made["tokens"].append({
            "id": pk, "password": subject.password, "last_login": last_login, "email": subject.email,
            "timestamp": ts, "key_index": key_index,
            "token": PasswordResetTokenGenerator()._make_token_with_timestamp(subject, ts, keys[key_index]),
        })
        made["uids"].append({"id": pk, "uid": urlsafe_base64_encode(force_bytes(pk))})
    for _ in range(3):
        password = random_text(alphabet, 1, 40)
        made["passwords"].append({"password": password, "encoded": make_password(password)})
    json.dump({"token_ok": token_ok, "uid_ok": uid_ok, "password_ok": password_ok, "django": made}, sys.stdout)


def db(action, args):
    from sharedsite.models import User

    if action == "check-token":
        user = User.objects.get(user_id=args[0])
        print(json.dumps(default_token_generator.check_token(user, args[1])))
    elif action == "check-password":
        user = User.objects.get(user_id=args[0])
        print(json.dumps(user.check_password(sys.stdin.read())))
    elif action == "must-update":
        # Would this Django rehash the stored password at the next login (another work factor)?
        from django.contrib.auth.hashers import identify_hasher

        user = User.objects.get(user_id=args[0])
        print(json.dumps(identify_hasher(user.password).must_update(user.password)))
    elif action == "make-link":
        user = User.objects.get(user_id=args[0])
        print(urlsafe_base64_encode(force_bytes(user.pk)), default_token_generator.make_token(user))
    elif action == "create-user":
        user = User(user_id=args[0], email=args[1], date_joined=timezone.now(), is_active=False)
        user.set_password(sys.stdin.read())
        user.save()
        print(user.pk)
    elif action == "show":
        user = User.objects.get(user_id=args[0])
        print(json.dumps({
            "id": user.pk, "user_id": user.user_id, "email": user.email, "is_active": user.is_active,
            "level": user.level, "department": user.department,
            "date_joined": user.date_joined.isoformat(), "last_login": user.last_login and user.last_login.isoformat(),
            "activation_sent_at": user.activation_sent_at and user.activation_sent_at.isoformat(),
            "activated_at": user.activated_at and user.activated_at.isoformat(),
            "has_usable_password": user.has_usable_password(),
        }, ensure_ascii=False))
    elif action == "migrate":
        from django.core.management import call_command

        call_command("migrate", run_syncdb=True, verbosity=0)
    elif action == "columns":
        # How Django's backend sees the table: name, type, null, for the adoption test.
        from django.db import connection

        with connection.cursor() as cursor:
            cursor.execute("SELECT column_name, data_type, is_nullable, coalesce(character_maximum_length, 0), "
                           "is_identity FROM information_schema.columns WHERE table_name = 'users' ORDER BY ordinal_position")
            print(json.dumps(cursor.fetchall()))
    elif action == "view":
        from django.test import RequestFactory
        from sharedsite.views import activate

        method, uidb64, token = args
        request = getattr(RequestFactory(), method.lower())(f"/users/activate/{uidb64}/{token}/")
        response = activate(request, uidb64, token)
        print(response.status_code, response.content.decode())
    else:
        sys.exit(f"unknown db action {action}")


if command == "roundtrip":
    roundtrip()
elif command == "db":
    db(sys.argv[3], sys.argv[4:])
else:
    sys.exit(f"unknown command {command}")
