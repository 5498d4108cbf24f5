"""Errors come back in Stripe's envelope and map to the stripe library's exception classes."""

from __future__ import annotations

import base64

import pytest
import requests
import stripe
from emulator_helpers import recurring_price, subscription_session


def test_unknown_top_level_parameter_is_a_400_naming_it(paychaos_stripe):
    with pytest.raises(stripe.InvalidRequestError) as info:
        paychaos_stripe.v1.customers.create({"email": "a@b.c", "colour": "red"})
    assert info.value.http_status == 400
    assert info.value.param == "colour"
    assert info.value.code == "parameter_unknown"


def test_unknown_nested_parameter_is_a_400_naming_its_full_path(paychaos_stripe):
    price = recurring_price(paychaos_stripe)
    with pytest.raises(stripe.InvalidRequestError) as info:
        paychaos_stripe.v1.checkout.sessions.create(
            {
                "mode": "subscription",
                "success_url": "http://127.0.0.1/ok",
                "line_items": [{"price": price.id, "quantity": 1, "colour": "red"}],
            }
        )
    assert info.value.param == "line_items[0][colour]"


def test_missing_required_parameter_is_named(paychaos_stripe):
    with pytest.raises(stripe.InvalidRequestError) as info:
        paychaos_stripe.v1.checkout.sessions.create({"success_url": "http://127.0.0.1/ok"})
    assert info.value.param == "mode"
    assert info.value.code == "parameter_missing"


def test_bad_integer_and_bad_enum_are_rejected(paychaos_stripe):
    with pytest.raises(stripe.InvalidRequestError) as info:
        paychaos_stripe.v1.prices.create(
            {"currency": "usd", "unit_amount": "lots", "product_data": {"name": "x"}}
        )
    assert info.value.param == "unit_amount"
    with pytest.raises(stripe.InvalidRequestError) as info:
        paychaos_stripe.v1.checkout.sessions.create({"mode": "rental", "success_url": "http://x"})
    assert info.value.param == "mode"


def test_unknown_id_is_a_404_resource_missing(paychaos_stripe):
    for call in (
        lambda: paychaos_stripe.v1.checkout.sessions.retrieve("cs_test_missing"),
        lambda: paychaos_stripe.v1.subscriptions.retrieve("sub_missing"),
        lambda: paychaos_stripe.v1.customers.retrieve("cus_missing"),
        lambda: paychaos_stripe.v1.events.retrieve("evt_missing"),
        lambda: paychaos_stripe.v1.invoices.retrieve("in_missing"),
        lambda: paychaos_stripe.v1.payment_intents.retrieve("pi_missing"),
    ):
        with pytest.raises(stripe.InvalidRequestError) as info:
            call()
        assert info.value.http_status == 404
        assert info.value.code == "resource_missing"


def test_an_id_of_another_kind_is_not_found(paychaos_stripe):
    price = recurring_price(paychaos_stripe)
    with pytest.raises(stripe.InvalidRequestError) as info:
        paychaos_stripe.v1.customers.retrieve(price.id)
    assert info.value.http_status == 404


def test_wrong_or_missing_api_key_is_a_401(paychaos_emulator, paychaos_stripe):
    bad = stripe.StripeClient(
        "sk_test_wrong_key_123", base_addresses={"api": paychaos_emulator.url}
    )
    with pytest.raises(stripe.AuthenticationError) as info:
        bad.v1.customers.list()
    assert info.value.http_status == 401
    response = requests.get(f"{paychaos_emulator.url}/v1/customers", timeout=5)
    assert response.status_code == 401
    assert response.json()["error"]["type"] == "invalid_request_error"
    assert response.headers["Request-Id"].startswith("req_")


def test_basic_auth_with_the_key_as_user_is_accepted(paychaos_emulator, paychaos_stripe):
    token = base64.b64encode(f"{paychaos_emulator.api_key}:".encode()).decode()
    response = requests.get(
        f"{paychaos_emulator.url}/v1/customers",
        headers={"Authorization": f"Basic {token}"},
        timeout=5,
    )
    assert response.status_code == 200
    assert response.json()["object"] == "list"


def test_unknown_url_is_a_404_with_an_envelope(paychaos_emulator, paychaos_stripe):
    response = requests.get(
        f"{paychaos_emulator.url}/v1/teleporters",
        headers={"Authorization": f"Bearer {paychaos_emulator.api_key}"},
        timeout=5,
    )
    assert response.status_code == 404
    assert "Unrecognized request URL" in response.json()["error"]["message"]


def test_recurring_price_in_payment_mode_is_refused(paychaos_stripe):
    price = recurring_price(paychaos_stripe)
    with pytest.raises(stripe.InvalidRequestError) as info:
        paychaos_stripe.v1.checkout.sessions.create(
            {
                "mode": "payment",
                "success_url": "http://x",
                "line_items": [{"price": price.id, "quantity": 1}],
            }
        )
    assert "recurring price" in info.value.user_message


def test_expires_at_outside_half_an_hour_to_a_day_is_refused(
    paychaos_stripe, paychaos_emulator_control
):
    now = paychaos_emulator_control.now()
    with pytest.raises(stripe.InvalidRequestError) as info:
        subscription_session(paychaos_stripe, expires_at=now + 60)
    assert info.value.param == "expires_at"
    with pytest.raises(stripe.InvalidRequestError):
        subscription_session(paychaos_stripe, expires_at=now + 25 * 3600)
    ok = subscription_session(paychaos_stripe, expires_at=now + 3600)
    assert ok.expires_at == now + 3600


def test_every_response_carries_a_request_id(paychaos_stripe):
    customer = paychaos_stripe.v1.customers.create({})
    assert customer.last_response.request_id.startswith("req_")
    with pytest.raises(stripe.InvalidRequestError) as info:
        paychaos_stripe.v1.customers.retrieve("cus_nope")
    assert info.value.request_id.startswith("req_")
