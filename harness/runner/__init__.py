"""The runner: reset, run the steps, heal, drain, read the final state, check, give a verdict.

>>> from paychaos.runner import run_scenario
>>> result = run_scenario(env, scenario, seed=7)     # doctest: +SKIP
>>> result.kept                                       # doctest: +SKIP
True
"""

from __future__ import annotations

import time
from collections.abc import Iterable, Sequence
from dataclasses import dataclass, field, replace
from pathlib import Path
from typing import TYPE_CHECKING, Any

from paychaos.app.traits import AppTraits
from paychaos.history import Event, History
from paychaos.invariants import Violation, check_all, invariants
from paychaos.invariants._common import no_checkout_reason
from paychaos.runner.actions import (
    app_log_mark,
    record_deliveries,
    record_failpoint_hits,
    record_nemesis,
    run_step,
    validate_session,
)
from paychaos.runner.context import RunContext
from paychaos.schedule import Scenario
from paychaos.state import FinalState
from paychaos.verdicts import PromiseVerdict, Verdict, exit_code

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
    verdicts: tuple[PromiseVerdict, ...] = ()
    # The violations of one of two runs of the same schedule that the other did not repeat.
    flaky_violations: tuple[Violation, ...] = ()
    # Why the run as a whole never reached its situation (the customer could not check out,
    # a forced race's failpoint was never hit), or None.
    unexercised: str | None = None

    @property
    def kept(self) -> bool:
        """No promise broken (flaky, n/a and not exercised ones are not broken)."""
        return not self.violations

    def verdict_of(self, invariant: str) -> PromiseVerdict | None:
        return next((v for v in self.verdicts if v.invariant == invariant), None)

    @property
    def outcome(self) -> Verdict:
        """The run's verdict: broken, else flaky, else not exercised (the run as a whole),
        else kept. Promises a run did not touch are judged over the whole command
        (``CommandVerdict``): a Redis scenario need not forge a webhook."""
        seen = {v.verdict for v in self.verdicts}
        if self.violations or Verdict.BROKEN in seen:
            return Verdict.BROKEN
        if Verdict.FLAKY in seen:
            return Verdict.FLAKY
        return Verdict.NOT_EXERCISED if self.unexercised else Verdict.KEPT

    def as_flaky(self) -> RunResult:
        """This run's broken promises re-judged as flaky (a rerun of the schedule kept them)."""
        verdicts = tuple(
            replace(v, verdict=Verdict.FLAKY) if v.verdict == Verdict.BROKEN else v
            for v in self.verdicts
        )
        return replace(self, violations=(), verdicts=verdicts, flaky_violations=self.violations)

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
            "outcome": str(self.outcome),
            "unexercised": self.unexercised,
            "verdicts": [v.to_dict() for v in self.verdicts],
            "violations": [v.to_dict() for v in self.violations],
            "flaky_violations": [v.to_dict() for v in self.flaky_violations],
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

    When the harness's own environment fails during the run (its Postgres or Redis killed
    from outside, the app server gone for good), whatever the run raised or concluded is
    replaced by ``EnvironmentFailed`` naming the part: a verdict reached without the
    harness's own services is no verdict.
    """
    try:
        result = _run_once(env, scenario, seed=seed, history_path=history_path, only=only)
    except Exception as exc:
        failure = env.failure()
        if failure is not None:
            raise failure from exc
        raise
    failure = env.failure()
    if failure is not None:
        raise failure
    return result


def _run_once(
    env: Environment,
    scenario: Scenario,
    *,
    seed: int,
    history_path: Path | None,
    only: Iterable[str] | None,
) -> RunResult:
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
        record_failpoint_hits(ctx)
        record_nemesis(ctx, env.nemesis.heal(None))
        drain(ctx)
        timings["drain"] = time.perf_counter() - t2
    t3 = time.perf_counter()
    state = env.final_state()
    events = history.events()
    # A promise that does not apply to the app (n/a) is not checked: its checker would report
    # the app for what it never claims to do (no payment rows, no browser notifications).
    violations = tuple(check_all(events, state, only=applicable(env.app.traits, only)))
    verdicts = judge(events, state, violations, env.app.traits, only=only)
    unexercised = run_unexercised(events, state, env.app.traits)
    if unexercised is None and "tasks" in scenario.needs and not env.app.traits.task_kinds:
        unexercised = (
            "the scenario is about the task side (a worker and its broker), which this app "
            "does not have (traits.task_kinds)"
        )
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
        verdicts=verdicts,
        unexercised=unexercised,
    )


def applicable(traits: AppTraits, only: Iterable[str] | None = None) -> list[str]:
    """The ids of the invariants (of ``only``, if given) that apply to an app with ``traits``.

    >>> "I3" in applicable(AppTraits(records_payments=False))
    False
    """
    wanted = set(only) if only is not None else None
    return [
        inv_id
        for inv_id, inv in invariants().items()
        if (wanted is None or inv_id in wanted) and not (inv.applies and inv.applies(traits))
    ]


def judge(
    events: list[Event],
    state: FinalState,
    violations: tuple[Violation, ...],
    traits: AppTraits,
    *,
    only: Iterable[str] | None = None,
) -> tuple[PromiseVerdict, ...]:
    """Each promise's verdict for one run: n/a, broken, not exercised or kept (in that order:
    a broken promise was exercised by definition; an unexercised one is never "kept")."""
    wanted = set(only) if only is not None else None
    broken = {v.invariant for v in violations}
    out = []
    for inv_id, inv in invariants().items():
        if wanted is not None and inv_id not in wanted:
            continue
        why_na = inv.applies(traits) if inv.applies else None
        why_not = inv.exercised(events, state) if inv.exercised else None
        if why_na:
            out.append(PromiseVerdict(inv_id, Verdict.NOT_APPLICABLE, why_na))
        elif inv_id in broken:
            out.append(PromiseVerdict(inv_id, Verdict.BROKEN))
        elif why_not:
            out.append(PromiseVerdict(inv_id, Verdict.NOT_EXERCISED, why_not))
        else:
            out.append(PromiseVerdict(inv_id, Verdict.KEPT))
    return tuple(out)


def run_unexercised(
    events: list[Event], state: FinalState, traits: AppTraits | None = None
) -> str | None:
    """Why a run never reached its situation at all, or None.

    A checkout the customer could not complete is a finding in its own right: what the
    schedule meant to test with that session never happened (a later checkout too, when an
    earlier one worked). A forced race whose failpoint some step never reached tested no
    race. A Redis fault on an app that has no Redis touched nothing it uses. An edited
    browser's request the adapter cannot send was never put to the app.
    """
    for event in events:
        if event.value.get("unsupported"):
            return (
                f"the schedule sends an edited browser's request ({event.name}), which this "
                "app's adapter cannot send (traits.untrusted_client)"
            )
    if not state.sessions:
        return no_checkout_reason(events)
    for event in events:
        if event.name == "checkout" and event.type == "fail":
            return f"the customer could not check out: {event.value.get('error', 'the app failed')}"
        if event.process != "nemesis":
            continue
        if event.name in ("failpoint", "race") and event.type == "fail":
            name = event.value.get("name") or event.value.get("failpoint")
            return (
                f"failpoint {name} could not be armed ({event.value.get('error')}): is "
                "paychaos.failpoints.failpoint_urlpatterns() mounted in the app's urls?"
            )
        if event.name == "failpoint_hits":
            never = sorted(n for n, hits in event.value.get("hits", {}).items() if hits == 0)
            if never:
                return (
                    f"failpoint {never[0]} was armed but the app never reached it: put "
                    f"failpoint({never[0]!r}) where docs/adapter.md says"
                )
    for event in events:
        if (
            event.name == "replay_genuine"
            and event.type == "fail"
            and event.value.get("unreplayed")
        ):
            return f"the captured delivery was never replayed: {event.value.get('error')}"
    for event in events:
        if event.process == "nemesis" and event.value.get("mid_task") is False:
            return (
                "the worker was to be killed mid-task, but it was never inside a task: "
                "no task was queued, or the app's adapter cannot tell (task_busy_sql)"
            )
    if traits is not None and not traits.task_kinds:
        for event in events:
            if event.process == "nemesis" and event.value.get("target") in ("broker", "worker"):
                return (
                    "the schedule breaks the task broker or worker, which this app does not "
                    "have (traits.task_kinds)"
                )
    if traits is not None and not traits.uses_redis:
        for event in events:
            if event.process == "nemesis" and event.value.get("target") == "redis":
                return "the schedule breaks Redis, which this app does not use (traits.uses_redis)"
    for event in events:
        if (
            event.name == "race"
            and "held" in event.value
            and event.value["held"] < event.value["of"]
        ):
            return (
                f"the forced race at failpoint {event.value.get('failpoint')} held "
                f"{event.value['held']} of {event.value['of']} steps: the app never reached it"
            )
    return None


@dataclass(frozen=True)
class CommandVerdict:
    """What a whole command (a matrix, a replay) came to, and its exit code."""

    broken: tuple[RunResult, ...]
    flaky: tuple[RunResult, ...]
    # Runs that never reached their situation, and promises no run exercised (-> why).
    unexercised_runs: tuple[RunResult, ...]
    unexercised_promises: dict[str, str]

    @property
    def exit_code(self) -> int:
        if self.broken:
            return exit_code([Verdict.BROKEN])
        if self.flaky:
            return exit_code([Verdict.FLAKY])
        if self.unexercised_runs or self.unexercised_promises:
            return exit_code([Verdict.NOT_EXERCISED])
        return exit_code([])


def command_verdict(results: Sequence[RunResult], *, coverage: bool = True) -> CommandVerdict:
    """Judge a command's runs together: a promise no run exercised (n/a aside) is not
    exercised by the command, whatever each run says about the promises it did not aim at.

    ``coverage=False`` judges the runs only (a replay of one finding, a demo): the promises
    its schedule never aimed at are not held against it.
    """
    reasons: dict[str, str] = {}
    exercised: set[str] = set()
    for result in results:
        for v in result.verdicts:
            if v.verdict == Verdict.NOT_EXERCISED:
                reasons.setdefault(v.invariant, v.reason)
            elif v.verdict != Verdict.NOT_APPLICABLE:
                exercised.add(v.invariant)
    return CommandVerdict(
        broken=tuple(r for r in results if r.outcome == Verdict.BROKEN),
        flaky=tuple(r for r in results if r.outcome == Verdict.FLAKY),
        unexercised_runs=tuple(r for r in results if r.unexercised),
        unexercised_promises={
            i: why for i, why in reasons.items() if coverage and i not in exercised
        },
    )


def confirm(env: Environment, result: RunResult, *, history_path: Path | None = None) -> RunResult:
    """Rerun a run that broke a promise: what breaks in both runs is broken; what breaks in
    one of them only is flaky, whichever run it was.

    A failure that does not reproduce is never reported as a violation, and a promise the
    rerun broke is never reported kept.
    """
    if result.kept:
        return result
    again = run_scenario(
        env,
        result.scenario,
        seed=result.seed,
        history_path=history_path,
        only=[v.invariant for v in result.verdicts] or None,
    )
    first, second = set(result.broken), set(again.broken)
    if not second:
        return result.as_flaky()
    # Broken in the rerun alone (kept, or not exercised, the first time): the same schedule
    # broke it once in two runs.
    only_again = {
        v.invariant
        for v in result.verdicts
        if v.invariant in second - first and v.verdict != Verdict.NOT_APPLICABLE
    }
    once = (first - second) | only_again
    verdicts = tuple(
        replace(v, verdict=Verdict.FLAKY, reason="" if v.invariant in only_again else v.reason)
        if v.invariant in once
        else v
        for v in result.verdicts
    )
    kept_violations = tuple(v for v in result.violations if v.invariant in second)
    flaky = tuple(v for v in result.violations if v.invariant not in second) + tuple(
        v for v in again.violations if v.invariant in only_again
    )
    return replace(result, violations=kept_violations, verdicts=verdicts, flaky_violations=flaky)


def drain(ctx: RunContext, rounds: int = 6) -> None:
    """After heal: let Stripe retry until every webhook is acknowledged or given up, let the app
    finish deferred work, and have each customer's success page ask validate once more."""
    env = ctx.env
    # The browsers an outage disconnected reconnect first, so what follows does not race
    # their reconnection (that race would make the verdict depend on timing).
    env.observer.wait_connected()
    for _ in range(rounds):
        env.app_settle()
        mark = app_log_mark(ctx)
        attempts = env.emulator.control.drain()
        record_deliveries(ctx, attempts, mark)
        if not attempts:
            break
    told = dict(ctx.told)
    for alias, session_id in list(ctx.sessions.items()):
        # The success page stops asking once it has shown "Payment failed": that customer is gone;
        # so is one who closed the tab (``leave``).
        if told.get(session_id) != "failed" and alias not in ctx.left:
            validate_session(ctx, alias, session_id, after_heal=True)
    env.app_settle()
    env.settle_tasks()
    env.await_notifications()
