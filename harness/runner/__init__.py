"""The runner: reset, run the steps, heal, drain, read the final state, check, give a verdict.

>>> from paychaos.runner import run_scenario
>>> result = run_scenario(env, scenario, seed=7)     # doctest: +SKIP
>>> result.kept                                       # doctest: +SKIP
True
"""

from __future__ import annotations

import time
from collections.abc import Iterable
from dataclasses import dataclass, field
from pathlib import Path
from typing import TYPE_CHECKING, Any

from paychaos.history import Event, History
from paychaos.invariants import Violation, check_all
from paychaos.runner.actions import (
    record_deliveries,
    record_nemesis,
    run_step,
    validate_session,
)
from paychaos.runner.context import RunContext
from paychaos.schedule import Scenario
from paychaos.state import FinalState

if TYPE_CHECKING:
    from paychaos.environment import Environment


@dataclass(frozen=True)
class RunResult:
    """The verdict of one run, with everything needed to understand and replay it."""

    scenario: Scenario
    variant: str
    seed: int
    violations: tuple[Violation, ...]
    history: tuple[Event, ...]
    state: FinalState
    timings: dict[str, float] = field(default_factory=dict)
    history_path: Path | None = None

    @property
    def kept(self) -> bool:
        return not self.violations

    @property
    def broken(self) -> list[str]:
        return sorted({v.invariant for v in self.violations}, key=lambda i: int(i[1:]))

    def to_dict(self) -> dict[str, Any]:
        return {
            "scenario": self.scenario.name,
            "variant": self.variant,
            "seed": self.seed,
            "kept": self.kept,
            "broken": self.broken,
            "violations": [v.to_dict() for v in self.violations],
            "timings": self.timings,
            "history": str(self.history_path) if self.history_path else None,
        }


def run_scenario(
    env: Environment,
    scenario: Scenario,
    *,
    seed: int = 0,
    history_path: Path | None = None,
    only: Iterable[str] | None = None,
) -> RunResult:
    """Run ``scenario`` once against the environment's current app variant.

    ``only`` limits the verdict to some invariants (e.g. ``["I1", "I4"]``).
    """
    timings: dict[str, float] = {}
    t0 = time.perf_counter()
    env.reset(seed=seed, app_env=scenario.app_env)
    history = History(history_path)
    ctx = RunContext(env=env, history=history, seed=seed)
    timings["reset"] = time.perf_counter() - t0

    t1 = time.perf_counter()
    try:
        for step in scenario.steps:
            run_step(ctx, step)
    finally:
        timings["steps"] = time.perf_counter() - t1
        t2 = time.perf_counter()
        record_nemesis(ctx, env.nemesis.heal(None))
        drain(ctx)
        timings["drain"] = time.perf_counter() - t2
    t3 = time.perf_counter()
    state = env.final_state()
    events = history.events()
    violations = tuple(check_all(events, state, only=only))
    timings["check"] = time.perf_counter() - t3
    history.close()
    timings["total"] = time.perf_counter() - t0
    return RunResult(
        scenario=scenario,
        variant=env.variant,
        seed=seed,
        violations=violations,
        history=tuple(events),
        state=state,
        timings={k: round(v, 4) for k, v in timings.items()},
        history_path=history_path,
    )


def drain(ctx: RunContext, rounds: int = 6) -> None:
    """After heal: let Stripe retry until every webhook is acknowledged or given up, let the app
    finish deferred work, and have each customer's success page ask validate once more."""
    env = ctx.env
    # The browsers an outage disconnected reconnect first, so what follows does not race
    # their reconnection (that race would make the verdict depend on timing).
    env.observer.wait_connected()
    for _ in range(rounds):
        env.app_settle()
        attempts = env.emulator.control.drain()
        record_deliveries(ctx, attempts)
        if not attempts:
            break
    told = dict(ctx.told)
    for alias, session_id in list(ctx.sessions.items()):
        # The success page stops asking once it has shown "Payment failed": that customer is gone;
        # so is one who closed the tab (``leave``).
        if told.get(session_id) != "failed" and alias not in ctx.left:
            validate_session(ctx, alias, session_id, after_heal=True)
    env.app_settle()
    env.await_notifications()
