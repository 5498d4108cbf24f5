"""paychaos on a published app, run as its authors ship it: dj-stripe 2.10.4.

Builds the example's venv once (cached in .venv-examples/, rebuilt when its requirements
change), runs ``paychaos run`` in the example's folder (so its ``[tool.paychaos]`` applies,
with the two situations that broke drf-stripe-subscription) and holds every verdict to the
table in examples/dj_stripe/README.md: a false alarm or a lost detection fails here.
"""

from __future__ import annotations

import pytest

from tests.examples._example import (
    NA,
    NOT_USING_REDIS,
    NOT_USING_TASKS,
    NX,
    K,
    Table,
    assert_table,
    build_venv,
    run_example,
    webhook_endpoint,
)

NAME = "dj_stripe"
EXPECTED: Table = {
    "redis-down-during-webhook": (NX, (K, K, NA, K, K, NX, NX, NA, NA, K, NA), NOT_USING_REDIS),
    "redis-down-whole-flow": (NX, (K, K, NA, K, K, NX, NX, NA, NA, K, NA), NOT_USING_REDIS),
    "redis-reset-mid-command": (NX, (K, K, NA, K, K, NX, NX, NA, NA, K, NA), NOT_USING_REDIS),
    "redis-blackholed": (NX, (K, K, NA, K, K, NX, NX, NA, NA, K, NA), NOT_USING_REDIS),
    "redis-restarted-empty": (NX, (K, K, NA, K, K, NX, NX, NA, NA, K, NA), NOT_USING_REDIS),
    # The success page syncs the session from Stripe: a lost webhook costs nothing.
    "webhook-dropped": (K, (K, K, NA, K, K, NX, NX, NA, NA, K, NA), None),
    "webhook-delivered-three-times": (K, (K, K, NA, K, K, NX, NX, NA, NA, K, NA), None),
    # Two fulfilment paths (webhook, success page), both held at the write, then released.
    "webhook-and-validate-race": (K, (K, K, NA, K, K, NX, NX, NA, NA, K, NA), None),
    "postgres-blip-during-webhook": (K, (K, K, NA, K, K, NX, NX, NA, NA, K, NA), None),
    "app-crash-before-ack": (K, (K, K, NA, K, K, NX, NX, NA, NA, K, NA), None),
    "delayed-payment-succeeds": (K, (K, K, NA, K, K, NX, NX, NA, NA, K, NA), None),
    "delayed-payment-fails": (K, (NX, K, NA, NX, K, NX, NX, NA, NA, NX, NA), None),
    "forged-webhook": (K, (NX, K, NA, NX, K, K, NX, NA, NA, NX, NA), None),
    "session-expired-unpaid": (K, (NX, K, NA, NX, K, NX, NX, NA, NA, NX, NA), None),
    "db-error-customer-gone": (K, (K, K, NA, NX, K, NX, NX, NA, NA, K, NA), None),
    # dj-stripe re-reads the subscription from Stripe on every event: no resurrection.
    "late-update-after-cancel": (K, (K, K, NA, K, K, NX, K, NA, NA, NX, NA), None),
    "tampered-plan-on-success-page": (K, (K, K, NA, K, K, NX, NX, NA, NA, K, NA), None),
    "foreign-session-on-success-page": (K, (K, K, NA, K, K, NX, NX, NA, NA, K, NA), None),
    "tampered-price-at-checkout": (
        NX,
        (NX, NX, NA, NX, NX, NX, NX, NA, NA, NX, NA),
        "no checkout session was created",
    ),
    "account-page-of-another-company": (K, (K, K, NA, K, K, NX, NX, NA, NA, K, NA), None),
    "twin-events": (K, (K, K, NA, K, K, NX, NX, NA, NA, K, NA), None),
    "success-page-before-webhook": (K, (K, K, NA, K, K, NX, NX, NA, NA, K, NA), None),
    "webhook-before-success-page": (K, (K, K, NA, K, K, NX, NX, NA, NA, K, NA), None),
    "webhook-retry-while-running": (K, (K, K, NA, K, K, NX, NX, NA, NA, K, NA), None),
    "genuine-replay-after-tolerance": (
        NX,
        (K, K, NA, K, K, NX, NX, NA, NA, K, NA),
        "the captured delivery was never replayed",
    ),
    "buy-again-after-cancel": (K, (K, K, NA, K, K, NX, K, NA, NA, K, NA), None),
    "upgrade-by-second-checkout": (K, (K, K, NA, K, K, NX, K, NA, NA, K, NA), None),
    "downgrade-by-second-checkout": (K, (K, K, NA, K, K, NX, K, NA, NA, K, NA), None),
    "two-companies-at-once": (K, (K, K, NA, K, K, NX, NX, NA, NA, K, NA), None),
    "broker-down-at-dispatch": (NX, (K, K, NA, K, K, NX, NX, NA, NA, K, NA), NOT_USING_TASKS),
    "broker-reset-at-dispatch": (NX, (K, K, NA, K, K, NX, NX, NA, NA, K, NA), NOT_USING_TASKS),
    "broker-blackholed": (NX, (K, K, NA, K, K, NX, NX, NA, NA, K, NA), NOT_USING_TASKS),
    "worker-killed-mid-task": (NX, (K, K, NA, K, K, NX, NX, NA, NA, K, NA), NOT_USING_TASKS),
    "worker-killed-after-effect": (NX, (K, K, NA, K, K, NX, NX, NA, NA, K, NA), NOT_USING_TASKS),
    "task-outlives-visibility-timeout": (
        NX,
        (K, K, NA, K, K, NX, NX, NA, NA, K, NA),
        "the scenario is about the task side",
    ),
    "worker-started-late": (NX, (K, K, NA, K, K, NX, NX, NA, NA, K, NA), NOT_USING_TASKS),
    "tasks-lost-in-redis-restart": (NX, (K, K, NA, K, K, NX, NX, NA, NA, K, NA), NOT_USING_TASKS),
    # drf-stripe-subscription's library_scenarios.py: both broke that library, both hold here.
    "created-after-updated": (K, (K, K, NA, K, K, NX, NX, NA, NA, K, NA), None),
    "returning-customer": (K, (K, K, NA, K, K, NX, NX, NA, NA, K, NA), None),
}


@pytest.fixture(scope="module")
def example_venv():
    return build_venv(NAME)


@pytest.mark.slow
@pytest.mark.timeout(900)
def test_every_scenario_gives_the_documented_verdict(example_venv, tmp_path):
    done = run_example(NAME, tmp_path)
    # 5: nothing broken or flaky, and some runs not exercised (the Redis ones).
    assert done.returncode == 5, done.output
    assert_table(done.runs, EXPECTED)


@pytest.mark.slow
@pytest.mark.timeout(900)
def test_the_endpoint_listens_to_everything_in_the_pinned_version(example_venv, monkeypatch):
    endpoint = webhook_endpoint(NAME, monkeypatch)
    assert endpoint["api_version"] == "2026-02-25.clover"
    assert endpoint["enabled_events"] == ["*"]
