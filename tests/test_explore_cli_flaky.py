"""What ``paychaos explore`` prints and exits with for a flaky finding: its schedule and
replay command, never "Shrunk counterexample"; exit 4, or 1 with ``--strict-flaky``."""

from __future__ import annotations

import contextlib
import json
from types import SimpleNamespace

import pytest

import paychaos.cli.compose as compose
import paychaos.explore as explore_module
from paychaos.app.traits import AppTraits
from paychaos.cli import main
from paychaos.explore import ExploreOutcome, ExploreStats, Finding
from paychaos.invariants import Violation
from paychaos.runner import RunResult
from paychaos.schedule import Scenario
from paychaos.schedule import step as s
from paychaos.state import FinalState
from paychaos.verdicts import EXIT_BROKEN, EXIT_FLAKY, PromiseVerdict, Verdict

SCHEDULE = Scenario(
    name="generated",
    story="",
    steps=(s.checkout("s1"), s.fault("stripe_api", "down"), s.process("redis", "restart")),
)


def _flaky_outcome(*_args, **_kwargs) -> ExploreOutcome:
    once = RunResult(
        scenario=SCHEDULE, variant="correct", seed=7,
        violations=(Violation("I8", "company 1's browser was never notified"),),
        history=(), state=FinalState(), verdicts=(PromiseVerdict("I8", Verdict.BROKEN),),
    )  # fmt: skip
    stats = ExploreStats(examples=12, flaky=1)
    return ExploreOutcome(
        variant="correct", seed=7, stats=stats, finding=None,
        flaky_findings=(Finding(SCHEDULE, once.as_flaky()),),
    )  # fmt: skip


@pytest.fixture
def no_environment(monkeypatch):
    """The environment and the exploring are stood in for: what is tested is the report."""
    monkeypatch.setenv("COLUMNS", "400")  # no wrapping inside the replay path
    env = SimpleNamespace(
        emulator=SimpleNamespace(control=SimpleNamespace(shadow=dict)),
        app=SimpleNamespace(traits=AppTraits()),
    )
    monkeypatch.setattr(compose, "open_environment", lambda *a, **k: contextlib.nullcontext(env))
    monkeypatch.setattr(explore_module, "explore", _flaky_outcome)


@pytest.mark.parametrize("strict", [False, True])
def test_a_flaky_finding_is_printed_with_its_schedule_and_replay_and_exits_4(
    no_environment, tmp_path, capsys, strict
):
    # One worker: the stand-in environment is this process's.
    args = ["explore", "--workers", "1", "--budget", "12", "--seed", "7", "--out", str(tmp_path),
            "--json", str(tmp_path / "e.json")]  # fmt: skip
    code = main([*args, "--strict-flaky"] if strict else args)
    out = " ".join(capsys.readouterr().out.split())
    assert code == (EXIT_BROKEN if strict else EXIT_FLAKY), out
    assert "Flaky finding 1" in out and "not shrunk" in out
    assert "Shrunk counterexample" not in out
    assert "process(target=redis, action=restart)" in out
    replay = tmp_path / "replay-correct-seed7-flaky1.json"
    assert f"paychaos replay {replay}" in out
    written = json.loads(replay.read_text())
    assert [f["invariant"] for f in written["found"]] == ["I8"]
    found = json.loads((tmp_path / "e.json").read_text())
    assert found["exit_code"] == EXIT_FLAKY and found["finding"] is None
    assert found["flaky_findings"][0]["replay"] == f"paychaos replay {replay}"
