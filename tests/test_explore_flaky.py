"""Exploration counts a failure only when a rerun of its schedule repeats it: one that does
not is a flaky finding, kept with its schedule, never shrunk, and exploring goes on."""

from __future__ import annotations

from hypothesis import strategies as st

import paychaos.explore as explore_module
import paychaos.runner as runner
from paychaos.explore import explore
from paychaos.invariants import Violation
from paychaos.runner import RunResult
from paychaos.schedule import Scenario
from paychaos.schedule import step as s
from paychaos.state import FinalState
from paychaos.verdicts import PromiseVerdict, Verdict


class _Env:
    variant = "correct"


def _result(scenario: Scenario, broken: bool) -> RunResult:
    return RunResult(
        scenario=scenario, variant="correct", seed=0,
        violations=(Violation("I8", "not notified"),) if broken else (), history=(),
        state=FinalState(),
        verdicts=(PromiseVerdict("I8", Verdict.BROKEN if broken else Verdict.KEPT),),
    )  # fmt: skip


def _schedules() -> st.SearchStrategy[Scenario]:
    """Schedules of one to four validate steps; the longest ones are the "failing" ones."""
    return st.integers(1, 4).map(
        lambda n: Scenario(name=f"n{n}", story="", steps=tuple(s.validate("s1") for _ in range(n)))
    )


def _runner(monkeypatch, breaks):
    """Stand in for the runner: ``breaks(scenario, nth_run_of_it)`` says whether it breaks."""
    runs: dict[int, int] = {}
    log: list[tuple[int, bool]] = []

    def fake_run(env, scenario, **kw):
        n = len(scenario.steps)
        runs[n] = runs.get(n, 0) + 1
        broke = breaks(n, runs[n])
        log.append((n, broke))
        return _result(scenario, broke)

    monkeypatch.setattr(explore_module, "run_scenario", fake_run)
    monkeypatch.setattr(runner, "run_scenario", fake_run)  # what confirm reruns with
    return log


def test_a_failure_its_rerun_does_not_repeat_is_flaky_not_shrunk_and_exploring_goes_on(
    monkeypatch,
):
    # The 4-step schedule breaks on its first run only (then never again).
    log = _runner(monkeypatch, lambda n, nth: n == 4 and nth == 1)
    outcome = explore(_Env(), _schedules(), seed=1, max_examples=30)
    assert outcome.finding is None
    assert outcome.flaky and outcome.stats.flaky == 1
    (flaky,) = outcome.flaky_findings
    assert len(flaky.scenario.steps) == 4  # its own schedule, not a shrunk one
    assert flaky.result.kept and [v.invariant for v in flaky.result.flaky_violations] == ["I8"]
    assert flaky.result.verdict_of("I8").verdict == Verdict.FLAKY
    # Rerun once, then exploring went on: no shorter schedule was tried as its shrink.
    failing = [i for i, (n, broke) in enumerate(log) if broke]
    assert failing and log[failing[0] + 1] == (4, False)
    assert len(log) > failing[0] + 2


def test_a_failure_that_repeats_is_shrunk_and_counted_broken(monkeypatch):
    # Schedules of three steps or more break every time: the shrunk core has three.
    _runner(monkeypatch, lambda n, nth: n >= 3)
    outcome = explore(_Env(), _schedules(), seed=1, max_examples=30)
    assert not outcome.flaky and outcome.stats.flaky == 0
    assert outcome.finding is not None and outcome.finding.result.broken == ["I8"]
    assert len(outcome.finding.scenario.steps) == 3


def test_a_shrunk_failure_that_does_not_repeat_leaves_the_first_failure_standing_unshrunk(
    monkeypatch,
):
    # Four steps always break. Once they have, three steps break exactly once: the shrink
    # to three is taken, and Hypothesis's final replay of it passes.
    state = {"four_broke": False, "three_broke": False}

    def breaks(n: int, nth: int) -> bool:
        if n == 4:
            state["four_broke"] = True
            return True
        if n == 3 and state["four_broke"] and not state["three_broke"]:
            state["three_broke"] = True
            return True
        return False

    _runner(monkeypatch, breaks)
    outcome = explore(_Env(), _schedules(), seed=1, max_examples=30)
    assert state["three_broke"], "the shrink never tried three steps"
    assert outcome.finding is not None and len(outcome.finding.scenario.steps) == 4
    assert outcome.finding.result.broken == ["I8"] and not outcome.flaky


def test_an_example_database_keeps_the_shrunk_failure_and_a_later_run_tries_it_first(
    monkeypatch, tmp_path
):
    """``--example-db`` / ``--profile chaos``: the failure found is saved, and the next
    exploration with the same database starts from it (the seed made Hypothesis skip the
    database entirely, so a shared one never held anything)."""
    from hypothesis.database import DirectoryBasedExampleDatabase

    log = _runner(monkeypatch, lambda n, nth: n >= 3)
    db = DirectoryBasedExampleDatabase(str(tmp_path / "examples"))
    first = explore(_Env(), _schedules(), seed=1, max_examples=30, database=db)
    assert first.finding is not None and len(first.finding.scenario.steps) == 3
    assert any((tmp_path / "examples").rglob("*")), "nothing was saved"
    log.clear()
    again = explore(_Env(), _schedules(), seed=2, max_examples=30, database=db)
    assert again.finding is not None
    assert log[0] == (3, True)  # the saved failure, before any new schedule


def test_a_promise_only_the_rerun_broke_is_flaky_not_kept(monkeypatch):
    # The first run broke I4 and kept I1; the rerun of the same schedule broke I1 and I4
    # (a slow machine made the first run differ). I4 broke twice: broken. I1 broke once in
    # two runs: flaky, with the rerun's evidence; never "kept".
    def fake_run(env, scenario, **kw):
        return RunResult(
            scenario=scenario, variant="correct", seed=0,
            violations=(Violation("I1", "two subscriptions"), Violation("I4", "told failed")),
            history=(), state=FinalState(),
            verdicts=(PromiseVerdict("I1", Verdict.BROKEN), PromiseVerdict("I4", Verdict.BROKEN)),
        )  # fmt: skip

    monkeypatch.setattr(runner, "run_scenario", fake_run)
    scenario = Scenario(name="x", story="", steps=(s.validate("s1"),))
    first = RunResult(
        scenario=scenario, variant="correct", seed=0,
        violations=(Violation("I4", "told failed"),), history=(), state=FinalState(),
        verdicts=(
            PromiseVerdict("I1", Verdict.KEPT),
            PromiseVerdict("I4", Verdict.BROKEN),
            PromiseVerdict("I9", Verdict.KEPT),
        ),
    )  # fmt: skip
    judged = runner.confirm(_Env(), first)
    assert judged.broken == ["I4"]
    assert judged.verdict_of("I1").verdict == Verdict.FLAKY
    assert judged.verdict_of("I9").verdict == Verdict.KEPT  # kept both times
    assert [v.invariant for v in judged.flaky_violations] == ["I1"]
    assert judged.outcome == Verdict.BROKEN
