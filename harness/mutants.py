"""The detection run: does paychaos catch each mutant, by what, and how fast?

For every mutant (the ``correct`` app with one real-world bug put back), the
named scenarios run first, in registry order, and the first broken promise
stops it. If none breaks one, exploration generates schedules for the rest of
the per-mutant budget and shrinks the first failure to a replay file. The
``correct`` variant goes through the same path as the honesty check: every
scenario and the whole exploration budget, and it must report nothing.

>>> from paychaos.mutants import detection_run
>>> rows = detection_run(env, ["M7"], scenarios, schedules(), seed=0)   # doctest: +SKIP
>>> rows[0].caught, rows[0].by                                      # doctest: +SKIP
(True, 'db-error-customer-gone')
"""

from __future__ import annotations

import shlex
import time
import warnings
from collections.abc import Callable, Sequence
from dataclasses import dataclass, field
from pathlib import Path
from typing import TYPE_CHECKING, Any

from hypothesis.errors import HypothesisDeprecationWarning

from paychaos.errors import ConfigError

if TYPE_CHECKING:
    from hypothesis.strategies import SearchStrategy

    from paychaos.environment import Environment
    from paychaos.runner import RunResult
    from paychaos.schedule import Scenario

CORRECT = "correct"
GENERATED = "generated schedule"
RESULTS = Path("paychaos-results")

# (target, what is running now) -> None; the CLI shows it on its progress display.
Progress = Callable[[str, str], None]


@dataclass(frozen=True)
class Detection:
    """One row of the detection table: what happened to one mutant (or to ``correct``)."""

    target: str  # "M7", or "correct"
    variant: str  # "mutant:M7", or "correct"
    caught: bool  # for ``correct``: True means a false alarm
    by: str | None  # the scenario's name, or "generated schedule"
    invariants: tuple[str, ...]
    seconds: float | None  # from the start of this target's run to the first broken promise
    shrunk_length: int | None  # steps of the scenario, or of the shrunk generated schedule
    replay: str | None  # the command that shows the failure again
    elapsed: float  # everything this target took, shrinking included
    scenarios_run: int
    examples: int  # generated schedules run
    # The run that broke a promise (the HTML report draws its timeline); not in the JSON.
    caught_in: RunResult | None = field(default=None, repr=False, compare=False)
    # Failures that did not repeat on a rerun of the same schedule: shown, never a catch
    # (nor, on ``correct``, a false alarm).
    flaky: tuple[str, ...] = ()
    # Schedules run up to and including the first one that broke a promise: named scenarios,
    # then generated ones (None: nothing broke). A measure of power that a faster machine or
    # more workers do not change.
    schedules_to_detection: int | None = None

    @property
    def is_correct(self) -> bool:
        return self.variant == CORRECT

    @property
    def ok(self) -> bool:
        """A mutant is ok when caught; ``correct`` is ok when nothing was found."""
        return not self.caught if self.is_correct else self.caught

    def to_dict(self) -> dict[str, Any]:
        return {
            "target": self.target,
            "variant": self.variant,
            "caught": self.caught,
            "ok": self.ok,
            "by": self.by,
            "invariants": list(self.invariants),
            "seconds_to_detection": self.seconds,
            "shrunk_length": self.shrunk_length,
            "replay": self.replay,
            "elapsed": round(self.elapsed, 2),
            "scenarios_run": self.scenarios_run,
            "examples": self.examples,
            "flaky": list(self.flaky),
            "schedules_to_detection": self.schedules_to_detection,
        }


def parse_targets(spec: str | None, known: Sequence[str]) -> list[str]:
    """``"M1,m5"`` -> ``["M1", "M5"]``; ``None`` -> every mutant in ``known``. Unknown ids are
    a ConfigError."""
    known = list(known)
    if spec is None:
        return known
    chosen = [part.strip().upper() for part in spec.split(",") if part.strip()]
    chosen = [c.removeprefix("MUTANT:") for c in chosen]
    unknown = [c for c in chosen if c not in known]
    if unknown or not chosen:
        raise ConfigError(
            f"--only {spec!r}: "
            + (f"unknown mutant {unknown[0]!r}" if unknown else "no mutant named"),
            hint="mutant ids are " + ", ".join(known),
        )
    return list(dict.fromkeys(chosen))


def variant_of(target: str) -> str:
    return target if target == CORRECT else f"mutant:{target}"


