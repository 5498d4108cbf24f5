"""Django settings for the reference app: everything comes from ``paychaos.reference_app.config``.

Nothing here reads the environment directly; ``load_config_or_exit`` has
already checked every variable, so a bad one stops the process right here.
"""

from __future__ import annotations

import os

from paychaos.reference_app.config import load_config_or_exit

CONFIG = load_config_or_exit(os.environ)

SECRET_KEY = CONFIG.secret_key
DEBUG = False
ALLOWED_HOSTS = list(CONFIG.allowed_hosts)

INSTALLED_APPS = [
    "django.contrib.contenttypes",
    "django.contrib.auth",
    "channels",
    "rest_framework",
    "paychaos.reference_app.payments",
]

MIDDLEWARE = [
    "django.middleware.common.CommonMiddleware",
]

ROOT_URLCONF = "paychaos.reference_app.urls"
ASGI_APPLICATION = "paychaos.reference_app.asgi.application"

TEMPLATES = [
    {
        "BACKEND": "django.template.backends.django.DjangoTemplates",
        "DIRS": [],
        "APP_DIRS": True,
        "OPTIONS": {"context_processors": []},
    }
]

_db = CONFIG.database
_db_options: dict[str, object] = {
    "connect_timeout": CONFIG.db_connect_timeout,
    # Server side: no statement runs for ever (lock waits included).
    "options": f"-c statement_timeout={CONFIG.db_statement_timeout_ms}",
}
if not _db.host.startswith("/"):  # TCP options mean nothing on a Unix socket
    _db_options.update(
        {
            # Client side: a blackholed Postgres fails the request instead of hanging it.
            "tcp_user_timeout": CONFIG.db_tcp_user_timeout_ms,
            "keepalives": 1,
            "keepalives_idle": 5,
            "keepalives_interval": 1,
            "keepalives_count": 3,
        }
    )
_db_options.update(dict(_db.options))
DATABASES = {
    "default": {
        "ENGINE": "django.db.backends.postgresql",
        "NAME": _db.name,
        "USER": _db.user,
        "PASSWORD": _db.password,
        "HOST": _db.host,
        "PORT": _db.port,
        # A fresh connection per request: after a Postgres fault or restart no
        # request inherits a dead socket from an earlier one.
        "CONN_MAX_AGE": 0,
        "OPTIONS": _db_options,
    }
}

DEFAULT_AUTO_FIELD = "django.db.models.BigAutoField"
USE_TZ = True
TIME_ZONE = "UTC"

# Two layers on the same Redis: consumers block in BZPOPMIN for 5 s, so their
# socket timeout must be longer than that; senders (fulfilment notifications)
# get a short one so a blackholed Redis costs a request at most that long.
_redis_common = {"socket_connect_timeout": CONFIG.redis_connect_timeout}
CHANNEL_LAYERS = {
    "default": {
        "BACKEND": "channels_redis.core.RedisChannelLayer",
        "CONFIG": {
            "hosts": [
                {
                    "address": CONFIG.redis_url,
                    "socket_timeout": CONFIG.redis_receive_socket_timeout,
                    **_redis_common,
                }
            ]
        },
    },
    "notify": {
        "BACKEND": "channels_redis.core.RedisChannelLayer",
        "CONFIG": {
            "hosts": [
                {
                    "address": CONFIG.redis_url,
                    "socket_timeout": CONFIG.redis_socket_timeout,
                    **_redis_common,
                }
            ]
        },
    },
}

REST_FRAMEWORK = {
    "DEFAULT_AUTHENTICATION_CLASSES": [],
    "DEFAULT_PERMISSION_CLASSES": ["rest_framework.permissions.AllowAny"],
    "DEFAULT_RENDERER_CLASSES": ["rest_framework.renderers.JSONRenderer"],
    "DEFAULT_PARSER_CLASSES": ["paychaos.reference_app.payments.api.parsers.BoundedJSONParser"],
    "UNAUTHENTICATED_USER": None,
    "EXCEPTION_HANDLER": "paychaos.reference_app.payments.api.errors.exception_handler",
}

LOGGING = {
    "version": 1,
    "disable_existing_loggers": False,
    "formatters": {"plain": {"format": "%(asctime)s %(levelname)s %(name)s: %(message)s"}},
    "handlers": {"stderr": {"class": "logging.StreamHandler", "formatter": "plain"}},
    "loggers": {
        "reference_app": {"handlers": ["stderr"], "level": "INFO", "propagate": False},
        "django.request": {"handlers": ["stderr"], "level": "ERROR", "propagate": False},
    },
}

PAYMENTS = CONFIG
