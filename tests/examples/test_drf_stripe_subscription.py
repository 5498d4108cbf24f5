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
    NOT_EDITING,
    NX,
    PLAIN,
    B,
    K,
    Table,
    check_example,
    unexercised_without_redis_or_tasks,
    webhook_endpoint,
)

NAME = "drf_stripe_subscription"
EXPECTED: Table = {
    **unexercised_without_redis_or_tasks(),
    # The library's gap: webhooks are its only way to learn of a subscription.
    "webhook-dropped": (B, (B, K, NA, B, K, NX, NX, NA, NA, NX, NA), None),
    "webhook-delivered-three-times": (K, PLAIN, None),
    "webhook-and-validate-race": (
        NX,
        PLAIN,
        "the forced race at failpoint fulfil.befo",
    ),
    "postgres-blip-during-webhook": (K, PLAIN, None),
    "app-crash-before-ack": (K, PLAIN, None),
    "delayed-payment-succeeds": (K, PLAIN, None),
    "delayed-payment-fails": (K, (NX, K, NA, NX, K, NX, NX, NA, NA, NX, NA), None),
    "forged-webhook": (K, (NX, K, NA, NX, K, K, NX, NA, NA, NX, NA), None),
    "session-expired-unpaid": (K, (NX, K, NA, NX, K, NX, NX, NA, NA, NX, NA), None),
    "db-error-customer-gone": (K, (K, K, NA, NX, K, NX, NX, NA, NA, K, NA), None),
    # The library's bug: a late customer.subscription.updated resurrects the canceled one.
    "late-update-after-cancel": (B, (K, K, NA, K, K, NX, B, NA, NA, K, NA), None),
    # The adapter sends no edited browser request: the scenarios about one test nothing here
    # (I11 is n/a for the same reason).
    "tampered-plan-on-success-page": (NX, PLAIN, NOT_EDITING),
    "foreign-session-on-success-page": (NX, PLAIN, NOT_EDITING),
    "tampered-price-at-checkout": (
        NX,
        (NX, NX, NA, NX, NX, NX, NX, NA, NA, NX, NA),
        NOT_EDITING,
    ),
    "account-page-of-another-company": (NX, PLAIN, NOT_EDITING),
    "account-page-without-sign-in": (NX, PLAIN, NOT_EDITING),
    "twin-events": (K, PLAIN, None),
    "success-page-before-webhook": (K, PLAIN, None),
    "webhook-before-success-page": (
        NX,
        PLAIN,
        "the forced race at failpoint fulfil.befo",
    ),
    "webhook-retry-while-running": (K, PLAIN, None),
    # The adapter names no tolerance setting: the replay is not sent.
    "genuine-replay-after-tolerance": (
        NX,
        PLAIN,
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
    # Its last step reads the other company's account page: an edited request.
    "two-companies-at-once": (NX, PLAIN, NOT_EDITING),
    # library_scenarios.py. Same cause: the stale created (incomplete) wins over updated.
    "created-after-updated": (B, (B, K, NA, B, K, NX, NX, NA, NA, NX, NA), None),
    # The second checkout of a known customer answers 500 (upstream issue #41).
    "returning-customer": (
        NX,
        PLAIN,
        "the customer could not check out",
    ),
}


@pytest.mark.slow
@pytest.mark.timeout(900)
def test_every_scenario_gives_the_documented_verdict(example_venv, tmp_path):
    done = check_example(NAME, EXPECTED, 1, tmp_path)  # 1: a broken promise (the library's bugs)
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
