"""``paychaos run --browser`` and ``paychaos demo --browser``: the commands a person runs."""

from __future__ import annotations

import json
import os
import subprocess
import sys
from pathlib import Path

import pytest

from tests.paychaos_cli import PLAIN_ENV, paychaos

# A representative subset of the catalog (the whole of it on correct costs ~50 s with the
# browser against ~17 s without): a webhook outage with the page failing the customer on
# seed_original, a forced race of webhook and validate, an asynchronous payment, an expired
# session the page reports failed, and a duplicate delivery. Not app-crash-before-ack: on the
# seeds its I8 cell differs from run to run in either mode (an unforced race, see README).
SCENARIOS = (
    "redis-down-during-webhook",
    "webhook-and-validate-race",
    "delayed-payment-fails",
    "session-expired-unpaid",
    "webhook-delivered-three-times",
)
VARIANTS = "correct,seed_original"


def _verdicts(path: Path) -> dict[tuple[str, str], dict[str, str]]:
    """Each run's verdicts; flaky read as broken: whether a seed's double fulfilment on a
    triple delivery repeats on the rerun is its own race (unforced), not the browser's doing."""
    runs = json.loads(path.read_text())["runs"]
    return {
        (r["scenario"], r["variant"]): {
            v["invariant"]: "broken" if v["verdict"] == "flaky" else v["verdict"]
            for v in r["verdicts"]
        }
        for r in runs
    }


def _validates(folder: Path) -> list[dict]:
    found = []
    for history in sorted(folder.glob("*.jsonl")):
        for line in history.read_text().splitlines():
            event = json.loads(line)
            if event["name"] == "validate" and event["type"] != "invoke":
                found.append(event["value"])
    return found


@pytest.mark.timeout(900)
def test_run_with_the_browser_gives_the_verdicts_of_the_model(browser_installed, tmp_path):
    outcomes = {}
    for mode, extra in (("model", ()), ("browser", ("--browser",))):
        out = paychaos(
            "run", *SCENARIOS, "--variant", VARIANTS, *extra, "--json", f"{mode}.json",
            "--out", f"{mode}/histories", cwd=tmp_path, timeout=800,
        )  # fmt: skip
        assert out.returncode == 1, out.stdout + out.stderr  # seed_original breaks promises
        assert "Traceback" not in out.stderr, out.stderr
        outcomes[mode] = _verdicts(tmp_path / f"{mode}.json")
    assert len(outcomes["model"]) == len(SCENARIOS) * 2
    assert outcomes["browser"] == outcomes["model"]
    shown = _validates(tmp_path / "browser" / "histories")
    assert shown and all(v["browser"] and v.get("page_text") for v in shown)
    assert {v["told"] for v in shown} == {"success", "failed", "pending"}
    assert not any(v.get("browser") for v in _validates(tmp_path / "model" / "histories"))


@pytest.mark.timeout(300)
def test_demo_tells_what_the_page_showed_in_the_browser(browser_installed, tmp_path):
    out = paychaos("demo", "--browser", cwd=tmp_path, timeout=240)
    assert out.returncode == 0, out.stdout + out.stderr
    assert 'in the browser asked validate (200) and showed: "Payment successful"' in out.stdout


def test_run_browser_without_playwright_says_what_to_install(tmp_path):
    """Bad setup is a clear error (exit 2), not a stack trace, before anything starts."""
    code = (
        "import sys; sys.modules['playwright'] = None; "
        "sys.argv = ['paychaos', 'run', '--browser', 'webhook-dropped']; "
        "from paychaos.cli import main; sys.exit(main())"
    )
    out = subprocess.run(
        [sys.executable, "-c", code], capture_output=True, text=True, cwd=tmp_path,
        env={**PLAIN_ENV, "HOME": os.environ.get("HOME", "/tmp")}, timeout=120, check=False,
    )  # fmt: skip
    assert out.returncode == 2, out.stdout + out.stderr
    text = out.stdout + out.stderr
    assert "pip install playwright" in text and "apt-get install chromium" in text, text
    assert "Traceback" not in text, text
