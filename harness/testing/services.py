"""pytest fixtures for the services part of the environment.

``paychaos_services`` starts Postgres and Redis once per test session (or uses
the external servers named by ``PAYCHAOS_DATABASE_URL`` / ``PAYCHAOS_REDIS_URL``)
and stops them when the session ends::

    def test_cache_round_trip(paychaos_services):
        client = redis.Redis.from_url(paychaos_services.redis.url)
        assert client.ping()

The servers are shared by every test of the session: a test that pauses,
kills or stops one must bring it back (``resume()``, ``start()``) before it
ends, or use its own ``start_services()`` instead.
"""

from __future__ import annotations

from collections.abc import Iterator
from typing import TYPE_CHECKING

import pytest

if TYPE_CHECKING:  # loading the plugin imports nothing of the engine
    from paychaos.services import Services

__all__ = ["paychaos_services"]


@pytest.fixture(scope="session")
def paychaos_services() -> Iterator[Services]:
    """Postgres and Redis for the whole test session (embedded unless URLs are set)."""
    from paychaos.services import start_services

    with start_services() as services:
        yield services
