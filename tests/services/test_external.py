"""External mode: PAYCHAOS_DATABASE_URL / PAYCHAOS_REDIS_URL name servers paychaos does not own."""

from __future__ import annotations

from pathlib import Path

import psycopg
import pytest
import redis

from paychaos.errors import ConfigError, PaychaosError, ServiceError
from paychaos.net import free_port
from paychaos.services import start_services

from .helpers import children


def test_external_urls_are_used_as_given_and_never_signalled(
    state_dir: Path, monkeypatch: pytest.MonkeyPatch
):
    with start_services() as owner:
        monkeypatch.setenv("PAYCHAOS_DATABASE_URL", owner.postgres.url)
        monkeypatch.setenv("PAYCHAOS_REDIS_URL", owner.redis.url)
        before = children()
        with start_services() as svc:
            assert children() == before  # nothing spawned
            assert not svc.postgres.embedded and not svc.redis.embedded
            assert svc.postgres.url == owner.postgres.url
            assert (svc.postgres.port, svc.postgres.dbname) == (owner.postgres.port, "paychaos")
            assert (svc.redis.host, svc.redis.port) == ("127.0.0.1", owner.redis.port)
            assert svc.pids() == []
            with psycopg.connect(svc.postgres.url) as conn:
                assert conn.execute("SELECT 1").fetchone() == (1,)
            assert redis.Redis.from_url(svc.redis.url).ping() is True
            for fault in (svc.redis.pause, svc.redis.kill, svc.postgres.stop, svc.postgres.kill):
                with pytest.raises(PaychaosError, match="not available for an external service"):
                    fault()
            with pytest.raises(PaychaosError, match="not available for an external service"):
                svc.postgres.terminate_backends()
        # stopping the external view leaves the real servers alone
        assert redis.Redis.from_url(owner.redis.url).ping() is True


def test_an_unreachable_external_url_names_the_url_and_starts_nothing(
    state_dir: Path, monkeypatch: pytest.MonkeyPatch
):
    url = f"redis://127.0.0.1:{free_port()}/0"
    monkeypatch.setenv("PAYCHAOS_REDIS_URL", url)
    before = children()
    with pytest.raises(ServiceError, match=f"cannot reach Redis at {url}") as caught:
        start_services()
    assert "PAYCHAOS_REDIS_URL" in (caught.value.hint or "")
    assert children() == before


def test_a_malformed_external_url_is_a_config_error(
    state_dir: Path, monkeypatch: pytest.MonkeyPatch
):
    monkeypatch.setenv("PAYCHAOS_DATABASE_URL", "mysql://db:3306/x")
    with pytest.raises(ConfigError, match="PAYCHAOS_DATABASE_URL"):
        start_services(redis=False)
