"""The harness API over any Toxiproxy: handles, faults as context managers, nemesis records."""

from __future__ import annotations

import asyncio
import subprocess
import sys
import time

import pytest
import redis
import requests
from channels_redis.core import RedisChannelLayer

from paychaos.errors import ServiceError
from paychaos.faults import (
    TOXIPROXY_URL_ENV,
    FaultProxyServer,
    Faults,
    NemesisOp,
    ToxiproxyError,
    open_faults,
)
from paychaos.net import free_port, wait_for_port


def test_each_fault_is_recorded_on_and_off_with_monotonic_times(fault_server, redis_address):
    ops: list[NemesisOp] = []
    with Faults(fault_server.url, recorder=ops.append) as faults:
        proxy = faults.proxy("redis", upstream=redis_address)
        before = time.monotonic()
        with proxy.latency(5, jitter=1):
            pass
        with proxy.down():
            pass
        proxy.blackhole()
        proxy.heal()
    assert [(op.target, op.fault, op.phase) for op in ops] == [
        ("redis", "latency", "on"),
        ("redis", "latency", "off"),
        ("redis", "down", "on"),
        ("redis", "down", "off"),
        ("redis", "blackhole", "on"),
        ("redis", "blackhole", "off"),
    ]
    assert ops[0].params == {"latency": 5, "jitter": 1, "stream": "downstream", "toxicity": 1.0}
    times = [op.time for op in ops]
    assert times == sorted(times) and times[0] >= before


def test_every_fault_method_adds_its_toxic_and_heal_all_removes_them(faults, redis_address):
    proxy = faults.proxy("redis", upstream=redis_address)
    proxy.latency(10)
    proxy.blackhole()
    proxy.reset_peer(timeout_ms=50)
    proxy.bandwidth(100)
    proxy.slicer(10, 2, 0)
    proxy.limit_data(1000)
    proxy.slow_close(5)
    proxy.down()
    info = proxy.info()
    assert info["enabled"] is False
    assert sorted(t["type"] for t in info["toxics"]) == sorted(
        [
            "latency",
            "timeout",
            "timeout",
            "reset_peer",
            "bandwidth",
            "slicer",
            "limit_data",
            "slow_close",
        ]
    )
    assert len(proxy.active_faults) == 8
    faults.heal_all()
    assert proxy.info() == {**info, "enabled": True, "toxics": []}
    assert proxy.active_faults == ()
    assert faults.redis is proxy


def test_proxy_replaces_an_existing_proxy_of_the_same_name(faults, redis_address):
    first = faults.proxy("redis", upstream=redis_address)
    first.latency(100)
    second = faults.proxy("redis", upstream=redis_address)
    assert second.info()["toxics"] == []


def test_api_refusals_become_clear_errors(faults, redis_address):
    proxy = faults.proxy("redis", upstream=redis_address)
    with pytest.raises(ToxiproxyError, match="invalid toxic type") as caught:
        proxy.toxic("earthquake", {})
    assert caught.value.status == 400
    with pytest.raises(ToxiproxyError, match="no proxy named"):
        faults.get("missing")


def test_unreachable_api_is_a_service_error_with_a_hint():
    faults = Faults(f"http://127.0.0.1:{free_port()}", timeout=1)
    with pytest.raises(ServiceError, match="cannot reach the Toxiproxy API") as caught:
        faults.proxy("redis", upstream="127.0.0.1:6379")
    assert "PAYCHAOS_TOXIPROXY_URL" in (caught.value.hint or "")


def test_toxiproxy_url_selects_that_server_through_the_same_code_path(monkeypatch, redis_address):
    with FaultProxyServer(seed=3) as external:
        monkeypatch.setenv(TOXIPROXY_URL_ENV, external.url)
        with open_faults() as faults:
            assert faults.url == external.url
            proxy = faults.proxy("redis", upstream=redis_address)
            assert "redis" in requests.get(external.url + "/proxies", timeout=5).json()
            with proxy.down():
                assert (
                    requests.get(external.url + "/proxies/redis", timeout=5).json()["enabled"]
                    is False
                )
        # Proxies created through the URL are removed again; the server itself is not ours.
        assert requests.get(external.url + "/proxies", timeout=5).json() == {}


def test_without_toxiproxy_url_an_embedded_server_is_started_and_stopped(monkeypatch):
    monkeypatch.delenv(TOXIPROXY_URL_ENV, raising=False)
    with open_faults() as faults:
        url = faults.url
        assert faults.version()
    with pytest.raises(requests.ConnectionError):
        requests.get(url + "/version", timeout=1)


def test_redis_down_makes_channels_group_send_raise_error_111(faults, redis_address, redis_server):
    # The original incident: the webhook's notification step called group_send while
    # Redis refused connections, and the handler died with redis-py's ConnectionError.
    proxy = faults.proxy("redis", upstream=redis_address)
    address = f"{proxy.listen_host}:{proxy.listen_port}"
    layer = RedisChannelLayer(hosts=[f"redis://:{redis_server.password}@{address}/0"])

    async def notify() -> None:
        await layer.group_send("company_42", {"type": "payment.succeeded"})

    asyncio.run(notify())  # healthy: delivered to Redis
    with proxy.down(), pytest.raises(redis.exceptions.ConnectionError, match="Error 111"):
        asyncio.run(notify())


def test_proxy_command_serves_the_api_and_refuses_a_taken_port():
    port = free_port()
    cmd = [sys.executable, "-m", "paychaos", "proxy", "--port", str(port), "--seed", "5"]
    process = subprocess.Popen(cmd, stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True)
    try:
        assert wait_for_port("127.0.0.1", port, timeout=20)
        assert requests.get(f"http://127.0.0.1:{port}/version", timeout=5).status_code == 200
        taken = subprocess.run(cmd, capture_output=True, text=True, timeout=30)
        assert taken.returncode == 2
        assert "cannot listen" in taken.stderr and "Traceback" not in taken.stderr
    finally:
        process.terminate()
        process.wait(10)


def test_stopping_the_server_closes_its_thread_ports_and_connections(redis_address):
    import socket
    import threading

    def proxy_threads() -> int:
        return sum(t.name == "paychaos-fault-proxy" for t in threading.enumerate())

    before = proxy_threads()
    with FaultProxyServer() as server, Faults(server.url) as faults:
        assert proxy_threads() == before + 1
        proxy = faults.proxy("redis", upstream=redis_address)
        held = socket.create_connection((proxy.listen_host, proxy.listen_port))
        held.sendall(b"PING\r\n")
        assert held.recv(100).startswith(b"-NOAUTH")  # answered by Redis: the link is up
        faults._handles.clear()  # keep the proxy alive until the server itself stops
    held.settimeout(5)
    assert held.recv(100) == b""
    held.close()
    assert proxy_threads() == before
    for port in (server.port, proxy.listen_port):
        with pytest.raises(ConnectionRefusedError):
            socket.create_connection(("127.0.0.1", port), 1)
