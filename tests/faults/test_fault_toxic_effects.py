"""Each toxic's effect, measured on real Redis connections through the embedded proxy."""

from __future__ import annotations

import os
import socket
import statistics
import threading
import time

import pytest
import redis

from paychaos.faults import FaultProxyServer, Faults, ProxyHandle


def _login(sock: socket.socket, password: str) -> socket.socket:
    """AUTH on a raw connection to the session's Redis (it demands its password)."""
    sock.settimeout(5)
    sock.sendall(f"AUTH {password}\r\n".encode())
    reply = b""
    while len(reply) < 5 and (chunk := sock.recv(5 - len(reply))):
        reply += chunk
    assert reply == b"+OK\r\n"
    return sock


def _ping_seconds(client: redis.Redis, n: int = 3) -> float:
    samples = []
    for _ in range(n):
        start = time.perf_counter()
        assert client.ping()
        samples.append(time.perf_counter() - start)
    return statistics.median(samples)


def test_latency_slows_every_ping_by_the_latency_and_stops_when_healed(via_proxy, redis_proxy):
    baseline = _ping_seconds(via_proxy)
    with redis_proxy.latency(80):
        slowed = _ping_seconds(via_proxy)  # the toxic applies to the open connection
    healed = _ping_seconds(via_proxy)
    assert slowed >= 0.080
    assert slowed < 0.080 + 0.200
    assert baseline < 0.060
    assert healed < 0.060


def test_upstream_and_downstream_latency_add_up(via_proxy, redis_proxy):
    with redis_proxy.latency(40, stream="upstream"), redis_proxy.latency(40):
        assert _ping_seconds(via_proxy) >= 0.080


def test_reset_peer_makes_redis_py_raise_connection_error(via_proxy, redis_proxy):
    assert via_proxy.ping()
    with redis_proxy.reset_peer(), pytest.raises(redis.exceptions.ConnectionError) as caught:
        via_proxy.ping()
    assert "reset" in str(caught.value).lower()
    assert via_proxy.ping()  # healed: a new connection works


def test_blackhole_holds_a_live_connection_until_removed(via_proxy, redis_proxy):
    assert via_proxy.ping()
    outcome: list[object] = []
    fault = redis_proxy.blackhole()
    worker = threading.Thread(target=lambda: outcome.append(via_proxy.ping()))
    worker.start()
    worker.join(0.4)
    assert worker.is_alive(), "PING answered through a blackhole"
    fault.heal()
    worker.join(5)
    assert outcome == [True]


def test_timeout_with_a_duration_closes_the_connection_after_it(redis_proxy):
    with socket.create_connection((redis_proxy.listen_host, redis_proxy.listen_port)) as sock:
        sock.settimeout(5)
        with redis_proxy.timeout(150):
            start = time.perf_counter()
            sock.sendall(b"PING\r\n")
            assert sock.recv(100) == b""  # closed, and the PONG never came
            assert time.perf_counter() - start >= 0.14


def test_limit_data_cuts_the_stream_after_n_bytes(via_proxy, redis_proxy, redis_server):
    via_proxy.set("payload", b"x" * 5000)
    with (
        socket.create_connection((redis_proxy.listen_host, redis_proxy.listen_port)) as sock,
        redis_proxy.limit_data(100 + len(b"+OK\r\n")),
    ):
        _login(sock, redis_server.password)
        sock.sendall(b"GET payload\r\n")
        received = b""
        while chunk := sock.recv(65536):
            received += chunk
    assert len(received) == 100
    assert received.startswith(b"$5000\r\nxxx")


def test_bandwidth_throttles_to_the_rate(via_proxy, redis_proxy):
    size = 400_000
    via_proxy.set("bulk", os.urandom(size))
    with redis_proxy.bandwidth(1000):  # 1000 KB/s: about 0.4 s for 400 KB
        start = time.perf_counter()
        value = via_proxy.get("bulk")
        elapsed = time.perf_counter() - start
    assert value is not None and len(value) == size
    rate_kb_s = size / 1000 / elapsed
    assert 500 <= rate_kb_s <= 1100


