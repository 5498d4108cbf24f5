"""Process faults on the embedded servers: pause, kill, restart, terminate backends."""

from __future__ import annotations

import subprocess
from pathlib import Path

import psycopg
import pytest
import redis

from paychaos.services import Services, start_services

from .helpers import alive, children, wait_until_gone


def _redis(svc: Services) -> redis.Redis:
    return redis.Redis.from_url(svc.redis.url, socket_timeout=0.3, socket_connect_timeout=0.3)


def test_paused_redis_times_out_then_answers_after_resume(services: Services):
    client = _redis(services)
    assert client.ping() is True
    services.redis.pause()
    with pytest.raises(redis.TimeoutError):
        client.ping()
    services.redis.resume()
    assert client.ping() is True


def test_killed_redis_refuses_connections_and_restarts_empty_on_the_same_port(services: Services):
    port = services.redis.port
    client = _redis(services)
    client.set("order", "paid")
    old_pids = services.redis.pids()
    services.redis.kill()
    assert alive(old_pids) == []
    with pytest.raises(redis.ConnectionError):
        client.ping()
    services.redis.start()
    assert services.redis.port == port
    assert client.get("order") is None
    client.set("order", "paid")
    services.redis.restart()
    assert client.get("order") is None
    assert services.redis.pids() != old_pids


def test_killing_a_paused_redis_works(services: Services):
    services.redis.pause()
    services.redis.restart()
    assert _redis(services).ping() is True


def test_terminate_backends_breaks_a_live_connection_of_that_app_only(services: Services):
    url = services.postgres.url
    with (
        psycopg.connect(url, application_name="victim", autocommit=True) as victim,
        psycopg.connect(url, application_name="bystander", autocommit=True) as bystander,
    ):
        assert services.postgres.terminate_backends("victim") == 1
        with pytest.raises(psycopg.OperationalError):
            victim.execute("SELECT 1")
        assert bystander.execute("SELECT 1").fetchone() == (1,)
        assert services.postgres.terminate_backends() == 1
        with pytest.raises(psycopg.OperationalError):
            bystander.execute("SELECT 1")


def test_stopped_postgres_refuses_connections_and_starts_with_its_data(services: Services):
    url, port = services.postgres.url, services.postgres.port
    with psycopg.connect(url, autocommit=True) as conn:
        conn.execute("CREATE TABLE subscriptions (session_id text PRIMARY KEY)")
        conn.execute("INSERT INTO subscriptions VALUES ('cs_1')")
    services.postgres.stop()
    assert services.postgres.pids() == []
    with pytest.raises(psycopg.OperationalError):
        psycopg.connect(url, connect_timeout=2)
    services.postgres.start()
    assert services.postgres.port == port
    with psycopg.connect(url) as conn:
        assert conn.execute("SELECT session_id FROM subscriptions").fetchall() == [("cs_1",)]


def test_killed_postgres_recovers_committed_data_on_the_same_port(services: Services):
    url = services.postgres.url
    with psycopg.connect(url, autocommit=True) as conn:
        # The server runs with synchronous_commit=off; a commit that must survive
        # kill -9 asks for it.
        conn.execute("SET synchronous_commit = on")
        conn.execute("CREATE TABLE payments (id int)")
        conn.execute("INSERT INTO payments VALUES (149)")
    old_pids = services.postgres.pids()
    services.postgres.kill()
    with pytest.raises(psycopg.OperationalError):
        psycopg.connect(url, connect_timeout=2)
    services.postgres.start()
    assert wait_until_gone(old_pids, timeout=1.0) == []
    with psycopg.connect(url) as conn:
        assert conn.execute("SELECT id FROM payments").fetchall() == [(149,)]


def test_a_killed_postgres_leaves_no_process_or_shared_memory_after_stop(services: Services):
    before = children() - set(services.pids())
    with psycopg.connect(services.postgres.admin_url) as conn:
        data_dir = conn.execute("SHOW data_directory").fetchone()[0]
    shmid = Path(data_dir, "postmaster.pid").read_text().splitlines()[6].split()[1]
    pids = services.pids()
    services.postgres.kill()
    services.stop()
    assert wait_until_gone(pids, timeout=2.0) == []
    assert children() == before
    segments = subprocess.run(["ipcs", "-m"], capture_output=True, text=True).stdout
    assert f" {shmid} " not in segments


def test_a_run_of_faults_leaves_no_process_behind(state_dir: Path):
    before = children()
    with start_services() as svc:
        svc.redis.pause()
        svc.redis.resume()
        svc.redis.restart()
        svc.postgres.kill()
        svc.postgres.start()
        svc.postgres.restart(mode="immediate")
        svc.redis.kill()
        pids = svc.pids()
    assert wait_until_gone(pids, timeout=1.0) == []
    assert children() == before
