"""The embedded servers are closed to other local users: passwords, no admin commands to the app.

Another process on the machine can reach the loopback ports; what it must not do is log
in without the password, reconfigure Redis to write files (``CONFIG SET dir`` + ``SAVE``),
or, as the app's database role, run shell commands (``COPY ... TO PROGRAM``) or make roles.
"""

from __future__ import annotations

import os

import psutil
import psycopg
import pytest
import redis

from paychaos.services import Services
from paychaos.services.pg_datadir import APP_ROLE, SUPERUSER


def _raw_redis(svc: Services) -> redis.Redis:
    return redis.Redis(host=svc.redis.host, port=svc.redis.port, socket_timeout=5)


def test_redis_refuses_a_client_without_the_password(services: Services):
    with pytest.raises(redis.AuthenticationError):
        _raw_redis(services).ping()
    with pytest.raises(redis.AuthenticationError):
        _raw_redis(services).set("k", "v")
    wrong = redis.Redis(host=services.redis.host, port=services.redis.port, password="guess")
    with pytest.raises(redis.AuthenticationError):
        wrong.ping()
    assert redis.Redis.from_url(services.redis.url).ping() is True


@pytest.mark.parametrize(
    "command",
    [
        ("CONFIG", "SET", "dir", "/tmp"),
        ("CONFIG", "GET", "*"),
        ("DEBUG", "SLEEP", "0"),
        ("MODULE", "LIST"),
    ],
)
def test_redis_refuses_config_debug_and_module_to_an_authenticated_client(
    services: Services, command: tuple[str, ...]
):
    client = redis.Redis.from_url(services.redis.url)
    with pytest.raises(redis.ResponseError, match="unknown command"):
        client.execute_command(*command)


def test_redis_keeps_protected_mode_and_its_password_out_of_the_process_list(services: Services):
    reply = services.redis.admin_command("CONFIG", "GET", "protected-mode")
    assert b"protected-mode" in reply and b"yes" in reply
    assert services.redis.password
    for pid in services.redis.pids():
        assert services.redis.password not in " ".join(psutil.Process(pid).cmdline())


@pytest.mark.skipif(os.geteuid() != 0, reason="the account switch happens only under root")
def test_under_root_redis_and_postgres_run_as_an_unprivileged_account(services: Services):
    for pid in services.redis.pids()[:1] + services.postgres.pids()[:1]:
        assert psutil.Process(pid).uids().real != 0


def test_postgres_refuses_a_login_without_the_password(services: Services):
    pg = services.postgres
    for role in (SUPERUSER, APP_ROLE, "postgres"):
        url = f"postgresql://{role}@{pg.host}:{pg.port}/paychaos"
        with pytest.raises(psycopg.OperationalError, match="password"):
            psycopg.connect(url, connect_timeout=5)
    wrong = f"postgresql://{APP_ROLE}:guess@{pg.host}:{pg.port}/paychaos"
    with pytest.raises(psycopg.OperationalError, match="password authentication failed"):
        psycopg.connect(wrong, connect_timeout=5)


def test_the_app_role_owns_its_database_and_nothing_more(services: Services):
    pg = services.postgres
    assert pg.user == APP_ROLE and f"{APP_ROLE}:" in pg.url
    with psycopg.connect(pg.url, autocommit=True, connect_timeout=5) as conn:
        row = conn.execute(
            "SELECT rolsuper, rolcreaterole, rolcreatedb FROM pg_roles WHERE rolname = current_user"
        ).fetchone()
        assert row == (False, False, False)
        conn.execute("CREATE TABLE owned (id int)")  # what migrations do
        conn.execute("TRUNCATE owned")  # what a reset does
        refused = [
            "COPY (SELECT 1) TO PROGRAM 'id'",
            "CREATE ROLE intruder LOGIN",
            f"ALTER ROLE {APP_ROLE} SUPERUSER",
            "CREATE DATABASE other",
        ]
        for sql in refused:
            with pytest.raises(psycopg.errors.InsufficientPrivilege):
                conn.execute(sql)
    other_db = f"postgresql://{APP_ROLE}:{pg.password}@{pg.host}:{pg.port}/postgres"
    with pytest.raises(psycopg.OperationalError, match="permission denied"):
        psycopg.connect(other_db, connect_timeout=5)
    with psycopg.connect(pg.admin_url, connect_timeout=5) as admin:
        assert admin.execute(
            "SELECT rolsuper FROM pg_roles WHERE rolname = current_user"
        ).fetchone() == (True,)
