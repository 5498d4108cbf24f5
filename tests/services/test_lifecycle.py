"""Starting and stopping the embedded services: reachable over TCP, nothing left behind."""

from __future__ import annotations

from pathlib import Path

import psycopg
import pytest
import redis

from paychaos.errors import PaychaosError, ServiceError
from paychaos.services import start_services

from .helpers import alive, children, registry_files, wait_until_gone


def test_services_are_reachable_over_tcp_and_leave_no_process_or_folder(state_dir: Path):
    before = children()
    with start_services() as svc:
        pids = svc.pids()
        workdir = svc.workdir
        assert svc.postgres.embedded and svc.redis.embedded
        assert svc.postgres.host == svc.redis.host == "127.0.0.1"
        assert svc.postgres.url == (
            f"postgresql://{svc.postgres.user}:{svc.postgres.password}"
            f"@127.0.0.1:{svc.postgres.port}/paychaos"
        )
        with psycopg.connect(svc.postgres.url, connect_timeout=5) as conn:
            row = conn.execute("SELECT current_database(), inet_server_port()").fetchone()
        assert row == ("paychaos", svc.postgres.port)
        assert redis.Redis.from_url(svc.redis.url).ping() is True
        # postmaster, its helpers, and redis-server: all ours, all counted
        assert len(pids) >= 3
        # The postmaster and redis-server are ours (backends come and go).
        assert {svc.postgres.pids()[0], svc.redis.pids()[0]} <= children()
        assert registry_files(state_dir)
    assert wait_until_gone(pids, timeout=1.0) == []
    assert children() == before
    assert not workdir.exists()
    assert registry_files(state_dir) == []


def test_services_can_run_alone(state_dir: Path):
    with start_services(postgres=False) as svc:
        assert redis.Redis.from_url(svc.redis.url).ping() is True
        with pytest.raises(PaychaosError, match="Postgres was not started"):
            _ = svc.postgres.url
    with (
        start_services(redis=False) as svc,
        psycopg.connect(svc.postgres.url, connect_timeout=5) as conn,
    ):
        assert conn.execute("SELECT 1").fetchone() == (1,)


def test_stop_is_idempotent_and_works_without_a_with_block(state_dir: Path):
    svc = start_services(redis=False)
    pids = svc.pids()
    svc.stop()
    svc.stop()
    assert alive(pids) == []


def test_a_server_that_dies_at_start_stops_the_other_and_leaves_nothing(
    state_dir: Path, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
):
    # /bin/false stands in for a redis-server that exits at once; Postgres has
    # already been spawned by then and must be stopped.
    monkeypatch.setenv("PAYCHAOS_REDIS_SERVER", "/bin/false")
    before = children()
    with pytest.raises(ServiceError, match="redis exited with status 1 before it was ready"):
        start_services(tmp_path)
    assert children() == before
    assert [p for p in tmp_path.iterdir() if p.name.startswith("paychaos-services-")] == []
    assert registry_files(state_dir) == []


def test_a_taken_port_is_a_clear_error_and_starts_nothing(state_dir: Path):
    import socket

    with socket.socket() as squatter:
        squatter.bind(("127.0.0.1", 0))
        squatter.listen()
        port = squatter.getsockname()[1]
        before = children()
        with pytest.raises(ServiceError, match=f"port {port} on 127.0.0.1 is taken"):
            start_services(redis_port=port)
        assert children() == before
