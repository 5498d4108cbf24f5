"""The unmodified ``toxiproxy-python`` client (0.1.1) drives the embedded server.

That client keeps its API address in class attributes of ``APIConsumer`` and
builds every URL from them; the test points those attributes at the embedded
server (restored afterwards) instead of patching the package.
"""

from __future__ import annotations

import socket
from collections.abc import Iterator

import pytest
import redis
from toxiproxy import Toxiproxy
from toxiproxy.api import APIConsumer
from toxiproxy.exceptions import InvalidToxic, NotFound, ProxyExists

from paychaos.faults import FaultProxyServer

ALL_TOXICS = {
    "latency": {"latency": 20, "jitter": 5},
    "bandwidth": {"rate": 100},
    "slow_close": {"delay": 10},
    "timeout": {"timeout": 0},
    "reset_peer": {"timeout": 5},
    "slicer": {"average_size": 8, "size_variation": 2, "delay": 5},
    "limit_data": {"bytes": 1000},
}


@pytest.fixture
def toxiproxy(fault_server: FaultProxyServer, monkeypatch) -> Iterator[Toxiproxy]:
    monkeypatch.setattr(APIConsumer, "host", fault_server.host)
    monkeypatch.setattr(APIConsumer, "port", fault_server.port)
    client = Toxiproxy()
    yield client
    client.destroy_all()


def test_client_creates_gets_lists_and_destroys_proxies(toxiproxy, redis_address, make_redis):
    assert toxiproxy.running()
    assert b"version" in toxiproxy.version()
    proxy = toxiproxy.create(upstream=redis_address, name="redis_py")
    host, port = proxy.listen.rsplit(":", 1)
    assert int(port) > 0 and proxy.enabled is True
    assert make_redis(host, int(port)).ping()
    assert toxiproxy.get_proxy("redis_py").upstream == redis_address
    assert set(toxiproxy.proxies()) == {"redis_py"}
    with pytest.raises(ProxyExists):
        toxiproxy.create(upstream=redis_address, name="redis_py")
    assert toxiproxy.destroy(proxy) is True
    assert toxiproxy.get_proxy("redis_py") is None


def test_client_adds_reads_and_removes_every_toxic_type(toxiproxy, redis_address):
    proxy = toxiproxy.create(upstream=redis_address, name="toxic_zoo")
    for type_name, attributes in ALL_TOXICS.items():
        proxy.add_toxic(type=type_name, attributes=attributes, stream="upstream", toxicity=0.5)
    toxics = proxy.toxics()
    assert set(toxics) == {f"{t}_upstream" for t in ALL_TOXICS}
    for type_name, attributes in ALL_TOXICS.items():
        toxic = proxy.get_toxic(f"{type_name}_upstream")
        assert toxic.type == type_name
        assert toxic.attributes == attributes
        assert toxic.stream == "upstream" and toxic.toxicity == 0.5
        assert proxy.destroy_toxic(toxic.name) is True
    assert proxy.toxics() == {}
    with pytest.raises(InvalidToxic):
        proxy.add_toxic(type="earthquake", attributes={})


def test_client_disable_enable_and_down_refuse_then_restore_connections(
    toxiproxy, redis_address, make_redis
):
    proxy = toxiproxy.create(upstream=redis_address, name="flaky")
    host, port = proxy.listen.rsplit(":", 1)
    client = make_redis(host, int(port))
    assert client.ping()
    proxy.disable()
    assert toxiproxy.get_proxy("flaky").enabled is False
    with pytest.raises(ConnectionRefusedError):
        socket.create_connection((host, int(port)), 2)
    proxy.enable()
    assert client.ping()
    with proxy.down(), pytest.raises(redis.exceptions.ConnectionError, match="Error 111"):
        client.ping()
    assert client.ping()


def test_client_reset_enables_proxies_and_removes_toxics(toxiproxy, redis_address):
    proxy = toxiproxy.create(upstream=redis_address, name="resettable")
    proxy.add_toxic(type="latency", attributes={"latency": 1000})
    proxy.disable()
    assert toxiproxy.reset() is True
    after = toxiproxy.get_proxy("resettable")
    assert after.enabled is True
    assert after.toxics() == {}


def test_client_sees_not_found_for_a_deleted_proxy(toxiproxy, redis_address):
    proxy = toxiproxy.create(upstream=redis_address, name="gone")
    proxy.destroy()
    with pytest.raises(NotFound):
        proxy.destroy()
