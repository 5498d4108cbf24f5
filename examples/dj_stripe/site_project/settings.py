"""Settings: dj-stripe's documented settings, wired from the environment.

Every address comes from the environment, so paychaos can route each connection through a
fault proxy: ``DATABASE_URL``, ``STRIPE_API_BASE``, ``STRIPE_SECRET_KEY``,
``STRIPE_WEBHOOK_SECRET``. A missing one stops the server at start-up with its name.
"""

from __future__ import annotations

import os
import sys
from urllib.parse import unquote, urlsplit

import stripe


def _required(name: str) -> str:
    value = os.environ.get(name, "").strip()
    if not value:
        sys.exit(f"site_project: set {name} (see examples/dj_stripe/README.md)")
    return value


def _seconds(name: str, default: float) -> float:
    raw = os.environ.get(name, "").strip()
    try:
        return float(raw) if raw else default
    except ValueError:
        sys.exit(f"site_project: {name}={raw!r} is not a number of seconds")


SECRET_KEY = os.environ.get("DJANGO_SECRET_KEY", "example-only-not-secret")
DEBUG = False
ALLOWED_HOSTS = ["127.0.0.1", "localhost"]

INSTALLED_APPS = [
    "django.contrib.contenttypes",
    "django.contrib.auth",
    "django.contrib.sessions",
    "djstripe",
    "site_project",
]
MIDDLEWARE = [
    "django.contrib.sessions.middleware.SessionMiddleware",
    "django.middleware.common.CommonMiddleware",
    "django.contrib.auth.middleware.AuthenticationMiddleware",
]
ROOT_URLCONF = "site_project.urls"
WSGI_APPLICATION = "site_project.wsgi.application"
DEFAULT_AUTO_FIELD = "django.db.models.BigAutoField"
USE_TZ = True
TIME_ZONE = "UTC"

_db = urlsplit(_required("DATABASE_URL"))
DATABASES = {
    "default": {
        "ENGINE": "django.db.backends.postgresql",
        "NAME": unquote(_db.path.lstrip("/")),
        "USER": unquote(_db.username or ""),
        "PASSWORD": unquote(_db.password or ""),
        "HOST": _db.hostname or "",
        "PORT": str(_db.port or ""),
        # A fresh connection per request: after a Postgres fault no request inherits a dead one.
        "CONN_MAX_AGE": 0,
        "OPTIONS": {
            "connect_timeout": max(1, int(_seconds("DB_CONNECT_TIMEOUT", 5))),
            "options": f"-c statement_timeout={int(_seconds('DB_STATEMENT_TIMEOUT_MS', 30000))}",
        },
    }
}

# dj-stripe's documented settings for a new installation in test mode.
STRIPE_LIVE_MODE = False
STRIPE_TEST_SECRET_KEY = _required("STRIPE_SECRET_KEY")
DJSTRIPE_FOREIGN_KEY_TO_FIELD = "id"
# The subscriber is the user (dj-stripe's default, AUTH_USER_MODEL); its id rides in a
# Checkout Session's metadata under DJSTRIPE_SUBSCRIBER_CUSTOMER_KEY (default
# "djstripe_subscriber").
# The signing secret of the endpoint Stripe posts to: dj-stripe keeps it on its
# WebhookEndpoint row (``manage.py link_webhook_endpoint`` writes it there).
WEBHOOK_SIGNING_SECRET = _required("STRIPE_WEBHOOK_SECRET")

# stripe-python's module-level client, which dj-stripe uses: only where it connects and how
# long it waits (dj-stripe sets the key and the version on every request itself).
stripe.api_base = _required("STRIPE_API_BASE").rstrip("/")
stripe.default_http_client = stripe.RequestsClient(timeout=_seconds("STRIPE_TIMEOUT", 30))

LOGGING = {
    "version": 1,
    "disable_existing_loggers": False,
    "handlers": {"console": {"class": "logging.StreamHandler"}},
    "root": {"handlers": ["console"], "level": "WARNING"},
}
