"""pytest-django for the reference app's tests only, against a real Postgres.

Django is configured here, not in pytest's ini, so the rest of the suite never
loads it. The environment the settings need is set only while Django reads
it. Postgres and Redis are real servers from ``paychaos.services``; the
channel layers point at a closed loopback port unless a test asks for
``redis_url``, so by default every notification fails the way it did in the
incident.
"""

from __future__ import annotations

import dataclasses
import os
from collections.abc import Iterator
from contextlib import contextmanager

import django
import pytest

from paychaos.net import free_port

WEBHOOK_SECRET = "whsec_test_reference_app"
HARNESS_TOKEN = "harness-token-of-the-reference-app-tests"
# How a test calls the harness's endpoints (/api/_internal/) with Django's test client.
HARNESS_AUTH = {"HTTP_AUTHORIZATION": f"Bearer {HARNESS_TOKEN}"}
CLOSED_REDIS_URL = f"redis://127.0.0.1:{free_port()}/0"

BASE_ENV = {
    "DJANGO_SETTINGS_MODULE": "paychaos.reference_app.settings",
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
    "PAYCHAOS_FAILPOINTS_TOKEN": HARNESS_TOKEN,
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
def reference_services() -> Iterator[object]:
    """Real Postgres and Redis on loopback ports (``paychaos.services``), for the whole session."""
    from paychaos.services import start_services

    with start_services() as services:
        yield services


@pytest.fixture(scope="session")
def django_db_modify_db_settings(reference_services) -> None:
    """Point Django's default database at the real Postgres before any connection opens."""
    from django.conf import settings

    from paychaos.reference_app.config import parse_database_url

    # The test database is created and dropped by pytest-django: that needs the superuser.
    pg = parse_database_url(reference_services.postgres.admin_url)
    settings.DATABASES["default"].update(
        {
            "HOST": pg.host,
            "PORT": pg.port,
            "USER": pg.user,
            "PASSWORD": pg.password,
            "NAME": pg.name,
        }
    )


@pytest.fixture
def payments_config(settings):
    """Change app settings for one test: ``payments_config(variant="seed_fix")``."""
    from paychaos.reference_app.payments.stripe_api import stripe_client
    from paychaos.reference_app.payments.variants.registry import get_variant

    def change(**values):
        settings.PAYMENTS = dataclasses.replace(settings.PAYMENTS, **values)
        stripe_client.cache_clear()
        get_variant.cache_clear()  # variants may remember start-up probes
        return settings.PAYMENTS

    yield change
    stripe_client.cache_clear()
    get_variant.cache_clear()


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
def redis_url(reference_services) -> Iterator[str]:
    """The real Redis, emptied; the channel layers use it for this test."""
    import redis

    url = reference_services.redis.url
    with redis.Redis.from_url(url, socket_timeout=5) as client:
        client.flushall()
    _point_channel_layers(url)
    try:
        yield url
    finally:
        _point_channel_layers(CLOSED_REDIS_URL)


@pytest.fixture
def catalog():
    """One company and one plan."""
    from paychaos.fixtures.models import CompanyFactory, PlanFactory

    company = CompanyFactory(name="Acme")
    plan = PlanFactory(name="Pro", stripe_price_id=f"price_{company.id}", amount=14900)
    return company, plan


@dataclasses.dataclass(frozen=True)
class AppServer:
    """A running uvicorn process serving the reference app."""

    url: str
    ws_url: str
    env: dict


def app_env(**overrides: str) -> dict[str, str]:
    """The environment a reference-app process needs to share this test's database."""
    from django.conf import settings
    from django.db import connection

    db = settings.DATABASES["default"]
    env = {k: v for k, v in os.environ.items() if not k.startswith(("DJANGO_", "PAYMENTS_"))}
    env.update(BASE_ENV)
    env["DATABASE_URL"] = (
        f"postgresql://{db['USER']}:{db['PASSWORD']}@{db['HOST']}:{db['PORT']}/{connection.settings_dict['NAME']}"
    )
    env["STRIPE_API_BASE"] = settings.PAYMENTS.stripe_api_base
    env.pop("DJANGO_SETTINGS_MODULE")
    env.update(overrides)
    return env


@contextmanager
def running_app(redis_url: str, **extra_env: str) -> Iterator[AppServer]:
    """``python -m uvicorn paychaos.reference_app.asgi:application`` on a free loopback port."""
    import subprocess
    import sys

    from paychaos.net import wait_for_port

    port = free_port()
    env = app_env(REDIS_URL=redis_url, **extra_env)
    proc = subprocess.Popen(
        [sys.executable, "-m", "uvicorn", "paychaos.reference_app.asgi:application",
         "--host", "127.0.0.1", "--port", str(port), "--log-level", "critical"],
        env=env,
        stderr=subprocess.PIPE,
        text=True,
    )  # fmt: skip
    try:
        if not wait_for_port("127.0.0.1", port, timeout=20):
            proc.kill()
            raise RuntimeError(f"uvicorn did not start: {proc.communicate()[1]}")
        yield AppServer(f"http://127.0.0.1:{port}", f"ws://127.0.0.1:{port}", env)
    finally:
        proc.terminate()
        try:
            proc.wait(timeout=10)
        except subprocess.TimeoutExpired:
            proc.kill()
            proc.wait()
        if proc.stderr:
            proc.stderr.close()


@pytest.fixture
def app_server(redis_url, transactional_db) -> Iterator[AppServer]:
    """The app served by uvicorn, with a working Redis."""
    with running_app(redis_url) as server:
        yield server


@pytest.fixture
def app_server_without_redis(transactional_db) -> Iterator[AppServer]:
    """The app served by uvicorn, its Redis a closed port."""
    with running_app(CLOSED_REDIS_URL) as server:
        yield server
