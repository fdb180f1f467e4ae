"""Configures a minimal Django 5.2 project the way a real site with these settings runs."""
import os
import sys
import time

sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))


def database_settings(database):
    """A SQLite file, or a postgresql:// URI (the password from PGPASSWORD, as for accounts)."""
    if not database.startswith("postgresql://"):
        return {"ENGINE": "django.db.backends.sqlite3", "NAME": database}
    from urllib.parse import urlsplit

    uri = urlsplit(database)
    return {"ENGINE": "django.db.backends.postgresql", "NAME": uri.path.lstrip("/"), "HOST": uri.hostname,
            "PORT": uri.port, "USER": uri.username, "PASSWORD": os.environ.get("PGPASSWORD", "")}


def use_django_from(path):
    """Django from an unpacked wheel at `path` instead of .venv's 5.2: the 6.x series needs
    Python 3.12, and on this machine's 3.11 it imports only with inspect's 3.12 helper in place
    (the identity: nothing the cross-check runs is a coroutine)."""
    import inspect

    if not hasattr(inspect, "markcoroutinefunction"):
        inspect.markcoroutinefunction = lambda function: function
    sys.path.insert(0, path)


if os.environ.get("DJ_DJANGO_PATH"):
    use_django_from(os.environ["DJ_DJANGO_PATH"])


def setup(secret_key, fallbacks=(), time_zone="UTC", timeout=259200, database=":memory:", **extra):
    # A settings module would export TZ itself; settings.configure() does not, and the token
    # timestamp depends on the process's local time, so do what Django's Settings class does.
    os.environ["TZ"] = time_zone
    time.tzset()
    import django
    from django.conf import settings

    settings.configure(
        SECRET_KEY=secret_key,
        SECRET_KEY_FALLBACKS=list(fallbacks),
        USE_TZ=True,
        TIME_ZONE=time_zone,
        PASSWORD_RESET_TIMEOUT=timeout,
        INSTALLED_APPS=["django.contrib.contenttypes", "django.contrib.auth", "sharedsite"],
        AUTH_USER_MODEL="sharedsite.User",
        DATABASES={"default": database_settings(database)},
        # A new Django project's default (BigAutoField) on PostgreSQL; on SQLite the integer
        # primary key accounts makes.
        DEFAULT_AUTO_FIELD="django.db.models.BigAutoField" if database.startswith("postgresql://")
        else "django.db.models.AutoField",
        **extra,
    )
    django.setup()
