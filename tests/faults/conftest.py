"""Fixtures for the fault-proxy tests: one Redis (no Postgres) and a fresh proxy per test."""

from __future__ import annotations

from collections.abc import Callable, Iterator

import pytest
import redis
from redis.backoff import NoBackoff
from redis.retry import Retry

from paychaos.faults import FaultProxyServer, Faults, ProxyHandle
from paychaos.services import RedisService, start_services


@pytest.fixture(scope="session")
def redis_server() -> Iterator[RedisService]:
    """A Redis server for this session's fault tests (it demands its password)."""
    with start_services(postgres=False) as services:
        yield services.redis


@pytest.fixture(scope="session")
def redis_address(redis_server: RedisService) -> str:
    """``host:port`` of the session's Redis."""
    return f"{redis_server.host}:{redis_server.port}"


@pytest.fixture(scope="module")
def fault_server() -> Iterator[FaultProxyServer]:
    """An embedded Toxiproxy-compatible server (seed 0)."""
    with FaultProxyServer(seed=0) as server:
        yield server


@pytest.fixture
def faults(fault_server: FaultProxyServer) -> Iterator[Faults]:
    """A ``Faults`` client; the proxies it created are deleted after the test."""
    with Faults(fault_server.url) as client:
        yield client


@pytest.fixture
def redis_proxy(faults: Faults, redis_address: str) -> ProxyHandle:
    """A proxy named ``redis`` in front of the session's Redis."""
    return faults.proxy("redis", upstream=redis_address)


def _redis_client(
    host: str, port: int, timeout: float = 5.0, password: str | None = None
) -> redis.Redis:
    return redis.Redis(
        host=host,
        port=port,
        password=password,
        retry=Retry(NoBackoff(), 0),
        socket_timeout=timeout,
        socket_connect_timeout=timeout,
    )


@pytest.fixture
def make_redis(redis_server: RedisService) -> Iterator[Callable[..., redis.Redis]]:
    """Factory of redis-py clients of the session's Redis (with its password) that fail at
    once (no retries), so faults show as errors."""
    clients: list[redis.Redis] = []

    def make(host: str, port: int, timeout: float = 5.0) -> redis.Redis:
        client = _redis_client(host, port, timeout, redis_server.password)
        clients.append(client)
        return client

    yield make
    for client in clients:
        client.close()


@pytest.fixture
def via_proxy(redis_proxy: ProxyHandle, make_redis: Callable[..., redis.Redis]) -> redis.Redis:
    """A Redis client connected through the ``redis`` proxy."""
    return make_redis(redis_proxy.listen_host, redis_proxy.listen_port)
