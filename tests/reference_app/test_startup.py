"""Start-up: configuration checked before the first request, migrations committed and applicable."""

from __future__ import annotations

import subprocess
import sys

import pytest
from django.core.management import call_command
from django.db import connection

from paychaos.reference_app.config import ConfigurationError, load_config, parse_database_url
from tests.reference_app.conftest import app_env

GOOD = {
    "DATABASE_URL": "postgresql://u:p%40ss@127.0.0.1:5432/shop?sslmode=disable",
    "REDIS_URL": "redis://127.0.0.1:6379/0",
    "STRIPE_API_BASE": "http://127.0.0.1:12111/",
    "STRIPE_SECRET_KEY": "sk_test_1",
    "STRIPE_WEBHOOK_SECRET": "whsec_1",
}


def start(env: dict[str, str]) -> subprocess.CompletedProcess:
    return subprocess.run(
        [sys.executable, "-c", "import paychaos.reference_app.asgi"],
        env=env,
        capture_output=True,
        text=True,
        timeout=60,
    )


def test_good_settings_parse_with_deliberate_defaults():
    cfg = load_config(GOOD)
    assert cfg.variant == "correct" and cfg.webhook_tolerance == 300
    assert cfg.database.password == "p@ss" and cfg.database.options == (("sslmode", "disable"),)
    assert cfg.stripe_api_base == "http://127.0.0.1:12111"
    assert 0 < cfg.redis_socket_timeout < 5 < cfg.redis_receive_socket_timeout
    assert cfg.stripe_timeout <= 10 and cfg.failpoints_enabled is False
    # No broker, no task side; Celery's own visibility timeout (an hour) unless told.
    assert cfg.broker_url is None and cfg.broker_visibility_timeout == 3600 and cfg.task_hold == ""
    held = load_config({**GOOD, "TASK_HOLD": "send_receipt:after_effect:5"})
    assert held.task_hold == "send_receipt:after_effect:5"


def test_unix_socket_database_url_is_understood():
    db = parse_database_url("postgresql://postgres:@/postgres?host=/tmp/pg")
    assert (db.host, db.name, db.user) == ("/tmp/pg", "postgres", "postgres")


@pytest.mark.parametrize(
    ("change", "words"),
    [
        ({"PAYMENTS_VARIANT": "bogus"}, "PAYMENTS_VARIANT"),
        ({"STRIPE_WEBHOOK_SECRET": ""}, "STRIPE_WEBHOOK_SECRET"),
        ({"DATABASE_URL": "mysql://x/y"}, "DATABASE_URL"),
        ({"STRIPE_WEBHOOK_TOLERANCE": "soon"}, "STRIPE_WEBHOOK_TOLERANCE"),
        ({"PAYCHAOS_FAILPOINTS": "maybe"}, "PAYCHAOS_FAILPOINTS"),
        ({"PAYCHAOS_FAILPOINTS": "1"}, "PAYCHAOS_FAILPOINTS_TOKEN"),
        ({"BROKER_URL": "amqp://127.0.0.1/"}, "BROKER_URL"),
        ({"TASK_HOLD": "provision_account:midway:3"}, "TASK_HOLD"),
        ({"TASK_HOLD": "provision_account:before_effect:soon"}, "TASK_HOLD"),
        ({"BROKER_VISIBILITY_TIMEOUT": "later"}, "BROKER_VISIBILITY_TIMEOUT"),
    ],
)
def test_bad_setting_is_named(change, words):
    with pytest.raises(ConfigurationError, match=words):
        load_config({**GOOD, **change})


def test_unknown_variant_stops_the_server_at_start_with_one_line():
    result = start({**app_env(), "PAYMENTS_VARIANT": "bogus"})
    assert result.returncode == 2
    lines = result.stderr.strip().splitlines()
    assert len(lines) == 1 and "PAYMENTS_VARIANT='bogus'" in lines[0]
    assert "Traceback" not in result.stderr


def test_missing_setting_stops_the_server_at_start_with_one_line():
    env = app_env()
    env.pop("STRIPE_SECRET_KEY")
    result = start(env)
    assert result.returncode == 2
    assert result.stderr.strip().splitlines() == [
        "reference_app: configuration error: missing setting(s): STRIPE_SECRET_KEY (set them in the environment)"
    ]


@pytest.mark.django_db
def test_models_and_committed_migrations_agree():
    call_command("makemigrations", "payments", "--check", "--dry-run", verbosity=0)


@pytest.mark.django_db(transaction=True)
def test_migrations_apply_to_an_empty_database_from_the_command_line():
    name = "reference_app_migrate_check"
    with connection.cursor() as cursor:
        cursor.execute(f"DROP DATABASE IF EXISTS {name}")
        cursor.execute(f"CREATE DATABASE {name}")
    try:
        env = app_env()
        env["DATABASE_URL"] = env["DATABASE_URL"].rsplit("/", 1)[0] + f"/{name}"
        result = subprocess.run(
            [
                sys.executable,
                "-m",
                "paychaos.reference_app.manage",
                "migrate",
                "--noinput",
                "-v",
                "0",
            ],
            env=env,
            capture_output=True,
            text=True,
            timeout=120,
        )
        assert result.returncode == 0, result.stderr
        shown = subprocess.run(
            [sys.executable, "-m", "paychaos.reference_app.manage", "showmigrations", "payments"],
            env=env,
            capture_output=True,
            text=True,
            timeout=60,
        )
        assert "[X] 0001_initial" in shown.stdout, shown.stdout + shown.stderr
    finally:
        with connection.cursor() as cursor:
            cursor.execute(f"DROP DATABASE IF EXISTS {name} WITH (FORCE)")
