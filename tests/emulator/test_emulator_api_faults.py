"""API faults per endpoint and method, seen through the stripe library's exception classes."""

from __future__ import annotations

import time

import pytest
import requests
import stripe
from emulator_helpers import recurring_price, subscription_session

SESSION = "/v1/checkout/sessions/*"


def _client(emu, **options):
    http = stripe.RequestsClient(timeout=options.pop("timeout", 10))
    return stripe.StripeClient(
        emu.api_key, base_addresses={"api": emu.url}, http_client=http, **options
    )


def test_500_on_retrieve_for_the_first_call_only(paychaos_stripe, paychaos_emulator_control):
    session = subscription_session(paychaos_stripe)
    paychaos_emulator_control.add_api_fault(
        {"action": "error", "status": 500, "method": "GET", "path": SESSION, "first": 1}
    )
    with pytest.raises(stripe.APIError) as info:
        paychaos_stripe.v1.checkout.sessions.retrieve(session.id)
    assert info.value.http_status == 500
    assert info.value.json_body["error"]["type"] == "api_error"
    assert paychaos_stripe.v1.checkout.sessions.retrieve(session.id).id == session.id


def test_429_is_a_rate_limit_error(paychaos_stripe, paychaos_emulator_control):
    paychaos_emulator_control.add_api_fault(
        {"action": "error", "status": 429, "path": "/v1/customers"}
    )
    with pytest.raises(stripe.RateLimitError) as info:
        paychaos_stripe.v1.customers.create({})
    assert info.value.json_body["error"]["type"] == "rate_limit_error"


def test_rules_match_only_their_method_and_path(paychaos_stripe, paychaos_emulator_control):
    session = subscription_session(paychaos_stripe)
    paychaos_emulator_control.add_api_fault(
        {"action": "error", "status": 500, "method": "POST", "path": SESSION}
    )
    assert paychaos_stripe.v1.checkout.sessions.retrieve(session.id).id == session.id
    assert paychaos_stripe.v1.customers.list().object == "list"
    with pytest.raises(stripe.APIError):
        paychaos_stripe.v1.checkout.sessions.expire(session.id)


def test_library_retries_recover_from_a_500_before_execution(
    paychaos_emulator, paychaos_emulator_control
):
    client = _client(paychaos_emulator, max_network_retries=2)
    price = recurring_price(client)
    paychaos_emulator_control.add_api_fault(
        {
            "action": "error",
            "status": 500,
            "method": "POST",
            "path": "/v1/checkout/sessions",
            "first": 1,
        }
    )
    session = subscription_session(client, price)
    assert session.status == "open"
    assert len(client.v1.checkout.sessions.list().data) == 1
    assert paychaos_emulator_control.api_faults()[0]["fired"] == 1


def test_a_500_after_execution_is_stored_and_replayed_for_the_key(
    paychaos_emulator, paychaos_stripe, paychaos_emulator_control
):
    paychaos_emulator_control.add_api_fault(
        {"action": "error", "status": 500, "path": "/v1/customers", "when": "after", "first": 1}
    )
    headers = {"Authorization": f"Bearer {paychaos_emulator.api_key}", "Idempotency-Key": "k-after"}
    first = requests.post(
        f"{paychaos_emulator.url}/v1/customers", data={"email": "a@b.c"}, headers=headers, timeout=5
    )
    assert first.status_code == 500
    assert len(paychaos_stripe.v1.customers.list().data) == 1  # the change was made anyway
    again = requests.post(
        f"{paychaos_emulator.url}/v1/customers", data={"email": "a@b.c"}, headers=headers, timeout=5
    )
    assert again.status_code == 500
    assert again.headers["Idempotent-Replayed"] == "true"
    assert again.json() == first.json()
    assert len(paychaos_stripe.v1.customers.list().data) == 1


def test_latency_delays_the_answer(paychaos_stripe, paychaos_emulator_control):
    paychaos_emulator_control.add_api_fault(
        {"action": "latency", "seconds": 0.3, "method": "GET", "path": "/v1/customers"}
    )
    started = time.monotonic()
    paychaos_stripe.v1.customers.list()
    assert time.monotonic() - started >= 0.3


def test_hang_makes_the_client_time_out_and_runs_nothing(
    paychaos_emulator, paychaos_emulator_control
):
    client = _client(paychaos_emulator, timeout=0.3)
    paychaos_emulator_control.add_api_fault(
        {"action": "hang", "method": "POST", "path": "/v1/customers", "first": 1}
    )
    with pytest.raises(stripe.APIConnectionError):
        client.v1.customers.create({})
    assert client.v1.customers.list().data == []
    assert client.v1.customers.create({}).object == "customer"


