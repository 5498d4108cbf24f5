"""A failure that does not repeat on a rerun is flaky: the detection run never counts it as a
catch (nor, on correct, as a false alarm), and says it saw it."""

from __future__ import annotations

from hypothesis import strategies as st

import paychaos.explore as explore_module
import paychaos.runner as runner
from paychaos.invariants import Violation
from paychaos.mutants import detect
from paychaos.runner import RunResult
from paychaos.schedule import Scenario
from paychaos.state import FinalState
from paychaos.verdicts import PromiseVerdict, Verdict


class _Env:
    variant = "correct"

    def switch_variant(self, variant: str) -> None:
        self.variant = variant


def test_a_failure_a_rerun_does_not_repeat_is_not_a_catch(monkeypatch, tmp_path):
    scenario = Scenario(name="once", story="Breaks once.", steps=())
    broke_once = RunResult(
        scenario=scenario, variant="mutant:M1", seed=0,
        violations=(Violation("I8", "not notified"),), history=(), state=FinalState(),
        verdicts=(PromiseVerdict("I8", Verdict.BROKEN),),
    )  # fmt: skip
    quiet = Scenario(name="generated", story="Breaks nothing.", steps=())
    kept = RunResult(
        scenario=quiet, variant="mutant:M1", seed=0, violations=(), history=(),
        state=FinalState(), verdicts=(PromiseVerdict("I8", Verdict.KEPT),),
    )  # fmt: skip

    def fake_run(env, s, **kw):
        return broke_once if s is scenario else kept

    # The runner is stood in for (the counting is what is tested), wherever it was imported.
    monkeypatch.setattr(runner, "run_scenario", fake_run)
    monkeypatch.setattr(explore_module, "run_scenario", fake_run)
    monkeypatch.setattr(runner, "confirm", lambda env, result, **kw: result.as_flaky())
    row = detect(_Env(), "M1", [scenario], st.just(quiet), max_examples=1, out_dir=tmp_path)
    assert not row.caught and row.examples == 1, row
    assert row.flaky == ("once (I8)",)
    assert row.to_dict()["flaky"] == ["once (I8)"]


def _result(scenario, broken):
    violations = (Violation("I10", "wrong plan"),) if broken else ()
    verdict = Verdict.BROKEN if broken else Verdict.KEPT
    return RunResult(
        scenario=scenario, variant="mutant:M21", seed=0, violations=violations, history=(),
        state=FinalState(), verdicts=(PromiseVerdict("I10", verdict),),
    )  # fmt: skip


def test_schedules_to_detection_counts_named_then_generated_schedules(monkeypatch, tmp_path):
    quiet = Scenario(name="quiet", story="Breaks nothing.", steps=())
    loud = Scenario(name="loud", story="Breaks I10.", steps=())
    monkeypatch.setattr(runner, "confirm", lambda env, result, **kw: result)
    monkeypatch.setattr(runner, "run_scenario", lambda env, s, **kw: _result(s, s is loud))
    row = detect(_Env(), "M21", [quiet, quiet, loud], st.just(quiet), out_dir=tmp_path)
    assert row.caught and row.by == "loud" and row.schedules_to_detection == 3
    assert row.to_dict()["schedules_to_detection"] == 3

    # Nothing named breaks it; the third generated schedule does (the first two do not).
    generated = [Scenario(name="generated", story=f"g{n}", steps=()) for n in range(3)]
    runs = {"n": 0}

    def run_generated(env, s, **kw):
        if s is quiet:
            return _result(s, False)
        runs["n"] += 1
        return _result(s, runs["n"] >= 3)

    monkeypatch.setattr(runner, "run_scenario", run_generated)
    monkeypatch.setattr(explore_module, "run_scenario", run_generated)
    row = detect(
        _Env(), "M21", [quiet], st.sampled_from(generated), max_examples=10, out_dir=tmp_path
    )
    assert row.caught and row.by == "generated schedule"
    assert row.schedules_to_detection == 1 + 3, row
