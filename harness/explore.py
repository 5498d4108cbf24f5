"""Property-based exploration: generate schedules, run each, shrink the first failure to its core.

The property is the product's promise: for every schedule, the app keeps
I1-I8. Hypothesis generates schedules from the strategy the caller hands in
(``paychaos.strategies.schedules`` builds the usual one), and when one breaks a promise it shrinks the schedule itself, step by step,
to a minimal reproduction that is written as a replay file.
"""

from __future__ import annotations

import math
import time
from collections.abc import Callable, Iterable
from dataclasses import dataclass, field
from pathlib import Path
from typing import TYPE_CHECKING

from hypothesis import HealthCheck, Phase, given, settings
from hypothesis import seed as hypothesis_seed
from hypothesis.database import DirectoryBasedExampleDatabase
from hypothesis.errors import Flaky

from paychaos.runner import RunResult, run_scenario
from paychaos.schedule import Scenario

if TYPE_CHECKING:
    from hypothesis.database import ExampleDatabase
    from hypothesis.strategies import SearchStrategy

    from paychaos.environment import Environment

FAULT_STEPS = frozenset(
    {"fault", "process", "failpoint", "race", "overtake", "webhook_policy", "api_fault", "forge"}
)
PROFILES = ("ci", "chaos")


class _BudgetSpent(BaseException):
    """Raised inside the property when the time budget is spent. Not an ``Exception``, so
    Hypothesis lets it through at once instead of taking it for a failure to shrink."""


@dataclass
class ExploreStats:
    """Live counters, shown on the progress bar."""

    examples: int = 0
    faults: int = 0
    distinct: set[tuple[str, ...]] = field(default_factory=set)
    started: float = field(default_factory=time.monotonic)

    @property
    def elapsed(self) -> float:
        return time.monotonic() - self.started


@dataclass(frozen=True)
class Finding:
    """The minimal failing schedule Hypothesis shrank to, and its run."""

    scenario: Scenario
    result: RunResult


@dataclass(frozen=True)
class ExploreOutcome:
    """What exploration found. ``flaky``: the failure did not reproduce on a rerun of the same
    schedule, so the app's behaviour depends on more than the schedule (timing, state kept
    across runs); the finding is then the last failing run, not a shrunk one."""

    variant: str
    seed: int
    stats: ExploreStats
    finding: Finding | None
    flaky: bool = False


def explore(
    env: Environment | None,
    schedules: SearchStrategy[Scenario],
    *,
    seed: int = 0,
    max_examples: int = 100,
    budget_seconds: float | None = None,
    profile: str = "ci",
    database_dir: Path | None = None,
    on_example: Callable[[ExploreStats], None] | None = None,
    only: Iterable[str] | None = None,
    on_result: Callable[[Scenario, RunResult], None] | None = None,
    run: Callable[[Scenario], RunResult | None] | None = None,
    database: ExampleDatabase | None = None,
) -> ExploreOutcome:
    """Explore the environment's current variant with schedules drawn from ``schedules``; stop
    at the first broken promise (shrunk). ``on_result`` sees every schedule run, shrinking's
    included.

    ``run`` replaces running a schedule in ``env`` (``paychaos.parallel`` hands the schedules
    to worker processes this way); when it returns None the schedule was not run here and
    counts as kept. ``database``: the example database to use instead of the profile's."""
    wanted = tuple(only) if only is not None else None
    if run is None and env is None:
        raise TypeError("explore needs an environment or a run function")

    def run_here(schedule: Scenario) -> RunResult | None:
        assert env is not None
        return run_scenario(env, schedule, seed=seed, only=wanted)

    execute = run if run is not None else run_here

    stats = ExploreStats()
    last_failure: list[Finding] = []
    # Past the budget, generation stops; past twice the budget, shrinking stops too (the
    # best reproduction so far is kept, it is simply less minimal).
    hard_stop = None if budget_seconds is None else budget_seconds * 2

    def run_one(schedule: Scenario) -> None:
        if not last_failure and budget_seconds is not None and stats.elapsed > budget_seconds:
            raise _BudgetSpent  # nothing found in time: stop generating at once
        if hard_stop is not None and stats.elapsed > hard_stop:
            return  # shrinking past its allowance: keep the smallest failure found so far
        result = execute(schedule)
        if result is None:
            return
        stats.examples += 1
        stats.faults += sum(1 for s in schedule.steps if s.do in FAULT_STEPS)
        if not result.kept:
            stats.distinct.add(tuple(result.broken) or ("error",))
        if on_example:
            on_example(stats)
        if on_result:
            on_result(schedule, result)
        if not result.kept:
            last_failure.append(Finding(schedule, result))
            raise AssertionError(f"broken: {', '.join(result.broken)}")

    if database is None:
        database = (
            DirectoryBasedExampleDatabase(str(database_dir))
            if profile == "chaos" and database_dir
            else None
        )
    configured = settings(
        max_examples=max_examples,
        deadline=None,
        database=database,
        derandomize=False,
        suppress_health_check=list(HealthCheck),
        phases=(Phase.explicit, Phase.reuse, Phase.generate, Phase.shrink),
        report_multiple_bugs=False,
        print_blob=False,
    )
    test = hypothesis_seed(seed)(configured(given(schedules)(run_one)))
    flaky = False
    try:
        test()
    except _BudgetSpent:
        pass
    except AssertionError:
        pass
    except Flaky:  # the failure did not happen again on the same schedule
        flaky = True
    finding = last_failure[-1] if last_failure else None
    variant = env.variant if env is not None else ""
    return ExploreOutcome(variant=variant, seed=seed, stats=stats, finding=finding, flaky=flaky)


def parse_budget(text: str) -> tuple[int | None, float | None]:
    """``"60s"`` / ``"2m"`` -> a time budget; ``"200"`` -> an example budget. Zero, negative
    and malformed budgets are a ConfigError (a budget that runs nothing proves nothing)."""
    from paychaos.errors import ConfigError

    raw = text.strip().lower()
    try:
        if raw.endswith("s"):
            examples, seconds = None, float(raw[:-1])
        elif raw.endswith("m"):
            examples, seconds = None, float(raw[:-1]) * 60
        else:
            examples, seconds = int(raw), None
    except ValueError:
        raise ConfigError(
            f"--budget {text!r} is neither a time (60s, 2m) nor a number of examples (200)"
        ) from None
    if seconds == math.inf:
        raise ConfigError(f"--budget {text!r} would never end", hint="give a finite time: 60s, 2m")
    if (seconds is not None and not 0 < seconds < math.inf) or (
        examples is not None and examples <= 0
    ):
        raise ConfigError(
            f"--budget {text!r} would run nothing", hint="give a positive time or count: 60s, 200"
        )
    return examples, seconds