def test_slicer_delivers_every_byte_both_ways(via_proxy, redis_proxy):
    payload = os.urandom(50_000)
    with (
        redis_proxy.slicer(average_size=100, size_variation=60, stream="upstream"),
        redis_proxy.slicer(average_size=100, size_variation=60, delay_us=10),
    ):
        via_proxy.set("sliced", payload)
        assert via_proxy.get("sliced") == payload


def test_slow_close_delays_the_close_not_the_data(redis_proxy):
    with (
        redis_proxy.slow_close(300),
        socket.create_connection((redis_proxy.listen_host, redis_proxy.listen_port)) as sock,
    ):
        sock.settimeout(5)
        start = time.perf_counter()
        sock.sendall(b"QUIT\r\n")
        assert sock.recv(100) == b"+OK\r\n"
        answered = time.perf_counter() - start
        assert sock.recv(100) == b""
        closed = time.perf_counter() - start
    assert answered < 0.2
    assert closed >= 0.29


def test_disabled_proxy_refuses_new_connections_and_drops_open_ones(
    via_proxy, redis_proxy, redis_server
):
    with socket.create_connection((redis_proxy.listen_host, redis_proxy.listen_port)) as open_sock:
        _login(open_sock, redis_server.password)
        open_sock.sendall(b"PING\r\n")
        assert open_sock.recv(100) == b"+PONG\r\n"
        with redis_proxy.down():
            try:
                assert open_sock.recv(100) == b""
            except ConnectionResetError:
                pass
            with pytest.raises(ConnectionRefusedError):
                socket.create_connection((redis_proxy.listen_host, redis_proxy.listen_port), 2)
            with pytest.raises(redis.exceptions.ConnectionError, match="Error 111"):
                via_proxy.ping()
    assert via_proxy.ping()  # enabled again on the same port


def test_toxicity_zero_never_applies_and_one_always_does(via_proxy, redis_proxy):
    with redis_proxy.latency(150, toxicity=0.0):
        assert _ping_seconds(via_proxy) < 0.1
    with redis_proxy.latency(150, toxicity=1.0):
        assert _ping_seconds(via_proxy) >= 0.15


def _slow_connections(api_url: str, upstream: str, make_redis, n: int = 8) -> list[bool]:
    # Which of n fresh connections got a 50%-toxicity latency toxic.
    with Faults(api_url) as faults:
        proxy: ProxyHandle = faults.proxy("dice", upstream=upstream)
        proxy.latency(120, toxicity=0.5)
        pattern = []
        for _ in range(n):
            client = make_redis(proxy.listen_host, proxy.listen_port)
            start = time.perf_counter()
            client.ping()
            pattern.append(time.perf_counter() - start >= 0.12)
            client.close()
        return pattern


def test_toxicity_rolls_are_replayed_by_the_same_seed(redis_address, make_redis):
    patterns = []
    for seed in (11, 11):
        with FaultProxyServer(seed=seed) as server:
            patterns.append(_slow_connections(server.url, redis_address, make_redis))
    assert patterns[0] == patterns[1]
    assert any(patterns[0]) and not all(patterns[0])


def test_slicer_cuts_replies_into_small_spaced_writes(via_proxy, redis_proxy, redis_server):
    via_proxy.set("words", b"y" * 120)
    with (
        socket.create_connection((redis_proxy.listen_host, redis_proxy.listen_port)) as sock,
        redis_proxy.slicer(average_size=10, size_variation=4, delay_us=20_000),
    ):
        _login(sock, redis_server.password)
        sock.sendall(b"GET words\r\n")
        pieces = []
        while sum(map(len, pieces)) < len(b"$120\r\n") + 120 + 2:
            pieces.append(sock.recv(65536))
    assert b"".join(pieces) == b"$120\r\n" + b"y" * 120 + b"\r\n"
    assert len(pieces) >= 8
    assert max(map(len, pieces)) <= 2 * 14  # two pieces may meet in one read, never more
