"""Cost of the fault proxy: added latency per Redis round trip and bulk throughput.

    .venv/bin/python bench/bench_proxy.py [--pings 20000] [--rounds 5]

Compares a direct Redis connection with the embedded proxy (no toxic), both
on a background thread of this process (how the harness runs it) and as a
separate ``paychaos proxy`` process (how an app under test in another process
sees it), and a real Toxiproxy when ``PAYCHAOS_TOXIPROXY_URL`` is set.
Prints p50/p99 per PING in microseconds and MB/s for large GETs.
"""

from __future__ import annotations

import argparse
import os
import statistics
import subprocess
import sys
import time
from collections.abc import Callable

import redis

from paychaos.faults import TOXIPROXY_URL_ENV, FaultProxyServer, Faults
from paychaos.net import free_port, wait_for_port
from paychaos.services import start_services


def _percentile(samples: list[float], q: float) -> float:
    ordered = sorted(samples)
    return ordered[min(len(ordered) - 1, int(q * len(ordered)))]


def _ping_samples(client: redis.Redis, n: int) -> list[float]:
    conn = client.connection_pool.get_connection()
    conn.connect()
    samples = []
    clock = time.perf_counter_ns
    for _ in range(n):
        start = clock()
        conn.send_command("PING")
        conn.read_response()
        samples.append((clock() - start) / 1000.0)
    client.connection_pool.release(conn)
    return samples


def _throughput(client: redis.Redis, size: int, repeats: int) -> float:
    start = time.perf_counter()
    for _ in range(repeats):
        value = client.get("bench:bulk")
        assert value is not None and len(value) == size
    return size * repeats / (time.perf_counter() - start) / 1e6


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--pings", type=int, default=20000)
    parser.add_argument("--rounds", type=int, default=5)
    parser.add_argument("--bulk-mb", type=int, default=8)
    args = parser.parse_args()

    with start_services(postgres=False) as services, FaultProxyServer(seed=0) as server:
        upstream = f"{services.redis.host}:{services.redis.port}"
        targets: dict[str, Callable[[], tuple[str, int]]] = {}
        faults = Faults(server.url)
        thread_proxy = faults.proxy("redis", upstream=upstream)
        targets["direct"] = lambda: (services.redis.host, services.redis.port)
        targets["embedded (thread)"] = lambda: (thread_proxy.listen_host, thread_proxy.listen_port)

        api_port = free_port()
        process = subprocess.Popen(
            [sys.executable, "-m", "paychaos", "proxy", "--port", str(api_port)],
            stdout=subprocess.DEVNULL,
        )
        try:
            wait_for_port("127.0.0.1", api_port, timeout=20)
            separate = Faults(f"http://127.0.0.1:{api_port}")
            process_proxy = separate.proxy("redis", upstream=upstream)
            targets["embedded (process)"] = lambda: (
                process_proxy.listen_host,
                process_proxy.listen_port,
            )
            real_url = os.environ.get(TOXIPROXY_URL_ENV)
            if real_url:
                real = Faults(real_url)
                real_proxy = real.proxy("paychaos_bench", upstream=upstream)
                targets["toxiproxy"] = lambda: (real_proxy.listen_host, real_proxy.listen_port)

            password = services.redis.password  # the embedded Redis demands it
            clients = {
                name: redis.Redis(*address(), password=password)
                for name, address in targets.items()
            }
            size = args.bulk_mb * 1_000_000
            clients["direct"].set("bench:bulk", os.urandom(size))
            p50s: dict[str, list[float]] = {name: [] for name in clients}
            p99s: dict[str, list[float]] = {name: [] for name in clients}
            rates: dict[str, list[float]] = {name: [] for name in clients}
            for client in clients.values():
                _ping_samples(client, 2000)  # warm up
            for _ in range(args.rounds):
                # Interleave targets per round so background noise hits all of them.
                for name, client in clients.items():
                    samples = _ping_samples(client, args.pings)
                    p50s[name].append(_percentile(samples, 0.50))
                    p99s[name].append(_percentile(samples, 0.99))
                    rates[name].append(_throughput(client, size, 3))

            base50 = statistics.median(p50s["direct"])
            base99 = statistics.median(p99s["direct"])
            print(
                f"Redis PING round trip, {args.pings} pings x {args.rounds} rounds (median of rounds)"
            )
            print(
                f"{'path':<22}{'p50 us':>9}{'p99 us':>9}{'+p50 us':>9}{'+p99 us':>9}{'GET MB/s':>10}"
            )
            for name in clients:
                p50 = statistics.median(p50s[name])
                p99 = statistics.median(p99s[name])
                rate = statistics.median(rates[name])
                print(
                    f"{name:<22}{p50:>9.1f}{p99:>9.1f}{p50 - base50:>9.1f}{p99 - base99:>9.1f}{rate:>10.0f}"
                )
            for client in clients.values():
                client.close()
            separate.close()
        finally:
            process.terminate()
            process.wait(10)
        faults.close()


if __name__ == "__main__":
    main()
