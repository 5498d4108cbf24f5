"""Exploration speed: generated schedules per second against the reference app, and where time goes.

    .venv/bin/python bench/bench_explore.py [--examples 60] [--sessions 1] [--variant correct]

Target: >= 20 schedules/s for one-session schedules on this 2-core machine.
"""

from __future__ import annotations

import argparse
import collections
import time

from hypothesis import HealthCheck, given, seed, settings

from paychaos.cli.compose import open_environment
from paychaos.runner import run_scenario
from paychaos.strategies import schedules


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--examples", type=int, default=60)
    parser.add_argument("--sessions", type=int, default=1)
    parser.add_argument("--max-steps", type=int, default=8)
    parser.add_argument("--variant", default="correct")
    parser.add_argument("--seed", type=int, default=1)
    args = parser.parse_args()

    rows: list[tuple[dict[str, float], list[str]]] = []
    with open_environment(args.variant) as env:

        @seed(args.seed)
        @settings(
            max_examples=args.examples,
            deadline=None,
            database=None,
            suppress_health_check=list(HealthCheck),
        )
        @given(schedules(max_sessions=args.sessions, max_steps=args.max_steps))
        def one(schedule):
            result = run_scenario(env, schedule, seed=args.seed)
            rows.append((result.timings, [s.do for s in schedule.steps]))

        t0 = time.perf_counter()
        one()
        elapsed = time.perf_counter() - t0

    print(f"{len(rows)} schedules in {elapsed:.1f} s: {len(rows) / elapsed:.2f} schedules/s")
    totals = collections.Counter()
    for timings, _ in rows:
        totals.update(timings)
    print("mean per schedule:")
    for key in ("reset", "steps", "drain", "check", "total"):
        print(f"  {key:6s} {totals[key] / len(rows) * 1000:7.1f} ms")
    print(f"  hypothesis and the rest: {(elapsed - totals['total']) / len(rows) * 1000:7.1f} ms")
    by_kind = collections.defaultdict(list)
    for timings, kinds in rows:
        for kind in set(kinds):
            by_kind[kind].append(timings["total"])
    print("mean run time of schedules containing each step kind:")
    for kind, values in sorted(by_kind.items(), key=lambda kv: -sum(kv[1]) / len(kv[1])):
        print(f"  {kind:16s} {sum(values) / len(values) * 1000:7.1f} ms  ({len(values)} schedules)")


if __name__ == "__main__":
    main()
