"""Property-based exploration: generate schedules, run each, shrink the first failure to its core.

The property is the product's promise: for every schedule, the app keeps
I1-I8. Hypothesis generates schedules from the strategy the caller hands in
(``paychaos.strategies.schedules`` builds the usual one), and when one breaks a promise it shrinks the schedule itself, step by step,
to a minimal reproduction that is written as a replay file.

A failure counts only when a rerun of the same schedule breaks a promise again
(``paychaos.runner.confirm``): one that does not is a flaky finding, kept with its
schedule to show, never handed to Hypothesis as a failure (so never shrunk as a
violation), and exploration goes on.
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

from paychaos.errors import ServiceError
from paychaos.runner import RunResult, confirm, run_scenario
from paychaos.schedule import Scenario

if TYPE_CHECKING:
    from hypothesis.database import ExampleDatabase
    from hypothesis.strategies import SearchStrategy

    from paychaos.environment import Environment

FAULT_STEPS = frozenset(
    {"fault", "process", "failpoint", "race", "overtake", "webhook_policy", "api_fault", "forge"}
)
PROFILES = ("ci", "chaos")
# How many flaky findings an outcome keeps whole (each holds its run's history); all are counted.
FLAKY_KEPT = 10


class _BudgetSpent(BaseException):
    """Raised inside the property when the time budget is spent. Not an ``Exception``, so
    Hypothesis lets it through at once instead of taking it for a failure to shrink."""


class _EnvironmentGone(BaseException):
    """Carries the harness's own environment failure out of Hypothesis at once (as an
    ``Exception`` it would be taken for a failure and shrunk against dead services)."""

    def __init__(self, failure: ServiceError) -> None:
        super().__init__(failure.what)
        self.failure = failure


class _ShrinkSpent(BaseException):
    """Raised when shrinking has had its allowance: the smallest failure so far stands (a
    property that merely returned would pass Hypothesis's final replay, which it then
    reports as flaky)."""


@dataclass
class ExploreStats:
    """Live counters, shown on the progress bar."""

    examples: int = 0
    faults: int = 0
    flaky: int = 0  # failures a rerun of the same schedule did not repeat
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
    """What exploration found.

    ``finding``: a broken promise that a rerun of its schedule broke again, shrunk.
    ``flaky_findings``: failures that did not reproduce on a rerun of the same schedule, so
    the app's behaviour (or the harness's judgement) depended on more than the schedule:
    each is its unshrunk schedule and its first run, re-judged flaky. When a shrunk failure
    does not repeat (Hypothesis's final replay of it passes), the finding is the first
    failure, unshrunk: that one did repeat.
    """

    variant: str
    seed: int
    stats: ExploreStats
    finding: Finding | None
    flaky_findings: tuple[Finding, ...] = ()
    # The harness's own environment failed mid-exploration: what was found before it stands,
    # nothing after it was judged (the command exits 3).
    failure: ServiceError | None = None

    @property
    def flaky(self) -> bool:
        """Only flaky findings: nothing broke reproducibly."""
        return self.finding is None and bool(self.flaky_findings)


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
    included (a failing schedule's rerun is not a schedule of its own).

    ``run`` replaces running a schedule in ``env`` (``paychaos.parallel`` hands the schedules
    to worker processes this way); when it returns None the schedule was not run here and
    counts as kept. Its first failure comes back confirmed already (``paychaos.runner.confirm``:
    broken again, or kept and flaky). ``database``: the example database to use instead of
    the profile's."""
    if run is None and env is None:
        raise TypeError("explore needs an environment or a run function")
    wanted = tuple(only) if only is not None else None

    def run_here(schedule: Scenario) -> RunResult | None:
        assert env is not None
        return run_scenario(env, schedule, seed=seed, only=wanted)

    execute = run if run is not None else run_here
    stats = ExploreStats()
    last_failure: list[Finding] = []
    flaky_findings: list[Finding] = []
    # Past the budget, generation stops; past twice the budget, shrinking stops too (the
    # best reproduction so far is kept, it is simply less minimal).
    hard_stop = None if budget_seconds is None else budget_seconds * 2

    def run_one(schedule: Scenario) -> None:
        try:
            judge_one(schedule)
        except ServiceError as failure:  # EnvironmentFailed, or a server that cannot start
            raise _EnvironmentGone(failure) from failure

    def judge_one(schedule: Scenario) -> None:
        if not last_failure and budget_seconds is not None and stats.elapsed > budget_seconds:
            raise _BudgetSpent  # nothing found in time: stop generating at once
        if last_failure and hard_stop is not None and stats.elapsed > hard_stop:
            raise _ShrinkSpent  # shrinking past its allowance: keep the smallest failure
        result = execute(schedule)
        if result is None:
            return
        if not last_failure:
            # The first failure counts only if it happens again on the same schedule: what
            # does not is flaky, and is not shrunk. While shrinking, each smaller failure is
            # taken as it comes; the last one is replayed at the end (see below). A ``run``
            # of the caller's has rerun its failures itself.
            if not result.kept and run is None:
                assert env is not None
                result = confirm(env, result)
            if result.kept and result.flaky_violations:
                stats.flaky += 1
                if len(flaky_findings) < FLAKY_KEPT:
                    flaky_findings.append(Finding(schedule, result))
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
    # The settings go outside the seed: with the seed outermost, Hypothesis neither reads nor
    # writes the example database (--example-db, --profile chaos kept nothing). The sequence
    # is the seed's either way; examples the database holds are tried first.
    test = configured(hypothesis_seed(seed)(given(schedules)(run_one)))
    finding = None
    failure = None
    try:
        test()
    except _BudgetSpent:
        pass
    except _EnvironmentGone as gone:
        failure = gone.failure
        finding = last_failure[-1] if last_failure else None  # confirmed, if less minimal
    except AssertionError:  # Hypothesis replayed the shrunk failure, and it failed again
        finding = last_failure[-1] if last_failure else None
    except _ShrinkSpent:  # the smallest failure so far ran once: it too must repeat
        assert env is not None
        finding = _repeated(env, last_failure)
    except Flaky:  # the shrunk failure did not happen again when Hypothesis replayed it:
        # the first failure stands, unshrunk (a rerun of its schedule did repeat it)
        finding = last_failure[0] if last_failure else None
    return ExploreOutcome(
        variant=env.variant if env is not None else "",
        seed=seed,
        stats=stats,
        finding=finding,
        flaky_findings=tuple(flaky_findings),
        failure=failure,
    )


def _repeated(env: Environment, failures: list[Finding]) -> Finding | None:
    """The smallest failure if a rerun repeats it, else the first one (already confirmed)."""
    if not failures:
        return None
    last = failures[-1]
    again = confirm(env, last.result)
    return Finding(last.scenario, again) if not again.kept else failures[0]


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
