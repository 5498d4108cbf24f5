"""JUnit XML: what a CI system shows as test results.

One ``<testcase>`` per run (scenario x variant), per generated schedule (``explore``) or per
mutant (``mutants``); a ``<failure>`` per broken (or flaky) promise with its evidence and the
command that replays it; a ``<skipped>`` when a run put no promise to the test. The layout is the
one CI tools read (Jenkins' and Ant's ``junit-10`` schema; ``tests/reports/junit-10.xsd``
checks it): ``<testsuites>`` > ``<testsuite>`` > ``<testcase>``.

>>> suite = Suite("paychaos run", [Case("redis-down", "paychaos.seed_original", 1.5)])
>>> write_junit([suite], Path("r.xml"))      # doctest: +SKIP
"""

from __future__ import annotations

import socket
import xml.etree.ElementTree as ET
from collections.abc import Callable, Iterable, Mapping, Sequence
from dataclasses import dataclass, field
from datetime import UTC, datetime
from pathlib import Path
from typing import TYPE_CHECKING, Any

from paychaos.invariants import Violation
from paychaos.report import app_log_tail, evidence_line
from paychaos.verdicts import PromiseVerdict, Verdict

if TYPE_CHECKING:
    from paychaos.mutants import Detection
    from paychaos.runner import RunResult

# The verdicts that say a run put the promise to no test.
UNEXERCISED = frozenset({Verdict.NOT_APPLICABLE, Verdict.NOT_EXERCISED})
# Shown in a failure's text at most; the rest is in the history file.
EVIDENCE_LINES = 10


@dataclass(frozen=True)
class Failure:
    """A broken promise: ``message`` is its one line, ``text`` the evidence and the replay."""

    message: str
    type: str
    text: str = ""


@dataclass(frozen=True)
class Case:
    """One test case: passed unless it has failures or a skip reason."""

    name: str
    classname: str
    seconds: float = 0.0
    failures: tuple[Failure, ...] = ()
    skipped: str | None = None
    output: str = ""


@dataclass(frozen=True)
class Suite:
    """One command's test cases, with the facts that explain them (seed, variant, budget)."""

    name: str
    cases: Sequence[Case]
    properties: Mapping[str, str] = field(default_factory=dict)


def write_junit(suites: Sequence[Suite], path: Path) -> None:
    """Write ``suites`` as one JUnit XML file (the folder is made if missing)."""
    root = ET.Element("testsuites", name="paychaos")
    totals = {"tests": 0, "failures": 0, "errors": 0, "skipped": 0}
    seconds = 0.0
    stamp = datetime.now(UTC).replace(tzinfo=None, microsecond=0).isoformat()
    for number, suite in enumerate(suites):
        counts = _counts(suite.cases)
        for key, value in counts.items():
            totals[key] += value
        suite_seconds = sum(c.seconds for c in suite.cases)
        seconds += suite_seconds
        element = ET.SubElement(
            root,
            "testsuite",
            name=suite.name,
            tests=str(counts["tests"]),
            failures=str(counts["failures"]),
            errors="0",
            skipped=str(counts["skipped"]),
            time=_seconds(suite_seconds),
            timestamp=stamp,
            hostname=socket.gethostname() or "localhost",
            id=str(number),
            package="paychaos",
        )
        if suite.properties:
            props = ET.SubElement(element, "properties")
            for prop, text in suite.properties.items():
                ET.SubElement(props, "property", name=prop, value=str(text))
        for case in suite.cases:
            _case_element(element, case)
    for key, count in totals.items():
        root.set(key, str(count))
    root.set("time", _seconds(seconds))
    ET.indent(root)
    path.parent.mkdir(parents=True, exist_ok=True)
    ET.ElementTree(root).write(path, encoding="utf-8", xml_declaration=True)


def _case_element(parent: ET.Element, case: Case) -> None:
    element = ET.SubElement(
        parent, "testcase", name=case.name, classname=case.classname, time=_seconds(case.seconds)
    )
    if case.skipped is not None and not case.failures:
        ET.SubElement(element, "skipped", message=_clean(case.skipped))
    for failure in case.failures:
        node = ET.SubElement(
            element, "failure", message=_clean(failure.message), type=_clean(failure.type)
        )
        node.text = _clean(failure.text)
    if case.output:
        ET.SubElement(element, "system-out").text = _clean(case.output)


def _counts(cases: Iterable[Case]) -> dict[str, int]:
    cases = list(cases)
    return {
        "tests": len(cases),
        "failures": sum(1 for c in cases if c.failures),
        "errors": 0,
        "skipped": sum(1 for c in cases if c.skipped is not None and not c.failures),
    }


def _seconds(value: float) -> str:
    return f"{max(value, 0.0):.3f}"


def _clean(text: str) -> str:
    # XML 1.0 has no way to carry most control characters (an app's error text may hold one).
    return "".join(ch if ch in "\t\n\r" or ord(ch) >= 0x20 else "?" for ch in text)


