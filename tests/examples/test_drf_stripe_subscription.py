"""paychaos on a published app, run as its authors ship it: drf-stripe-subscription 1.2.2.

Builds the example's venv once (cached in .venv-examples/, rebuilt when its requirements
change), runs ``paychaos run`` in the example's folder (so its ``[tool.paychaos]`` applies)
and holds every verdict to the table in examples/drf_stripe_subscription/README.md: a false
alarm or a lost detection fails here.
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
EXAMPLE = REPO / "examples" / "drf_stripe_subscription"
VENV = REPO / ".venv-examples" / "drf_stripe_subscription"

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
    # The library's gap: webhooks are its only way to learn of a subscription.
    "webhook-dropped": (B, (B, K, NA, B, K, NX, NX, NA), None),
    "webhook-delivered-three-times": ("kept", (K, K, NA, K, K, NX, NX, NA), None),
    "webhook-and-validate-race": (NX, (K, K, NA, K, K, NX, NX, NA), "held 1 of 2 steps"),
    "postgres-blip-during-webhook": ("kept", (K, K, NA, K, K, NX, NX, NA), None),
    "app-crash-before-ack": ("kept", (K, K, NA, K, K, NX, NX, NA), None),
    "delayed-payment-succeeds": ("kept", (K, K, NA, K, K, NX, NX, NA), None),
    "delayed-payment-fails": ("kept", (NX, K, NA, NX, K, NX, NX, NA), None),
    "forged-webhook": ("kept", (NX, K, NA, NX, K, K, NX, NA), None),
    "session-expired-unpaid": ("kept", (NX, K, NA, NX, K, NX, NX, NA), None),
    "db-error-customer-gone": ("kept", (K, K, NA, NX, K, NX, NX, NA), None),
    # The library's bug: a late customer.subscription.updated resurrects the canceled one.
    "late-update-after-cancel": (B, (K, K, NA, K, K, NX, B, NA), None),
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
    assert done.returncode == 1, done.stdout[-3000:]  # 1: a broken promise (the library's bug)
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
    never_told = {v["invariant"]: v["message"] for v in runs["webhook-dropped"]["violations"]}
    assert "the app has no active subscription for it" in never_told["I1"]
    assert "validate still tells the customer 'pending'" in never_told["I4"]
    (resurrected,) = runs["late-update-after-cancel"]["violations"]
    assert resurrected["invariant"] == "I7"
    assert "is active in the app but Stripe canceled" in resurrected["message"]
    assert not runs["late-update-after-cancel"]["flaky_violations"]
    assert all(tuple(v["invariant"] for v in r["verdicts"]) == PROMISES for r in runs.values())


@pytest.mark.slow
@pytest.mark.timeout(300)
def test_the_librarys_own_weak_spots_are_found(example_venv, monkeypatch):
    """The example's own scenarios (library_scenarios.py): a stale created event, a returning
    customer."""
    from paychaos.app.config import find_config, load_adapter
    from paychaos.environment import Environment, EnvironmentOptions
    from paychaos.runner import run_scenario

    monkeypatch.syspath_prepend(str(EXAMPLE))
    monkeypatch.delenv("PAYCHAOS_APP", raising=False)
    from library_scenarios import CREATED_AFTER_UPDATED, RETURNING_CUSTOMER

    adapter = load_adapter(find_config(start=EXAMPLE))
    with Environment(EnvironmentOptions(), adapter=adapter) as env:
        stale = run_scenario(env, CREATED_AFTER_UPDATED)
        returning = run_scenario(env, RETURNING_CUSTOMER)
        # The endpoint is created in the version the library parses (webhook_api_version).
        (endpoint,) = env.stripe.list_all("/v1/webhook_endpoints")
    assert endpoint["api_version"] == "2020-08-27"
    verdicts = {v.invariant: str(v.verdict) for v in stale.verdicts}
    assert (verdicts["I1"], verdicts["I4"], verdicts["I7"]) == (B, B, NX), verdicts
    assert [s.status for s in stale.state.subscriptions] == ["incomplete"]
    assert [s.status for s in stale.state.stripe_subscriptions] == ["active"]
    assert not returning.violations
    assert returning.unexercised is not None
    assert "could not check out" in returning.unexercised and "500" in returning.unexercised
