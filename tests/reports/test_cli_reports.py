"""``explore``, ``replay`` and ``mutants`` write the same two reports as ``run``."""

from __future__ import annotations

from pathlib import Path

import junitparser
import pytest
import xmlschema

from paychaos.mutants import Detection
from paychaos.report_junit import Suite, detection_case, write_junit
from tests.paychaos_cli import paychaos

SCHEMA = xmlschema.XMLSchema(Path(__file__).with_name("junit-10.xsd"))


def _cases(path: Path) -> list[junitparser.TestCase]:
    SCHEMA.validate(str(path))
    return [case for suite in junitparser.JUnitXml.fromfile(str(path)) for case in suite]


def _failures(case: junitparser.TestCase) -> list[junitparser.Failure]:
    return [r for r in case.result if isinstance(r, junitparser.Failure)]


@pytest.mark.timeout(600)  # bounded by its 20 schedules; the backstop only catches a hang
def test_explore_and_replay_write_junit_and_html(tmp_path: Path):
    # seed_original breaks a promise within a few generated schedules; 20 is the bound.
    found = paychaos(
        "explore", "--variant", "seed_original", "--budget", "20", "--junit", "e.xml",
        "--html", "e.html", cwd=tmp_path, timeout=540,
    )  # fmt: skip
    assert found.returncode == 1, found.stdout + found.stderr
    cases = _cases(tmp_path / "e.xml")
    *passed, shrunk = cases
    assert shrunk.name.startswith("shrunk counterexample (")
    (replay_file,) = (tmp_path / "paychaos-results").glob("replay-seed_original-*.json")
    command = f"paychaos replay paychaos-results/{replay_file.name}"
    assert _failures(shrunk) and all(command in f.text for f in _failures(shrunk))
    assert not any(_failures(c) for c in passed)  # schedules that kept their promises pass
    page = (tmp_path / "e.html").read_text(encoding="utf-8")
    assert command in page and 'class="timeline-data"' in page
    assert (tmp_path / "paychaos-results" / "report-explore.html").read_text() == page

    again = paychaos(
        "replay", f"paychaos-results/{replay_file.name}", "--junit", "rp.xml", cwd=tmp_path
    )
    assert again.returncode == 1, again.stdout + again.stderr
    (case,) = _cases(tmp_path / "rp.xml")
    assert {f.type for f in _failures(case)} == {f.type for f in _failures(shrunk)}
    assert (tmp_path / "paychaos-results" / "report-replay.html").exists()


def _row(target: str, *, caught: bool) -> Detection:
    return Detection(
        target=target,
        variant="correct" if target == "correct" else f"mutant:{target}",
        caught=caught,
        by="redis-down-during-webhook" if caught else None,
        invariants=("I5",) if caught else (),
        seconds=1.0 if caught else None,
        shrunk_length=7 if caught else None,
        replay="paychaos run redis-down-during-webhook --variant mutant:M1" if caught else None,
        elapsed=2.0,
        scenarios_run=3,
        examples=40,
    )


def test_mutants_pass_when_caught_and_correct_passes_when_clean(tmp_path: Path):
    rows = [
        _row("M1", caught=True),
        _row("M2", caught=False),
        _row("correct", caught=False),
        _row("correct", caught=True),
    ]
    path = tmp_path / "m.xml"
    write_junit([Suite("paychaos mutants", [detection_case(r) for r in rows])], path)
    verdicts = [
        (c.name, [f.type for f in _failures(c)]) for c in _cases(path)
    ]  # fmt: skip
    assert verdicts == [
        ("M1", []),
        ("M2", ["not-caught"]),
        ("correct", []),
        ("correct", ["false-alarm"]),
    ]
