"""Every endpoint the reference app calls accepts exactly what the app sends and names anything else."""

from __future__ import annotations

import pytest
import stripe

from paychaos.stripe_emulator.routes import ROUTES


def _app_calls(client):
    """The reference app's Stripe calls (reference_app/payments/stripe_api.py), with its params."""
    product = client.v1.products.create(params={"name": "Team"})
    price_params = {
        "product": product.id,
        "unit_amount": 4900,
        "currency": "usd",
        "recurring": {"interval": "month"},
    }
    price = client.v1.prices.create(params=price_params)
    customer = client.v1.customers.create({"email": "c@example.com"})
    session_params = {
        "mode": "subscription",
        "line_items": [{"price": price.id, "quantity": 1}],
        "success_url": "http://127.0.0.1:8000/payments/success/?session_id={CHECKOUT_SESSION_ID}",
        "cancel_url": "http://127.0.0.1:8000/payments/cancel/",
        "client_reference_id": "company-1",
        "metadata": {"company_id": "1", "plan_id": "2"},
        "customer": customer.id,
    }
    session = client.v1.checkout.sessions.create(params=session_params)
    return [
        (
            "products.create",
            lambda extra: client.v1.products.create(params={"name": "Team", **extra}),
        ),
        ("prices.create", lambda extra: client.v1.prices.create(params={**price_params, **extra})),
        (
            "checkout.sessions.create",
            lambda extra: client.v1.checkout.sessions.create(params={**session_params, **extra}),
        ),
        (
            "checkout.sessions.retrieve",
            lambda extra: client.v1.checkout.sessions.retrieve(session.id, params=extra),
        ),
    ]


def test_reference_app_calls_succeed_and_reject_an_unknown_parameter_by_name(paychaos_stripe):
    for name, call in _app_calls(paychaos_stripe):
        assert call({}).id, name
        with pytest.raises(stripe.InvalidRequestError) as info:
            call({"not_a_stripe_param": "1"})
        assert info.value.http_status == 400, name
        assert info.value.param == "not_a_stripe_param", name


def test_every_route_rejects_an_unknown_parameter_before_looking_anything_up(
    paychaos_emulator, paychaos_stripe
):
    import requests

    headers = {"Authorization": f"Bearer {paychaos_emulator.api_key}"}
    for route in ROUTES:
        path = route.path.replace("{id}", "x_missing")
        url = paychaos_emulator.url + path
        if route.method == "POST":
            response = requests.post(url, data={"bogus_param": "1"}, headers=headers, timeout=5)
        else:
            response = requests.request(
                route.method, url, params={"bogus_param": "1"}, headers=headers, timeout=5
            )
        assert response.status_code == 400, (route.method, route.path, response.text)
        assert response.json()["error"]["param"] == "bogus_param"
