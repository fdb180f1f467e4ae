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
