"""Django's side of the whole-process cases of bench/run.py, each run as its own process.

    django_side.py list DATABASE CUTOFF      pending accounts as JSON on stdout (list --state pending)
    django_side.py purge DATABASE CUTOFF     QuerySet.delete() of the accounts purge-expired deletes
    django_side.py bulk DATABASE COUNT       bulk_create of COUNT inactive accounts; prints rows/s
    django_side.py links DATABASE SECRET_KEY "uid/token" of every account never activated, one a line
"""
import datetime
import json
import os
import sys
import time

sys.path.insert(0, os.path.join(os.path.dirname(os.path.abspath(__file__)), "..", "Tests", "django"))
import djangoenv  # noqa: E402

case, database, argument = sys.argv[1], sys.argv[2], sys.argv[3]
djangoenv.setup(argument if case == "links" else "bench-secret-key", database=database)

from django.db.models.functions import Coalesce  # noqa: E402
from sharedsite.models import User  # noqa: E402


def never_activated():
    return User.objects.filter(is_active=False, last_login__isnull=True, activated_at__isnull=True) \
        .alias(window_start=Coalesce("activation_sent_at", "date_joined"))


def cutoff():
    return datetime.datetime.fromisoformat(argument)


if case == "list":
    rows = never_activated().filter(window_start__gte=cutoff()).order_by("id").values(
        "id", "user_id", "email", "is_active", "level", "department", "date_joined", "last_login",
        "activation_sent_at", "activated_at")
    json.dump(list(rows), sys.stdout, default=str)
    print()
elif case == "links":
    # Django's own token generator: the links accounts would mail (byte-compatible).
    from django.contrib.auth.tokens import default_token_generator
    from django.utils.encoding import force_bytes
    from django.utils.http import urlsafe_base64_encode

    for user in never_activated().order_by("id").iterator(chunk_size=5000):
        print(f"{urlsafe_base64_encode(force_bytes(user.pk))}/{default_token_generator.make_token(user)}")
elif case == "purge":
    deleted, _ = never_activated().filter(window_start__lt=cutoff()).delete()
    print(deleted)
elif case == "bulk":
    count = int(argument)
    now = datetime.datetime.now(datetime.timezone.utc)
    start = time.perf_counter()
    User.objects.bulk_create([
        User(user_id=f"bulk{i}", email=f"bulk{i}@example.com", password="!" + "x" * 40, date_joined=now)
        for i in range(count)
    ], batch_size=1000)
    print(count / (time.perf_counter() - start))