def test_reset_before_and_after_execution(paychaos_emulator, paychaos_emulator_control):
    client = _client(paychaos_emulator)
    paychaos_emulator_control.add_api_fault(
        {"action": "reset", "path": "/v1/customers", "method": "POST", "first": 1}
    )
    with pytest.raises(stripe.APIConnectionError):
        client.v1.customers.create({})
    assert client.v1.customers.list().data == []
    paychaos_emulator_control.set_api_faults(
        [
            {
                "action": "reset",
                "path": "/v1/customers",
                "method": "POST",
                "when": "after",
                "first": 1,
            }
        ]
    )
    with pytest.raises(stripe.APIConnectionError):
        client.v1.customers.create({})
    assert len(client.v1.customers.list().data) == 1  # made, though the client never heard


def test_seeded_probability_fails_the_same_calls_each_run():
    from paychaos.stripe_emulator import StripeEmulator

    def run() -> list[bool]:
        with StripeEmulator(seed=9) as emu:
            client = _client(emu)
            emu.control.add_api_fault(
                {"action": "error", "status": 500, "path": "/v1/customers", "probability": 0.5}
            )
            outcomes = []
            for _ in range(16):
                try:
                    client.v1.customers.list()
                    outcomes.append(True)
                except stripe.APIError:
                    outcomes.append(False)
            return outcomes

    first = run()
    assert first == run()
    assert True in first and False in first


def test_exception_classes_match_stripe_for_each_error_type(
    paychaos_emulator, paychaos_stripe, paychaos_emulator_control
):
    bad_key = stripe.StripeClient(
        "sk_test_nope_nope", base_addresses={"api": paychaos_emulator.url}
    )
    with pytest.raises(stripe.AuthenticationError):
        bad_key.v1.customers.list()
    with pytest.raises(stripe.InvalidRequestError):
        paychaos_stripe.v1.customers.retrieve("cus_none")
    opts = {"idempotency_key": "same-key"}
    paychaos_stripe.v1.customers.create({"email": "a@b.c"}, opts)
    with pytest.raises(stripe.IdempotencyError):
        paychaos_stripe.v1.customers.create({"email": "other@b.c"}, opts)
    paychaos_emulator_control.add_api_fault(
        {"action": "error", "status": 503, "method": "GET", "path": "/v1/customers"}
    )
    with pytest.raises(stripe.APIError):
        paychaos_stripe.v1.customers.list()
    paychaos_emulator_control.set_api_faults(
        [{"action": "error", "status": 429, "method": "GET", "path": "/v1/customers"}]
    )
    with pytest.raises(stripe.RateLimitError):
        paychaos_stripe.v1.customers.list()


def test_faults_are_cleared_by_clear_and_by_reset(paychaos_stripe, paychaos_emulator_control):
    paychaos_emulator_control.add_api_fault({"action": "error", "status": 500})
    paychaos_emulator_control.clear_faults("api")
    assert paychaos_emulator_control.api_faults() == []
    paychaos_emulator_control.add_api_fault({"action": "error", "status": 500})
    paychaos_emulator_control.reset()
    assert paychaos_stripe.v1.customers.list().object == "list"


def test_the_harness_own_calls_never_meet_an_api_fault(
    paychaos_emulator, paychaos_stripe, paychaos_emulator_control
):
    """The harness reads a session back (a ``cancel`` step, the final state) while a fault
    meant for the app's retrieve is on: its call, showing the control token, is answered and
    uses up nothing of the rule's ``first``; a wrong token is an ordinary caller."""
    from paychaos.errors import PaychaosError
    from paychaos.stripe_rest import StripeRest

    session = subscription_session(paychaos_stripe)
    paychaos_emulator_control.add_api_fault(
        {"action": "error", "status": 500, "method": "GET", "path": SESSION, "first": 1}
    )
    harness = StripeRest(
        paychaos_emulator.url,
        paychaos_emulator.api_key,
        harness_token=paychaos_emulator.control_token,
    )
    pretender = StripeRest(
        paychaos_emulator.url, paychaos_emulator.api_key, harness_token="not-the-token"
    )
    try:
        for _ in range(3):
            assert harness.session(session.id)["id"] == session.id
        with pytest.raises(PaychaosError, match="injected by paychaos"):
            pretender.session(session.id)  # a wrong token meets the fault, using it up
        assert paychaos_stripe.v1.checkout.sessions.retrieve(session.id).id == session.id
    finally:
        harness.close()
        pretender.close()
