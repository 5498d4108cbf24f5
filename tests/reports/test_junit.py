"""``--junit``: a file JUnit parsers read, valid against the schema CI tools accept, with a
failure per broken promise that carries the evidence and the replay command."""

from __future__ import annotations

from dataclasses import dataclass, field
from pathlib import Path

import junitparser
import xmlschema

from paychaos.report_junit import Case, Failure, Suite, run_case, write_junit
from paychaos.runner import RunResult
from paychaos.schedule import Scenario
from paychaos.state import FinalState
from tests.reports.conftest import SCENARIO, VARIANT, Reports

SCHEMA = xmlschema.XMLSchema(Path(__file__).with_name("junit-10.xsd"))


def test_a_failing_run_is_one_case_with_a_failure_per_broken_promise(failing_run_reports: Reports):
    SCHEMA.validate(str(failing_run_reports.junit))
    xml = junitparser.JUnitXml.fromfile(str(failing_run_reports.junit))
    suites = list(xml)
    assert [s.name for s in suites] == ["paychaos run"]
    (case,) = list(suites[0])
    assert case.name == SCENARIO
    assert case.classname == f"paychaos.{VARIANT}"
    failures = [r for r in case.result if isinstance(r, junitparser.Failure)]
    assert [f.type for f in failures] == ["I1", "I3", "I4", "I5"]
    replay = f"paychaos run {SCENARIO} --variant {VARIANT} --seed 0"
    for failure in failures:
        assert f"replay: {replay}" in failure.text
        assert failure.message.startswith(failure.type + " ")
    (told_failed,) = [f for f in failures if f.type == "I4"]
    # The evidence: the validate call that told the paying customer "failed", by its index.
    assert "fail validate" in told_failed.text and '"told": "failed"' in told_failed.text
    assert suites[0].tests == 1 and suites[0].failures == 1 and suites[0].skipped == 0


@dataclass(frozen=True)
class _ResultWithVerdicts(RunResult):
    """A run carrying per-promise verdicts, as runs will once the verdict vocabulary lands."""

    verdicts: dict[str, str] = field(default_factory=dict)


def _result(verdicts: dict[str, str]) -> RunResult:
    scenario = Scenario(name="quiet", story="nothing happens", steps=())
    return _ResultWithVerdicts(
        scenario=scenario,
        variant="correct",
        seed=0,
        violations=(),
        history=(),
        state=FinalState(),
        timings={"total": 0.25},
        verdicts=verdicts,
    )


def test_a_run_that_exercised_no_promise_is_skipped_with_the_reason(tmp_path: Path):
    quiet = run_case(_result({"I1": "not exercised", "I6": "n/a"}), None)
    some = run_case(_result({"I1": "kept", "I6": "not exercised"}), "paychaos run q", name="some")
    flaky = run_case(_result({"I1": "flaky", "I2": "kept"}), None, name="flaky")
    path = tmp_path / "v.xml"
    write_junit([Suite("verdicts", [quiet, some, flaky])], path)
    SCHEMA.validate(str(path))
    suite = next(iter(junitparser.JUnitXml.fromfile(str(path))))
    cases = {c.name: c for c in suite}
    (skip,) = cases["quiet"].result
    assert isinstance(skip, junitparser.Skipped)
    assert skip.message == "no promise was exercised: I1, I6"
    # A kept promise beside an unexercised one: the case passes and says what was not exercised.
    assert cases["quiet"].is_skipped and not cases["some"].result
    assert "not exercised: I6" in (cases["some"].system_out or "")
    (broken,) = cases["flaky"].result
    assert isinstance(broken, junitparser.Failure) and broken.type == "flaky"
    assert (suite.tests, suite.failures, suite.skipped) == (3, 1, 1)


def test_text_an_app_returned_cannot_break_the_file(tmp_path: Path):
    # An error message from the app under test may hold control characters XML cannot carry.
    case = Case("odd", "paychaos.correct", failures=(Failure("bad \x00 byte", "I4", "a\x1bb <&>"),))
    path = tmp_path / "odd.xml"
    write_junit([Suite("odd", [case])], path)
    SCHEMA.validate(str(path))
    (failure,) = next(iter(next(iter(junitparser.JUnitXml.fromfile(str(path)))))).result
    assert failure.message == "bad ? byte" and failure.text == "a?b <&>"
