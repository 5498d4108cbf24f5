"""paychaos on a published app, run as its authors ship it: dj-stripe 2.10.4.

Builds the example's venv once (cached in .venv-examples/, rebuilt when its requirements
change), runs ``paychaos run`` in the example's folder (so its ``[tool.paychaos]`` applies)
and holds every verdict to the table in examples/dj_stripe/README.md: a false alarm or a lost
detection fails here.
"""

from __future__ import annotations

import json
import os
import subprocess
import sys
from pathlib import Path

import pytest

from tests.paychaos_cli import paychaos

REPO = Path(__file__).resolve().parents[2]
EXAMPLE = REPO / "examples" / "dj_stripe"
VENV = REPO / ".venv-examples" / "dj_stripe"

K, B, NA, NX = "kept", "broken", "n/a", "not exercised"
PROMISES = ("I1", "I2", "I3", "I4", "I5", "I6", "I7", "I8")
NOT_USING_REDIS = "the schedule breaks Redis, which this app does not use"
# scenario -> (the run's outcome, I1..I8, why the run exercised nothing when it did not).
EXPECTED: dict[str, tuple[str, tuple[str, ...], str | None]] = {
    "redis-down-during-webhook": (NX, (K, K, NA, K, K, NX, NX, NA), NOT_USING_REDIS),
    "redis-down-whole-flow": (NX, (K, K, NA, K, K, NX, NX, NA), NOT_USING_REDIS),
    "redis-reset-mid-command": (NX, (K, K, NA, K, K, NX, NX, NA), NOT_USING_REDIS),
    "redis-blackholed": (NX, (K, K, NA, K, K, NX, NX, NA), NOT_USING_REDIS),
    "redis-restarted-empty": (NX, (K, K, NA, K, K, NX, NX, NA), NOT_USING_REDIS),
    # The success page syncs the session from Stripe: a lost webhook costs nothing.
    "webhook-dropped": (K, (K, K, NA, K, K, NX, NX, NA), None),
    "webhook-delivered-three-times": (K, (K, K, NA, K, K, NX, NX, NA), None),
    # Two fulfilment paths (webhook, success page), both held at the write, then released.
    "webhook-and-validate-race": (K, (K, K, NA, K, K, NX, NX, NA), None),
    "postgres-blip-during-webhook": (K, (K, K, NA, K, K, NX, NX, NA), None),
    "app-crash-before-ack": (K, (K, K, NA, K, K, NX, NX, NA), None),
    "delayed-payment-succeeds": (K, (K, K, NA, K, K, NX, NX, NA), None),
    "delayed-payment-fails": (K, (NX, K, NA, NX, K, NX, NX, NA), None),
    "forged-webhook": (K, (NX, K, NA, NX, K, K, NX, NA), None),
    "session-expired-unpaid": (K, (NX, K, NA, NX, K, NX, NX, NA), None),
    "db-error-customer-gone": (K, (K, K, NA, NX, K, NX, NX, NA), None),
    # dj-stripe re-reads the subscription from Stripe on every event: no resurrection.
    "late-update-after-cancel": (K, (K, K, NA, K, K, NX, K, NA), None),
}


@pytest.fixture(scope="module")
def example_venv() -> Path:
    """The example's own venv (built by its setup.sh; reused while its requirements hold)."""
    subprocess.run(
        ["bash", str(EXAMPLE / "setup.sh"), str(VENV)],
        check=True,
        capture_output=True,
        text=True,
        timeout=600,
        env={**os.environ, "PYTHON": os.environ.get("PYTHON", "python3")},
    )
    return VENV


@pytest.mark.slow
@pytest.mark.timeout(900)
def test_every_named_scenario_gives_the_documented_verdict(example_venv, tmp_path):
    results = tmp_path / "results.json"
    env = {"COLUMNS": "200", "PATH": f"{Path(sys.executable).parent}:/usr/bin:/bin"}
    done = paychaos(
        "run", "--json", str(results), "--out", str(tmp_path / "histories"),
        cwd=EXAMPLE, env=env, timeout=840,
    )  # fmt: skip
    assert results.exists(), done.stdout[-3000:] + done.stderr[-3000:]
    report = json.loads(results.read_text())
    # 5: nothing broken or flaky, and some runs not exercised (the Redis ones).
    assert done.returncode == 5, done.stdout[-3000:]
    runs = {run["scenario"]: run for run in report["runs"]}
    assert set(runs) == set(EXPECTED), "a named scenario was added: document its verdict"
    seen = {
        name: (
            run["outcome"],
            tuple(v["verdict"] for v in sorted(run["verdicts"], key=lambda v: v["invariant"])),
        )
        for name, run in runs.items()
    }
    assert seen == {name: (outcome, verdicts) for name, (outcome, verdicts, _) in EXPECTED.items()}
    for name, (_outcome, _verdicts, why) in EXPECTED.items():
        if why is not None:
            assert why in (runs[name]["unexercised"] or ""), (name, runs[name]["unexercised"])
    assert not any(run["flaky_violations"] for run in runs.values())
    assert all(tuple(v["invariant"] for v in r["verdicts"]) == PROMISES for r in runs.values())


@pytest.mark.slow
@pytest.mark.timeout(300)
def test_what_broke_the_other_library_holds_here(example_venv, monkeypatch):
    """The example's own scenarios (library_scenarios.py): a stale created event, a returning
    customer; dj-stripe keeps both."""
    from paychaos.app.config import find_config, load_adapter
    from paychaos.environment import Environment, EnvironmentOptions
    from paychaos.runner import run_scenario

    monkeypatch.syspath_prepend(str(EXAMPLE))
    monkeypatch.delenv("PAYCHAOS_APP", raising=False)
    monkeypatch.delitem(sys.modules, "library_scenarios", raising=False)
    monkeypatch.delitem(sys.modules, "adapter", raising=False)
    from library_scenarios import CREATED_AFTER_UPDATED, RETURNING_CUSTOMER

    adapter = load_adapter(find_config(start=EXAMPLE))
    with Environment(EnvironmentOptions(), adapter=adapter) as env:
        stale = run_scenario(env, CREATED_AFTER_UPDATED)
        returning = run_scenario(env, RETURNING_CUSTOMER)
        # dj-stripe listens to everything, in the version its stripe-python pins.
        (endpoint,) = env.stripe.list_all("/v1/webhook_endpoints")
    assert endpoint["api_version"] == "2026-02-25.clover"
    assert endpoint["enabled_events"] == ["*"]
    verdicts = {v.invariant: str(v.verdict) for v in stale.verdicts}
    assert (verdicts["I1"], verdicts["I4"]) == (K, K), verdicts
    assert [s.status for s in stale.state.subscriptions] == ["active"]
    assert not stale.violations and stale.unexercised is None
    assert not returning.violations and returning.unexercised is None
    assert len({s.company_id for s in returning.state.subscriptions}) == 1
    assert len(returning.state.subscriptions) == 2
