"""paychaos on a published app, run as its authors ship it: drf-stripe-subscription 1.2.2.

Builds the example's venv once (cached in .venv-examples/, rebuilt when its requirements
change), runs ``paychaos run`` in the example's folder (so its ``[tool.paychaos]`` applies,
its own two scenarios included) and holds every verdict to the table in
examples/drf_stripe_subscription/README.md: a false alarm or a lost detection fails here.
"""

from __future__ import annotations

import pytest

from tests.examples._example import (
    NA,
    NOT_USING_REDIS,
    NOT_USING_TASKS,
    NX,
    B,
    K,
    Table,
    assert_table,
    build_venv,
    run_example,
    webhook_endpoint,
)

NAME = "drf_stripe_subscription"
EXPECTED: Table = {
    "redis-down-during-webhook": (NX, (K, K, NA, K, K, NX, NX, NA, NA, K, NA), NOT_USING_REDIS),
    "redis-down-whole-flow": (NX, (K, K, NA, K, K, NX, NX, NA, NA, K, NA), NOT_USING_REDIS),
    "redis-reset-mid-command": (NX, (K, K, NA, K, K, NX, NX, NA, NA, K, NA), NOT_USING_REDIS),
    "redis-blackholed": (NX, (K, K, NA, K, K, NX, NX, NA, NA, K, NA), NOT_USING_REDIS),
    "redis-restarted-empty": (NX, (K, K, NA, K, K, NX, NX, NA, NA, K, NA), NOT_USING_REDIS),
    # The library's gap: webhooks are its only way to learn of a subscription.
    "webhook-dropped": (B, (B, K, NA, B, K, NX, NX, NA, NA, NX, NA), None),
    "webhook-delivered-three-times": (K, (K, K, NA, K, K, NX, NX, NA, NA, K, NA), None),
    "webhook-and-validate-race": (
        NX,
        (K, K, NA, K, K, NX, NX, NA, NA, K, NA),
        "the forced race at failpoint fulfil.befo",
    ),
    "postgres-blip-during-webhook": (K, (K, K, NA, K, K, NX, NX, NA, NA, K, NA), None),
    "app-crash-before-ack": (K, (K, K, NA, K, K, NX, NX, NA, NA, K, NA), None),
    "delayed-payment-succeeds": (K, (K, K, NA, K, K, NX, NX, NA, NA, K, NA), None),
    "delayed-payment-fails": (K, (NX, K, NA, NX, K, NX, NX, NA, NA, NX, NA), None),
    "forged-webhook": (K, (NX, K, NA, NX, K, K, NX, NA, NA, NX, NA), None),
    "session-expired-unpaid": (K, (NX, K, NA, NX, K, NX, NX, NA, NA, NX, NA), None),
    "db-error-customer-gone": (K, (K, K, NA, NX, K, NX, NX, NA, NA, K, NA), None),
    # The library's bug: a late customer.subscription.updated resurrects the canceled one.
    "late-update-after-cancel": (B, (K, K, NA, K, K, NX, B, NA, NA, K, NA), None),
    # Issue 14's scenarios (I10 compares the company only: the adapter reads no plan price;
    # I11 is n/a: the adapter sends no edited request, so edited checkouts leave nothing).
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
    "webhook-before-success-page": (
        NX,
        (K, K, NA, K, K, NX, NX, NA, NA, K, NA),
        "the forced race at failpoint fulfil.befo",
    ),
    "webhook-retry-while-running": (K, (K, K, NA, K, K, NX, NX, NA, NA, K, NA), None),
    # The adapter names no tolerance setting: the replay is not sent.
    "genuine-replay-after-tolerance": (
        NX,
        (K, K, NA, K, K, NX, NX, NA, NA, K, NA),
        "the captured delivery was never replayed",
    ),
    "buy-again-after-cancel": (
        NX,
        (K, K, NA, K, K, NX, K, NA, NA, NX, NA),
        "the customer could not check out",
    ),
    "upgrade-by-second-checkout": (
        NX,
        (K, K, NA, K, K, NX, K, NA, NA, NX, NA),
        "the customer could not check out",
    ),
    "downgrade-by-second-checkout": (
        NX,
        (K, K, NA, K, K, NX, K, NA, NA, NX, NA),
        "the customer could not check out",
    ),
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
    # library_scenarios.py. Same cause: the stale created (incomplete) wins over updated.
    "created-after-updated": (B, (B, K, NA, B, K, NX, NX, NA, NA, NX, NA), None),
    # The second checkout of a known customer answers 500 (upstream issue #41).
    "returning-customer": (
        NX,
        (K, K, NA, K, K, NX, NX, NA, NA, K, NA),
        "the customer could not check out",
    ),
}


@pytest.fixture(scope="module")
def example_venv():
    return build_venv(NAME)


@pytest.mark.slow
@pytest.mark.timeout(900)
def test_every_scenario_gives_the_documented_verdict(example_venv, tmp_path):
    done = run_example(NAME, tmp_path)
    assert done.returncode == 1, done.output  # 1: a broken promise (the library's bugs)
    assert_table(done.runs, EXPECTED)
    never_told = {v["invariant"]: v["message"] for v in done.runs["webhook-dropped"]["violations"]}
    assert "the app has no active subscription for it" in never_told["I1"]
    assert "validate still tells the customer 'pending'" in never_told["I4"]
    (resurrected,) = done.runs["late-update-after-cancel"]["violations"]
    assert resurrected["invariant"] == "I7"
    assert "is active in the app but Stripe canceled" in resurrected["message"]
    assert "500" in done.runs["returning-customer"]["unexercised"]


@pytest.mark.slow
@pytest.mark.timeout(900)
def test_the_endpoint_is_created_in_the_version_the_library_parses(example_venv, monkeypatch):
    assert webhook_endpoint(NAME, monkeypatch)["api_version"] == "2020-08-27"
