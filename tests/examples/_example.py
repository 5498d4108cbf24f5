"""What the example tests share: the example's own venv, one ``paychaos run`` in its folder
(its ``[tool.paychaos]`` applies, its own scenarios included), and the verdict table."""

from __future__ import annotations

import json
import os
import subprocess
import sys
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from tests.paychaos_cli import paychaos

REPO = Path(__file__).resolve().parents[2]
K, B, NA, NX = "kept", "broken", "n/a", "not exercised"
PROMISES = ("I1", "I2", "I3", "I4", "I5", "I6", "I7", "I8", "I9", "I10", "I11")
NOT_USING_REDIS = "the schedule breaks Redis, which this app does not use"
NOT_USING_TASKS = "the schedule breaks the task broker or worker, which this app does not"
NOT_EDITING = "which this app's adapter cannot send (traits.untrusted_client)"
# scenario -> (the run's outcome, I1..I11 in order, why the run exercised nothing when it did not).
Table = dict[str, tuple[str, tuple[str, ...], str | None]]
# A purchase that went well, on an app with no Redis and no task side: what each promise reads.
PLAIN = (K, K, NA, K, K, NX, NX, NA, NA, K, NA)
REDIS_SCENARIOS = (
    "redis-down-during-webhook",
    "redis-down-whole-flow",
    "redis-reset-mid-command",
    "redis-blackholed",
    "redis-restarted-empty",
)
TASK_SCENARIOS = (
    "broker-down-at-dispatch",
    "broker-reset-at-dispatch",
    "broker-blackholed",
    "worker-killed-mid-task",
    "worker-killed-after-effect",
    "worker-started-late",
    "tasks-lost-in-redis-restart",
)


def unexercised_without_redis_or_tasks() -> Table:
    """The rows of an app that uses neither Redis nor a task side: those scenarios touch
    nothing of it, and the purchase left over reads as a plain one."""
    table: Table = {name: (NX, PLAIN, NOT_USING_REDIS) for name in REDIS_SCENARIOS}
    table |= {name: (NX, PLAIN, NOT_USING_TASKS) for name in TASK_SCENARIOS}
    # Its faults are in settings, not steps: nothing but the scenario's subject tells.
    table["task-outlives-visibility-timeout"] = (NX, PLAIN, "the scenario is about the task side")
    return table


def build_venv(name: str) -> Path:
    """The example's own venv (built by its setup.sh; reused while its requirements hold)."""
    venv = REPO / ".venv-examples" / name
    subprocess.run(
        ["bash", str(REPO / "examples" / name / "setup.sh"), str(venv)],
        check=True,
        capture_output=True,
        text=True,
        timeout=600,
        env={**os.environ, "PYTHON": os.environ.get("PYTHON", "python3")},
    )
    return venv


@dataclass
class ExampleRun:
    returncode: int
    output: str
    runs: dict[str, dict[str, Any]]  # scenario name -> its run in the JSON report


def run_example(name: str, tmp_path: Path) -> ExampleRun:
    """``paychaos run --json`` from the example's folder, as its README says to."""
    results = tmp_path / "results.json"
    env = {"COLUMNS": "200", "PATH": f"{Path(sys.executable).parent}:/usr/bin:/bin"}
    done = paychaos(
        "run", "--json", str(results), "--out", str(tmp_path / "histories"),
        cwd=REPO / "examples" / name, env=env, timeout=840,
    )  # fmt: skip
    output = done.stdout[-3000:] + done.stderr[-3000:]
    assert results.exists(), output
    report = json.loads(results.read_text())
    return ExampleRun(done.returncode, output, {run["scenario"]: run for run in report["runs"]})


def check_example(name: str, expected: Table, returncode: int, tmp_path: Path) -> ExampleRun:
    """Runs the example and holds its exit code and every verdict to the documented ones."""
    done = run_example(name, tmp_path)
    assert done.returncode == returncode, done.output
    assert_table(done.runs, expected)
    return done


def assert_table(runs: dict[str, dict[str, Any]], expected: Table) -> None:
    """Every run's outcome and verdicts are the documented ones, and nothing is flaky."""
    assert set(runs) == set(expected), "a scenario was added: document its verdict"
    seen = {
        name: (
            run["outcome"],
            tuple(
                v["verdict"] for v in sorted(run["verdicts"], key=lambda v: int(v["invariant"][1:]))
            ),
        )
        for name, run in runs.items()
    }
    assert seen == {name: (outcome, verdicts) for name, (outcome, verdicts, _) in expected.items()}
    for name, (_outcome, _verdicts, why) in expected.items():
        if why is not None:
            assert why in (runs[name]["unexercised"] or ""), (name, runs[name]["unexercised"])
    assert not any(run["flaky_violations"] for run in runs.values())
    assert all(tuple(v["invariant"] for v in r["verdicts"]) == PROMISES for r in runs.values())


def webhook_endpoint(name: str, monkeypatch: Any) -> dict[str, Any]:
    """The one webhook endpoint the example's adapter registers in the emulator at start."""
    from paychaos.app.config import find_config, load_adapter
    from paychaos.environment import Environment, EnvironmentOptions

    monkeypatch.delenv("PAYCHAOS_APP", raising=False)
    adapter = load_adapter(find_config(start=REPO / "examples" / name))
    with Environment(EnvironmentOptions(), adapter=adapter) as env:
        (endpoint,) = env.stripe.list_all("/v1/webhook_endpoints")
        # A forgery claims the version the app's genuine events come in.
        assert env.webhook_api_version == endpoint["api_version"]
    return dict(endpoint)
