"""pytest fixtures for the network-fault part of the environment.

``paychaos_fault_layer`` talks to a real Toxiproxy when ``PAYCHAOS_TOXIPROXY_URL``
is set, else to an embedded one started for the session; ``paychaos_faults``
is the same object, healed after each test::

    def test_cache_survives_latency(paychaos_faults, paychaos_services):
        redis = paychaos_faults.proxy("redis", upstream=f"127.0.0.1:{paychaos_services.redis.port}")
        with redis.latency(100):
            ...
"""

from __future__ import annotations

from collections.abc import Iterator
from typing import TYPE_CHECKING

import pytest

if TYPE_CHECKING:  # loading the plugin imports nothing of the engine
    from paychaos.faults import Faults

__all__ = ["paychaos_fault_layer", "paychaos_faults"]


@pytest.fixture(scope="session")
def paychaos_fault_layer() -> Iterator[Faults]:
    """The session's Toxiproxy API (embedded unless ``PAYCHAOS_TOXIPROXY_URL`` is set)."""
    from paychaos.faults import open_faults

    with open_faults(seed=0) as faults:
        yield faults


@pytest.fixture
def paychaos_faults(paychaos_fault_layer: Faults) -> Iterator[Faults]:
    """``paychaos_fault_layer``, with every proxy enabled and every toxic removed after the test."""
    yield paychaos_fault_layer
    paychaos_fault_layer.heal_all()
