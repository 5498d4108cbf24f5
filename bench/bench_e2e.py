"""One full end-to-end purchase against the reference app, real everything; median of many.

    .venv/bin/python bench/bench_e2e.py [--runs 30] [--variant correct]

Prints the purchase itself (checkout through the app and the stripe library,
payment in the emulator, the signed webhook over HTTP, validate), and the
whole run around it (reset, heal, drain, final state, checks). Target for the
purchase: <= 150 ms.
"""

from __future__ import annotations

import argparse
import statistics
import time

from paychaos.cli.compose import open_environment
from paychaos.runner import run_scenario
from paychaos.schedule import Scenario
from paychaos.schedule import step as s

PURCHASE = Scenario(
    name="purchase",
    story="A company buys a plan and pays by card.",
    steps=(s.checkout("s1"), s.pay("s1"), s.deliver(), s.validate("s1")),
)


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--runs", type=int, default=30)
    parser.add_argument("--warmup", type=int, default=5)
    parser.add_argument("--variant", default="correct")
    args = parser.parse_args()

    t0 = time.perf_counter()
    with open_environment(args.variant) as env:
        started = time.perf_counter() - t0
        for _ in range(args.warmup):
            run_scenario(env, PURCHASE)
        rows = []
        for _ in range(args.runs):
            result = run_scenario(env, PURCHASE)
            assert result.kept, result.violations
            rows.append(result.timings)
    print(f"environment start: {started * 1000:.0f} ms (Postgres, Redis, emulator, proxies, app)")
    print(f"purchases: {args.runs} after {args.warmup} warm-up, variant {args.variant}")
    for key in ("steps", "reset", "drain", "check", "total"):
        values = sorted(r[key] * 1000 for r in rows)
        print(
            f"  {key:6s} median {statistics.median(values):7.1f} ms   "
            f"p90 {values[int(len(values) * 0.9) - 1]:7.1f} ms"
        )
    print("('steps' is the purchase itself: checkout, pay, webhook delivery, validate)")


if __name__ == "__main__":
    main()
