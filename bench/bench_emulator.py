"""Emulator latency per call through the official stripe library.

Creates and retrieves Checkout Sessions (the app's two hot calls) many times
after a warm-up and prints the median (and p90) per call, for the emulator
embedded in this process (a background thread) and as a separate process
(``paychaos emulator``, like stripe-mock). Target: <= 1.2 ms per call.

    .venv/bin/python bench/bench_emulator.py [--iterations 2000] [--runs 3]
"""

from __future__ import annotations

import argparse
import statistics
import subprocess
import sys
import time

import stripe

from paychaos.stripe_emulator import StripeEmulator

TARGET_MS = 1.2


def _measure(url: str, key: str, iterations: int, warmup: int) -> list[float]:
    client = stripe.StripeClient(key, base_addresses={"api": url})
    product = client.v1.products.create({"name": "bench"})
    price = client.v1.prices.create(
        {
            "currency": "usd",
            "unit_amount": 1000,
            "product": product.id,
            "recurring": {"interval": "month"},
        }
    )
    params = {
        "mode": "subscription",
        "line_items": [{"price": price.id, "quantity": 1}],
        "success_url": "http://127.0.0.1/ok",
        "metadata": {"company_id": "7"},
    }
    per_call: list[float] = []
    for i in range(warmup + iterations):
        started = time.perf_counter()
        session = client.v1.checkout.sessions.create(params)
        client.v1.checkout.sessions.retrieve(session.id)
        elapsed = (time.perf_counter() - started) / 2
        if i >= warmup:
            per_call.append(elapsed * 1000)
    return per_call


def _report(label: str, runs: list[list[float]]) -> float:
    medians = [statistics.median(r) for r in runs]
    p90s = [sorted(r)[int(len(r) * 0.9)] for r in runs]
    median = statistics.median(medians)
    verdict = "within" if median <= TARGET_MS else "OVER"
    print(
        f"{label:<34} median {median:.3f} ms/call (runs: {', '.join(f'{m:.3f}' for m in medians)}; "
        f"p90 {statistics.median(p90s):.3f}) -> {verdict} the {TARGET_MS} ms target"
    )
    return median


def bench_embedded(iterations: int, warmup: int, runs: int, faults: bool = False) -> float:
    results = []
    for _ in range(runs):
        with StripeEmulator(delivery="manual") as emu:
            if faults:
                load_non_matching_faults(emu)
            results.append(_measure(emu.url, emu.api_key, iterations, warmup))
    label = "embedded (thread), faults loaded" if faults else "embedded (thread)"
    return _report(label, results)


def load_non_matching_faults(emu: StripeEmulator) -> None:
    """40 API fault rules and 10 delivery rules that never match the benchmark's calls,
    so only checking them costs."""
    ctl = emu.control
    for n in range(20):
        ctl.add_api_fault(
            {"method": "POST", "path": f"/v1/customers/cus_{n}", "action": "error", "status": 500}
        )
        ctl.add_api_fault(
            {"method": "GET", "path": "/v1/invoices/*", "action": "latency", "seconds": 0.5}
        )
    for n in range(10):
        ctl.add_delivery_policy({"event_type": f"never.{n}", "action": "drop"})
    assert len(ctl.api_faults()) == 40 and len(ctl.delivery_policies()) == 10


def bench_process(iterations: int, warmup: int, runs: int) -> float:
    results = []
    for _ in range(runs):
        proc = subprocess.Popen(
            [sys.executable, "-m", "paychaos", "emulator", "--port", "0", "--delivery", "manual"],
            stdout=subprocess.PIPE,
            stderr=subprocess.DEVNULL,
            text=True,
        )
        try:
            url = proc.stdout.readline().strip().split("=", 1)[1]
            key = proc.stdout.readline().strip().split("=", 1)[1]
            results.append(_measure(url, key, iterations, warmup))
        finally:
            proc.terminate()
            proc.wait(10)
    return _report("separate process", results)


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--iterations", type=int, default=2000)
    parser.add_argument("--warmup", type=int, default=200)
    parser.add_argument("--runs", type=int, default=3)
    args = parser.parse_args()
    print(
        f"stripe {stripe.VERSION}; {args.iterations} create+retrieve pairs per run after {args.warmup} warm-up"
    )
    bench_embedded(args.iterations, args.warmup, args.runs)
    bench_embedded(args.iterations, args.warmup, args.runs, faults=True)
    bench_process(args.iterations, args.warmup, args.runs)


if __name__ == "__main__":
    main()
