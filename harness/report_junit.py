"""JUnit XML: what a CI system shows as test results.

One ``<testcase>`` per run (scenario x variant), per generated schedule (``explore``) or per
mutant (``mutants``); a ``<failure>`` per broken promise with its evidence and the command
that replays it; a ``<skipped>`` when a run exercised none of its promises. The layout is the
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

from paychaos.report import evidence_line

if TYPE_CHECKING:
    from paychaos.mutants import Detection
    from paychaos.runner import RunResult

# A per-promise verdict (``kept``, ``broken``, ``flaky``, ``n/a``, ``not exercised``), as a run
# may carry it in ``verdicts``. Those two mean the run said nothing about the promise.
UNEXERCISED = frozenset({"n/a", "not exercised", "not_exercised", "na"})
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


def promise_verdicts(result: RunResult) -> dict[str, str]:
    """The run's verdict per promise (``{"I1": "kept", "I6": "not exercised"}``), when the run
    carries them (a ``verdicts`` mapping); empty otherwise."""
    raw = getattr(result, "verdicts", None) or {}
    return {str(k): str(getattr(v, "value", v)).lower() for k, v in dict(raw).items()}


def run_case(result: RunResult, replay: str | None, *, name: str | None = None) -> Case:
    """The test case of one run: a failure per broken promise, with evidence and replay."""
    from paychaos.invariants import invariants

    known = invariants()
    failures = []
    for violation in result.violations:
        promise = known.get(violation.invariant)
        lines = [violation.message, ""]
        lines += [f"  {evidence_line(item)}" for item in violation.evidence[:EVIDENCE_LINES]]
        hidden = len(violation.evidence) - EVIDENCE_LINES
        if hidden > 0:
            lines.append(f"  ... {hidden} more in the history")
        lines += ["", f"replay: {replay}" if replay else "replay: (no replay command)"]
        if result.history_path:
            lines.append(f"history: {result.history_path}")
        title = f"{violation.invariant} {promise.title}" if promise else violation.invariant
        failures.append(
            Failure(
                message=f"{title}: {violation.message}",
                type=violation.invariant,
                text="\n".join(lines),
            )
        )
    verdicts = promise_verdicts(result)
    quiet = sorted(i for i, v in verdicts.items() if v in UNEXERCISED)
    flaky = sorted(i for i, v in verdicts.items() if v == "flaky")
    for inv in flaky:
        if inv not in result.broken:
            failures.append(
                Failure(f"{inv}: broken on some runs of this schedule, not on others", "flaky")
            )
    skipped = None
    if verdicts and not failures and len(quiet) == len(verdicts):
        skipped = "no promise was exercised: " + ", ".join(quiet)
    output = [f"seed {result.seed}"]
    if quiet and skipped is None:
        output.append("not exercised: " + ", ".join(quiet))
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


def run_suite(
    name: str,
    results: Sequence[RunResult],
    replay_for: Callable[[RunResult], str | None],
    properties: Mapping[str, Any] | None = None,
) -> Suite:
    """A suite of one case per run."""
    return Suite(
        name,
        [run_case(r, replay_for(r)) for r in results],
        {k: str(v) for k, v in (properties or {}).items()},
    )


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