# --- runs -----------------------------------------------------------------------------------


def run_case(result: RunResult, replay: str | None, *, name: str | None = None) -> Case:
    """The test case of one run: a failure per broken promise (``type``: the promise) and per
    flaky one (``type="flaky"``), each with its evidence and the replay command; skipped when
    the run put no promise to the test (the reason from its verdicts)."""
    failures = [_failure(v, result, replay, flaky=False) for v in result.violations]
    failures += [_failure(v, result, replay, flaky=True) for v in result.flaky_violations]
    quiet = [v for v in result.verdicts if v.verdict in UNEXERCISED]
    skipped = None
    if not failures and result.unexercised:
        skipped = f"not exercised: {result.unexercised}"
    elif not failures and result.verdicts and len(quiet) == len(result.verdicts):
        skipped = "no promise was exercised: " + "; ".join(_verdict_line(v) for v in quiet)
    output = [f"seed {result.seed}", *(_verdict_line(v) for v in result.verdicts)]
    if replay:
        output.append(f"replay: {replay}")
    return Case(
        name=name or result.scenario.name,
        classname=f"paychaos.{result.variant}",
        seconds=result.timings.get("total", 0.0),
        failures=tuple(failures),
        skipped=skipped,
        output="\n".join(output),
    )


def _failure(
    violation: Violation, result: RunResult, replay: str | None, *, flaky: bool
) -> Failure:
    from paychaos.invariants import invariants

    promise = invariants().get(violation.invariant)
    title = f"{violation.invariant} {promise.title}" if promise else violation.invariant
    lines = [violation.message, ""]
    if flaky:
        lines = [
            f"flaky: broken in one of two runs of the same schedule. {violation.message}",
            "",
        ]
    lines += [f"  {evidence_line(item)}" for item in violation.evidence[:EVIDENCE_LINES]]
    hidden = len(violation.evidence) - EVIDENCE_LINES
    if hidden > 0:
        lines.append(f"  ... {hidden} more in the history")
    log = app_log_tail(violation)
    if log:
        lines += ["", "app log:", *(f"  | {line}" for line in log)]
    lines += ["", f"replay: {replay}" if replay else "replay: (no replay command)"]
    if result.history_path:
        lines.append(f"history: {result.history_path}")
    return Failure(
        message=f"{title}{' (flaky)' if flaky else ''}: {violation.message}",
        type="flaky" if flaky else violation.invariant,
        text="\n".join(lines),
    )


def _verdict_line(verdict: PromiseVerdict) -> str:
    return f"{verdict.invariant} {verdict.verdict}" + (
        f": {verdict.reason}" if verdict.reason else ""
    )


def coverage_case(results: Sequence[RunResult]) -> Case:
    """Whether every promise was put to the test by some run of the command: skipped, with
    the promises and why, when one was not (the command then exits 5)."""
    from paychaos.runner import command_verdict

    missing = command_verdict(results, coverage=True).unexercised_promises
    reason = "; ".join(f"{inv}: {why}" for inv, why in missing.items())
    return Case(
        name="every promise put to the test",
        classname="paychaos.coverage",
        skipped=f"not exercised by any run: {reason}" if missing else None,
    )


def run_suite(
    name: str,
    results: Sequence[RunResult],
    replay_for: Callable[[RunResult], str | None],
    properties: Mapping[str, Any] | None = None,
    *,
    coverage: bool = False,
) -> Suite:
    """A suite of one case per run, and with ``coverage`` one more for the promises no run
    exercised (a whole matrix is judged on that too)."""
    cases = [run_case(r, replay_for(r)) for r in results]
    if coverage:
        cases.append(coverage_case(results))
    return Suite(name, cases, {k: str(v) for k, v in (properties or {}).items()})


# --- mutants --------------------------------------------------------------------------------


def detection_case(row: Detection) -> Case:
    """A mutant passes when caught; ``correct`` passes when nothing was found."""
    failures: tuple[Failure, ...] = ()
    if not row.ok and row.is_correct:
        failures = (
            Failure(
                f"false alarm: correct broke {' '.join(row.invariants)} ({row.by})",
                "false-alarm",
                f"found by: {row.by}\nreplay: {row.replay}",
            ),
        )
    elif not row.ok:
        failures = (
            Failure(
                f"mutant {row.target} was not caught",
                "not-caught",
                f"{row.scenarios_run} scenarios and {row.examples} generated schedules "
                f"broke no promise in {row.elapsed:.1f}s",
            ),
        )
    output = (
        f"caught by {row.by} ({' '.join(row.invariants)}); replay: {row.replay}"
        if row.caught
        else f"{row.scenarios_run} scenarios, {row.examples} generated schedules"
    )
    return Case(
        name=row.target,
        classname="paychaos.mutants",
        seconds=row.elapsed,
        failures=failures,
        output=output,
    )
