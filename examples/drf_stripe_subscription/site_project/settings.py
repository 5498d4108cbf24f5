"""Settings: drf-stripe-subscription's documented ``DRF_STRIPE`` block, wired from the environment.

Every address comes from the environment, so paychaos can route each connection
through a fault proxy: ``DATABASE_URL``, ``STRIPE_API_BASE``, ``STRIPE_SECRET_KEY``,
``STRIPE_WEBHOOK_SECRET``, ``FRONT_END_BASE_URL``. A missing one stops the server at
start-up with its name.
"""

from __future__ import annotations

import os
import sys
from urllib.parse import unquote, urlsplit

import stripe


def _required(name: str) -> str:
    value = os.environ.get(name, "").strip()
    if not value:
        sys.exit(f"site_project: set {name} (see examples/drf_stripe_subscription/README.md)")
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
    "rest_framework",
    "rest_framework.authtoken",
    "drf_stripe",
    "site_project",
]
MIDDLEWARE = ["django.middleware.common.CommonMiddleware"]
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

# The SPA front end the library redirects to (``/payment?session=...`` after Checkout) signs
# in with a DRF token; the library's views use whatever DRF authenticates.
REST_FRAMEWORK = {
    "DEFAULT_AUTHENTICATION_CLASSES": ["rest_framework.authentication.TokenAuthentication"],
    "UNAUTHENTICATED_USER": "django.contrib.auth.models.AnonymousUser",
}

# The library's documented settings block.
DRF_STRIPE = {
    "STRIPE_API_SECRET": _required("STRIPE_SECRET_KEY"),
    "STRIPE_WEBHOOK_SECRET": _required("STRIPE_WEBHOOK_SECRET"),
    "FRONT_END_BASE_URL": os.environ.get("FRONT_END_BASE_URL", "http://localhost:3000"),
}

# stripe-python's module-level client, which the library uses (``stripe.api_key`` and
# ``stripe.api_version`` it sets itself): only where it connects, and how long it waits.
stripe.api_base = _required("STRIPE_API_BASE").rstrip("/")
stripe.default_http_client = stripe.http_client.RequestsClient(
    timeout=_seconds("STRIPE_TIMEOUT", 30)
)

LOGGING = {
    "version": 1,
    "disable_existing_loggers": False,
    "handlers": {"console": {"class": "logging.StreamHandler"}},
    "root": {"handlers": ["console"], "level": "WARNING"},
}
