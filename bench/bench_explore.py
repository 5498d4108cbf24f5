"""Exploration speed: generated schedules per second against the reference app, and where time goes.

    .venv/bin/python bench/bench_explore.py [--examples 60] [--sessions 1] [--variant correct]
        [--profile]

Target: >= 20 schedules/s for one-session schedules on this 2-core machine.

``--profile`` times every part of a schedule from outside the harness (each part is wrapped,
nothing in the harness changes): the reset and each call it makes, each step kind, the drain
and each call in it, the final state read and each of its reads, and each checker. It prints a
table of milliseconds per schedule: a part's time includes the parts indented below it, so
the children of a part need not add up to it (what is left is the part's own work). The
wrapping costs a few microseconds a call: compare profiled runs with profiled runs.
"""

from __future__ import annotations

import argparse
import collections
import dataclasses
import functools
import os
import threading
import time
from collections.abc import Callable
from typing import Any

from hypothesis import HealthCheck, given, seed, settings

from paychaos.cli.compose import open_environment
from paychaos.runner import run_scenario
from paychaos.strategies import schedules

# What the profile wraps on each part of the environment, by the attribute that holds the part.
ENV_CALLS = (
    "reset", "final_state", "settle_tasks", "await_notifications", "app_settle",
    "_register_webhook_endpoint", "plan_id", "watch_company",
)  # fmt: skip
PART_CALLS = {
    "nemesis": ("heal", "network_fault", "process_fault", "take_app_dirty"),
    "observer": ("forget", "wait_connected", "watch", "wait_for", "notifications"),
    "faults": ("heal_all",),
    "failpoints": ("set", "clear", "clear_all", "state", "wait_until_hit"),
    "stripe": ("post", "get", "list_all", "session"),
    "app": (
        "start", "stop", "restart", "reset", "start_worker", "stop_worker", "kill_worker",
        "responsive", "settle", "resend_owed_tasks", "wait_tasks_idle", "subscriptions",
        "payments", "task_effects", "create_company", "create_plan", "create_checkout",
        "checkout_as", "validate", "validate_as", "subscription_status",
        "subscription_status_as", "worker_busy", "log_position", "log_since",
    ),
}  # fmt: skip
RUNNER_CALLS = ("drain", "record_failpoint_hits", "validate_session", "judge", "run_unexercised")


class Profile:
    """Inclusive wall time per call path (``reset > emulator.reset``), summed over schedules."""

    def __init__(self) -> None:
        self.seconds: collections.Counter[tuple[str, ...]] = collections.Counter()
        self.calls: collections.Counter[tuple[str, ...]] = collections.Counter()
        # Each thread its own stack: a race's sub-steps run in threads of their own, and show
        # at the top of the table under "[thread]".
        self._local = threading.local()
        self.schedules = 0

    def timed(self, label: str, fn: Callable[..., Any]) -> Callable[..., Any]:
        @functools.wraps(fn)
        def wrapper(*args: Any, **kwargs: Any) -> Any:
            stack = getattr(self._local, "stack", None)
            if stack is None:
                main = threading.current_thread() is threading.main_thread()
                stack = self._local.stack = [] if main else ["[thread]"]
            stack.append(label)
            path = tuple(stack)
            t0 = time.perf_counter()
            try:
                return fn(*args, **kwargs)
            finally:
                self.seconds[path] += time.perf_counter() - t0
                self.calls[path] += 1
                stack.pop()

        return wrapper

    def wrap(self, owner: Any, attr: str, label: str) -> None:
        fn = getattr(owner, attr, None)
        if callable(fn):
            setattr(owner, attr, self.timed(label, fn))

    def instrument(self, env: Any) -> None:
        import paychaos.runner as runner
        from paychaos import final_state
        from paychaos.invariants import invariants
        from paychaos.runner.actions import ACTIONS

        for attr in ENV_CALLS:
            self.wrap(env, attr, attr.lstrip("_"))
        for part, calls in PART_CALLS.items():
            for attr in calls:
                self.wrap(getattr(env, part), attr, f"{part}.{attr}")
        control = env.emulator.control
        for attr in dir(type(control)):
            if not attr.startswith("_"):
                self.wrap(control, attr, f"emulator.{attr}")
        self.wrap(env.services.redis, "flush_all", "redis.flush_all")
        for attr in RUNNER_CALLS:
            self.wrap(runner, attr, attr)
        self.wrap(final_state, "charged_prices", "charged_prices")
        for kind in list(ACTIONS):
            ACTIONS[kind] = self.timed(f"step:{kind}", ACTIONS[kind])
        registry = invariants()
        for inv_id, inv in list(registry.items()):
            registry[inv_id] = dataclasses.replace(
                inv, check=self.timed(f"check {inv_id}", inv.check)
            )

    def table(self, top: int = 0) -> str:
        n = max(1, self.schedules)
        lines = [
            f"{'part (ms per schedule; a part includes those below it)':62s} {'ms':>8s} {'calls':>6s}"
        ]
        children: dict[tuple[str, ...], list[tuple[str, ...]]] = collections.defaultdict(list)
        for path in self.seconds:
            children[path[:-1]].append(path)

        def walk(parent: tuple[str, ...]) -> None:
            for path in sorted(children.get(parent, ()), key=lambda p: -self.seconds[p]):
                label = "  " * (len(path) - 1) + path[-1]
                lines.append(
                    f"{label:62s} {self.seconds[path] / n * 1000:8.2f} {self.calls[path] / n:6.2f}"
                )
                walk(path)

        walk(())
        return "\n".join(lines)


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--examples", type=int, default=60)
    parser.add_argument("--sessions", type=int, default=1)
    parser.add_argument("--max-steps", type=int, default=8)
    parser.add_argument("--variant", default="correct")
    parser.add_argument("--seed", type=int, default=1)
    parser.add_argument("--profile", action="store_true", help="print where a schedule's time goes")
    args = parser.parse_args()

    print(f"load average {os.getloadavg()}, {os.cpu_count()} cores")
    rows: list[tuple[dict[str, float], list[str]]] = []
    profile = Profile()
    with open_environment(args.variant) as env:
        if args.profile:
            profile.instrument(env)

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

    profile.schedules = len(rows)
    print(f"{len(rows)} schedules in {elapsed:.1f} s: {len(rows) / elapsed:.2f} schedules/s")
    totals: collections.Counter[str] = collections.Counter()
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
    if args.profile:
        print(profile.table())
    print(f"load average {os.getloadavg()}")


if __name__ == "__main__":
    main()
