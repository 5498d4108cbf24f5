"""``--junit``: a file JUnit parsers read, valid against the schema CI tools accept, with a
failure per broken promise that carries the evidence and the replay command."""

from __future__ import annotations

from pathlib import Path

import junitparser
import xmlschema

from paychaos.invariants import Violation
from paychaos.report_junit import Case, Failure, Suite, coverage_case, run_case, write_junit
from paychaos.runner import RunResult
from paychaos.schedule import Scenario
from paychaos.state import FinalState
from paychaos.verdicts import PromiseVerdict, Verdict
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
    # One failure per violation, in promise order; the incident also mails receipts for each
    # activation Redis rolled back (I9, once per webhook attempt).
    types = [f.type for f in failures]
    assert list(dict.fromkeys(types)) == ["I1", "I3", "I4", "I5", "I9"]
    replay = f"paychaos run {SCENARIO} --variant {VARIANT} --seed 0"
    for failure in failures:
        assert f"replay: {replay}" in failure.text
        assert failure.message.startswith(failure.type + " ")
    (told_failed,) = [f for f in failures if f.type == "I4"]
    # The evidence: the validate call that told the paying customer "failed", by its index.
    assert "fail validate" in told_failed.text and '"told": "failed"' in told_failed.text
    assert suites[0].tests == 1 and suites[0].failures == 1 and suites[0].skipped == 0


def _result(name: str, verdicts: dict[str, Verdict], **extra: object) -> RunResult:
    reasons = {Verdict.NOT_EXERCISED: "no forgery was sent", Verdict.NOT_APPLICABLE: "no I8 here"}
    return RunResult(
        scenario=Scenario(name=name, story="nothing happens", steps=()),
        variant="correct",
        seed=0,
        violations=(),
        history=(),
        state=FinalState(),
        timings={"total": 0.25},
        verdicts=tuple(PromiseVerdict(i, v, reasons.get(v, "")) for i, v in verdicts.items()),
        **extra,  # type: ignore[arg-type]
    )


def test_a_run_that_put_no_promise_to_the_test_is_skipped_with_the_reason(tmp_path: Path):
    quiet = _result("quiet", {"I6": Verdict.NOT_EXERCISED, "I8": Verdict.NOT_APPLICABLE})
    some = _result("some", {"I1": Verdict.KEPT, "I6": Verdict.NOT_EXERCISED})
    stuck = _result("stuck", {"I1": Verdict.KEPT}, unexercised="the customer never checked out")
    answer = {"told": "failed", "app_log": "GET /validate\nredis.ConnectionError: refused"}
    told = Violation("I4", "told failed", ({"note": "validate said failed", "value": answer},))
    flaky = _result("flaky", {"I4": Verdict.FLAKY}, flaky_violations=(told,))
    path = tmp_path / "v.xml"
    cases = [run_case(r, f"paychaos run {r.scenario.name}") for r in (quiet, some, stuck, flaky)]
    write_junit([Suite("verdicts", cases)], path)
    SCHEMA.validate(str(path))
    suite = next(iter(junitparser.JUnitXml.fromfile(str(path))))
    by_name = {c.name: c for c in suite}
    (skip,) = by_name["quiet"].result
    assert isinstance(skip, junitparser.Skipped)
    assert skip.message == (
        "no promise was exercised: I6 not exercised: no forgery was sent; I8 n/a: no I8 here"
    )
    (skip,) = by_name["stuck"].result
    assert skip.message == "not exercised: the customer never checked out"
    # A kept promise beside an unexercised one: the case passes and says what was not tested.
    assert not by_name["some"].result
    assert "I6 not exercised: no forgery was sent" in (by_name["some"].system_out or "")
    (broken,) = by_name["flaky"].result
    assert isinstance(broken, junitparser.Failure) and broken.type == "flaky"
    assert (
        "broken in one of two runs" in broken.text and "replay: paychaos run flaky" in broken.text
    )
    assert "  | redis.ConnectionError: refused" in broken.text  # the app's own words
    assert (suite.tests, suite.failures, suite.skipped) == (4, 1, 2)


def test_text_an_app_returned_cannot_break_the_file(tmp_path: Path):
    # An error message from the app under test may hold control characters XML cannot carry.
    case = Case("odd", "paychaos.correct", failures=(Failure("bad \x00 byte", "I4", "a\x1bb <&>"),))
    path = tmp_path / "odd.xml"
    write_junit([Suite("odd", [case])], path)
    SCHEMA.validate(str(path))
    (failure,) = next(iter(next(iter(junitparser.JUnitXml.fromfile(str(path)))))).result
    assert failure.message == "bad ? byte" and failure.text == "a?b <&>"


def test_a_promise_no_run_put_to_the_test_is_a_skipped_case_of_the_command():
    some = _result("some", {"I1": Verdict.KEPT, "I6": Verdict.NOT_EXERCISED})
    forged = _result("forged", {"I1": Verdict.KEPT, "I6": Verdict.KEPT})
    assert coverage_case([some]).skipped == "not exercised by any run: I6: no forgery was sent"
    assert coverage_case([some, forged]).skipped is None
