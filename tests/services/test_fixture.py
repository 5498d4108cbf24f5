"""The session fixture other test suites use."""

from __future__ import annotations

import psycopg
import redis

from paychaos.services import Services


def test_session_fixture_gives_reachable_postgres_and_redis(paychaos_services: Services):
    with psycopg.connect(paychaos_services.postgres.url, connect_timeout=5) as conn:
        assert conn.execute("SELECT current_database()").fetchone() == (
            paychaos_services.postgres.dbname,
        )
    assert redis.Redis.from_url(paychaos_services.redis.url).ping() is True
