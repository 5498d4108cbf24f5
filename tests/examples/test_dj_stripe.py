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
    NOT_EDITING,
    NX,
    PLAIN,
    K,
    Table,
    check_example,
    unexercised_without_redis_or_tasks,
    webhook_endpoint,
)

NAME = "dj_stripe"
EXPECTED: Table = {
    **unexercised_without_redis_or_tasks(),
    # The success page syncs the session from Stripe: a lost webhook costs nothing.
    "webhook-dropped": (K, PLAIN, None),
    "webhook-delivered-three-times": (K, PLAIN, None),
    # Two fulfilment paths (webhook, success page), both held at the write, then released.
    "webhook-and-validate-race": (K, PLAIN, None),
    "postgres-blip-during-webhook": (K, PLAIN, None),
    "app-crash-before-ack": (K, PLAIN, None),
    "delayed-payment-succeeds": (K, PLAIN, None),
    "delayed-payment-fails": (K, (NX, K, NA, NX, K, NX, NX, NA, NA, NX, NA), None),
    "forged-webhook": (K, (NX, K, NA, NX, K, K, NX, NA, NA, NX, NA), None),
    "session-expired-unpaid": (K, (NX, K, NA, NX, K, NX, NX, NA, NA, NX, NA), None),
    "db-error-customer-gone": (K, (K, K, NA, NX, K, NX, NX, NA, NA, K, NA), None),
    # dj-stripe re-reads the subscription from Stripe on every event: no resurrection.
    "late-update-after-cancel": (K, (K, K, NA, K, K, NX, K, NA, NA, NX, NA), None),
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
    "webhook-before-success-page": (K, PLAIN, None),
    "webhook-retry-while-running": (K, PLAIN, None),
    "genuine-replay-after-tolerance": (
        NX,
        PLAIN,
        "the captured delivery was never replayed",
    ),
    "buy-again-after-cancel": (K, (K, K, NA, K, K, NX, K, NA, NA, K, NA), None),
    "upgrade-by-second-checkout": (K, (K, K, NA, K, K, NX, K, NA, NA, K, NA), None),
    "downgrade-by-second-checkout": (K, (K, K, NA, K, K, NX, K, NA, NA, K, NA), None),
    # Its last step reads the other company's account page: an edited request.
    "two-companies-at-once": (NX, PLAIN, NOT_EDITING),
    # drf-stripe-subscription's library_scenarios.py: both broke that library, both hold here.
    "created-after-updated": (K, PLAIN, None),
    "returning-customer": (K, PLAIN, None),
}


@pytest.mark.slow
@pytest.mark.timeout(900)
def test_every_scenario_gives_the_documented_verdict(example_venv, tmp_path):
    # 5: nothing broken or flaky, and some runs not exercised (the Redis ones).
    check_example(NAME, EXPECTED, 5, tmp_path)


@pytest.mark.slow
@pytest.mark.timeout(900)
def test_the_endpoint_listens_to_everything_in_the_pinned_version(example_venv, monkeypatch):
    endpoint = webhook_endpoint(NAME, monkeypatch)
    assert endpoint["api_version"] == "2026-02-25.clover"
    assert endpoint["enabled_events"] == ["*"]