def detect(
    env: Environment,
    target: str,
    scenarios: Sequence[Scenario],
    schedules: SearchStrategy[Scenario],
    *,
    seed: int = 0,
    budget_seconds: float = 60.0,
    max_examples: int | None = None,
    out_dir: Path = RESULTS,
    on_progress: Progress | None = None,
) -> Detection:
    """Run one target (a mutant id or ``correct``) through ``scenarios``, then exploration of
    generated ``schedules``.

    A mutant stops at its first broken promise. ``correct`` runs everything, so a
    false alarm anywhere shows. Exploration gets what is left of ``budget_seconds``, or,
    with ``max_examples``, exactly that many generated schedules whatever the time (what
    tests use: a count does not depend on the machine's speed).
    """
    from paychaos.explore import explore
    from paychaos.replay import write_replay
    from paychaos.runner import confirm, run_scenario

    variant = variant_of(target)
    flaky: list[str] = []
    chosen = list(scenarios)
    notify = on_progress or (lambda _t, _what: None)
    env.switch_variant(variant)
    started = time.monotonic()
    run = 0
    for scenario in chosen:
        notify(target, f"scenario {scenario.name}")
        # A catch must repeat: a failure a rerun does not break again is flaky, not a catch.
        result = confirm(env, run_scenario(env, scenario, seed=seed))
        run += 1
        if result.flaky_violations and result.kept:
            flaky.append(
                f"{scenario.name} ({' '.join(sorted({v.invariant for v in result.flaky_violations}))})"
            )
        if not result.kept:
            took = time.monotonic() - started
            return Detection(
                target=target,
                variant=variant,
                caught=True,
                by=scenario.name,
                invariants=tuple(result.broken) or ("error",),
                seconds=round(took, 1),
                shrunk_length=len(scenario.steps),
                replay=shlex.join(
                    ["paychaos", "run", scenario.name, "--variant", variant, "--seed", str(seed)]
                ),
                elapsed=took,
                scenarios_run=run,
                examples=0,
                caught_in=result,
                flaky=tuple(flaky),
                schedules_to_detection=run,
            )

    remaining = budget_seconds - (time.monotonic() - started)
    if max_examples is None and remaining <= 0:
        return _not_caught(target, variant, started, run, 0, flaky)
    first_failure: list[float] = []
    first_failing_example: list[int] = []
    examples = [0]

    def seen(stats: Any) -> None:
        examples[0] = stats.examples
        if stats.distinct and not first_failure:
            first_failure.append(time.monotonic() - started)
            first_failing_example.append(stats.examples)
        state = "shrinking" if first_failure else "exploring"
        notify(target, f"{state}: {stats.examples} generated schedules")
        if max_examples is None and not stats.distinct and stats.elapsed >= remaining:
            raise _BudgetSpent

    try:
        with warnings.catch_warnings():
            # The runner's seeded helpers touch ``random`` while Hypothesis generates; the
            # warning is about strategy style, says nothing about the app, and clutters the table.
            warnings.simplefilter("ignore", HypothesisDeprecationWarning)
            outcome = explore(
                env,
                schedules,
                seed=seed,
                max_examples=max_examples or 100_000,
                budget_seconds=None if max_examples else remaining,
                on_example=seen,
            )
    except _BudgetSpent:
        return _not_caught(target, variant, started, run, examples[0], flaky)
    if outcome.finding is None:
        return _not_caught(target, variant, started, run, outcome.stats.examples, flaky)
    if outcome.flaky:  # the shrunk failure did not happen again on its own schedule
        flaky.append(f"{GENERATED} ({' '.join(outcome.finding.result.broken)})")
        return _not_caught(target, variant, started, run, outcome.stats.examples, flaky)
    finding = outcome.finding
    path = out_dir / f"replay-{variant.replace(':', '-')}-seed{seed}.json"
    found = [{"invariant": v.invariant, "message": v.message} for v in finding.result.violations]
    write_replay(path, finding.scenario, variant=variant, seed=seed, found=found)
    return Detection(
        target=target,
        variant=variant,
        caught=True,
        by=GENERATED,
        invariants=tuple(finding.result.broken) or ("error",),
        seconds=round(first_failure[0], 1) if first_failure else None,
        shrunk_length=len(finding.scenario.steps),
        replay=shlex.join(["paychaos", "replay", str(path)]),
        elapsed=time.monotonic() - started,
        scenarios_run=run,
        examples=outcome.stats.examples,
        caught_in=finding.result,
        flaky=tuple(flaky),
        schedules_to_detection=run + first_failing_example[0] if first_failing_example else None,
    )


class _BudgetSpent(BaseException):
    """The budget is spent with nothing found. Not an ``Exception``, so Hypothesis lets it
    through at once instead of calling the (then no-op) test up to ``max_examples`` times,
    which took minutes."""


def _not_caught(
    target: str,
    variant: str,
    started: float,
    run: int,
    examples: int,
    flaky: Sequence[str] = (),
) -> Detection:
    return Detection(
        target=target,
        variant=variant,
        caught=False,
        by=None,
        invariants=(),
        seconds=None,
        shrunk_length=None,
        replay=None,
        elapsed=time.monotonic() - started,
        scenarios_run=run,
        examples=examples,
        flaky=tuple(flaky),
    )


def detection_run(
    env: Environment,
    targets: Sequence[str],
    scenarios: Sequence[Scenario],
    schedules: SearchStrategy[Scenario],
    *,
    seed: int = 0,
    budget_seconds: float = 60.0,
    include_correct: bool = True,
    out_dir: Path = RESULTS,
    on_progress: Progress | None = None,
    on_done: Callable[[Detection], None] | None = None,
) -> list[Detection]:
    """Every target in turn on one environment (it switches variants), ``correct`` last."""
    order = list(targets) + ([CORRECT] if include_correct else [])
    rows = []
    for target in order:
        row = detect(
            env,
            target,
            scenarios,
            schedules,
            seed=seed,
            budget_seconds=budget_seconds,
            out_dir=out_dir,
            on_progress=on_progress,
        )
        rows.append(row)
        if on_done:
            on_done(row)
    return rows


def all_ok(rows: Sequence[Detection]) -> bool:
    """True when every mutant was caught and ``correct`` stayed clean."""
    return all(row.ok for row in rows)
