"""Django's side of the serve bench: the POST-confirm activation view of docs/django.md
(Tests/django/sharedsite/views.py) as a WSGI application, for gunicorn.

    BENCH_DATABASE=… BENCH_SECRET_KEY=… gunicorn --chdir bench --workers N django_wsgi:application
"""
import os
import sys

sys.path.insert(0, os.path.join(os.path.dirname(os.path.abspath(__file__)), "..", "Tests", "django"))
import djangoenv  # noqa: E402

djangoenv.setup(os.environ["BENCH_SECRET_KEY"], database=os.environ["BENCH_DATABASE"],
                ROOT_URLCONF=__name__, ALLOWED_HOSTS=["127.0.0.1", "localhost"])

from django.conf import settings  # noqa: E402
from django.core.wsgi import get_wsgi_application  # noqa: E402
from django.urls import path  # noqa: E402
from sharedsite import views  # noqa: E402

# What Django's docs advise for concurrent writers on SQLite (5.1+): BEGIN IMMEDIATE, and a busy
# timeout, or two workers' activations fail with "database is locked".
if settings.DATABASES["default"]["ENGINE"].endswith("sqlite3"):
    settings.DATABASES["default"]["OPTIONS"] = {"transaction_mode": "IMMEDIATE", "timeout": 20}

urlpatterns = [path("users/activate/<uidb64>/<token>/", views.activate)]
application = get_wsgi_application()
