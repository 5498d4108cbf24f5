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
    """Each run's verdicts, as the JSON report gives them."""
    runs = json.loads(path.read_text())["runs"]
    return {
        (r["scenario"], r["variant"]): {v["invariant"]: v["verdict"] for v in r["verdicts"]}
        for r in runs
    }


def _differences(
    model: dict[tuple[str, str], dict[str, str]], browser: dict[tuple[str, str], dict[str, str]]
) -> tuple[list[str], int]:
    """The cells where the two modes disagree, and how many were compared.

    A flaky cell (broken in one of two runs of the same schedule) is compared with nothing:
    whether a seed's double fulfilment on a triple delivery repeats is its own unforced race,
    and on a busy machine the app's short Redis timeout can fire in one of the two runs. What
    the browser changes would repeat on the rerun, and be broken, not flaky."""
    differ, compared = [], 0
    for key in sorted(set(model) | set(browser)):
        left, right = model.get(key, {}), browser.get(key, {})
        for inv in sorted(set(left) | set(right)):
            a, b = left.get(inv), right.get(inv)
            if "flaky" in (a, b):
                continue
            compared += 1
            if a != b:
                differ.append(
                    f"{key[0]} on {key[1]}: {inv} is {a} in the model, {b} with --browser"
                )
    return differ, compared


def _validates(folder: Path) -> list[dict]:
    found = []
    for history in sorted(folder.glob("*.jsonl")):
        for line in history.read_text().splitlines():
            event = json.loads(line)
            if event["name"] == "validate" and event["type"] != "invoke":
                found.append(event["value"])
    return found


def test_the_comparison_leaves_out_flaky_cells_and_finds_every_other_difference():
    model = {("x", "v"): {"I1": "broken", "I4": "kept", "I8": "kept"}}
    browser = {("x", "v"): {"I1": "flaky", "I4": "broken", "I8": "kept"}}
    differ, compared = _differences(model, browser)
    assert compared == 2
    assert differ == ["x on v: I4 is kept in the model, broken with --browser"]


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
    assert len(outcomes["model"]) == len(outcomes["browser"]) == len(SCENARIOS) * 2
    differ, compared = _differences(outcomes["model"], outcomes["browser"])
    assert not differ, differ
    cells = sum(len(v) for v in outcomes["model"].values())
    assert compared >= cells * 3 // 4  # flaky cells are the exception, never the comparison
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
