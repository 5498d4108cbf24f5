"""Every API response and every webhook payload of real flows, checked against the contract
generated from Stripe's official libraries, for every API version the emulator renders."""

from __future__ import annotations

import json
from typing import Any

import pytest
import requests

from paychaos.stripe_emulator.contract.check import (
    accepted_versions,
    contract_for,
    contract_versions,
)
from paychaos.testing.webhook_receiver import WebhookReceiver

DAY = 86400


def _form(params: dict[str, Any], prefix: str = "") -> list[tuple[str, str]]:
    """Stripe's form encoding: ``a[b][0][c]=v``."""
    pairs: list[tuple[str, str]] = []
    for key, value in params.items():
        name = f"{prefix}[{key}]" if prefix else key
        if isinstance(value, dict):
            pairs += _form(value, name)
        elif isinstance(value, list):
            for index, item in enumerate(value):
                if isinstance(item, dict):
                    pairs += _form(item, f"{name}[{index}]")
                else:
                    pairs.append((f"{name}[{index}]", str(item)))
        elif isinstance(value, bool):
            pairs.append((name, "true" if value else "false"))
        else:
            pairs.append((name, str(value)))
    return pairs


class CheckedApi:
    """Calls the emulator with a ``Stripe-Version`` header and checks every answer."""

    def __init__(self, emulator: Any, version: str) -> None:
        self.url = emulator.url
        self.version = version
        self.contract = contract_for(version)
        self.http = requests.Session()
        self.http.headers.update(
            {"Authorization": f"Bearer {emulator.api_key}", "Stripe-Version": version}
        )
        self.problems: list[str] = []
        self.checked = 0

    def call(self, method: str, path: str, params: dict[str, Any] | None = None) -> Any:
        pairs = _form(params or {})
        if method == "GET":
            answer = self.http.get(self.url + path, params=pairs, timeout=30)
        else:
            answer = self.http.request(method, self.url + path, data=pairs, timeout=30)
        assert answer.status_code == 200, answer.text
        assert answer.headers["Stripe-Version"] == self.version
        body = answer.json()
        where = f"{method} {path}"
        if body.get("deleted") is True:
            assert set(body) == {"id", "object", "deleted"}, body
            return body
        self.checked += 1
        if body["object"] == "list":
            for item in body["data"]:
                self.problems += [f"{where}: {p}" for p in self._check(item)]
        else:
            self.problems += [f"{where}: {p}" for p in self._check(body)]
        return body

    def _check(self, body: dict[str, Any]) -> list[str]:
        if body["object"] == "event":
            return self.contract.check_event(body)
        return self.contract.check(body, body["object"])

    def get(self, path: str, params: dict[str, Any] | None = None) -> Any:
        return self.call("GET", path, params)

    def post(self, path: str, params: dict[str, Any] | None = None) -> Any:
        return self.call("POST", path, params)


def _session(api: CheckedApi, price: dict[str, Any], mode: str, **extra: Any) -> Any:
    return api.post(
        "/v1/checkout/sessions",
        {
            "mode": mode,
            "line_items": [{"price": price["id"], "quantity": 1}],
            "success_url": "http://127.0.0.1/ok",
            "cancel_url": "http://127.0.0.1/cancel",
            "metadata": {"order": "1"},
            **extra,
        },
    )


def _run_flows(api: CheckedApi, ctl: Any) -> None:
    """Checkout paid / delayed (both ways) / payment mode / expiry, renewal, updates, cancel."""
    product = api.post("/v1/products", {"name": "Pro", "description": "the plan"})
    api.post(f"/v1/products/{product['id']}", {"metadata": {"tier": "pro"}})
    monthly = api.post(
        "/v1/prices",
        {
            "currency": "usd",
            "unit_amount": 1500,
            "product": product["id"],
            "recurring": {"interval": "month"},
        },
    )
    one_time = api.post(
        "/v1/prices",
        {"currency": "usd", "unit_amount": 900, "product_data": {"name": "Pass"}},
    )
    api.post(f"/v1/prices/{one_time['id']}", {"nickname": "pass"})
    customer = api.post("/v1/customers", {"email": "ada@example.com", "name": "Ada"})
    api.post(f"/v1/customers/{customer['id']}", {"metadata": {"vip": "yes"}})

    paid = _session(api, monthly, "subscription", customer_email="b@example.com")
    ctl.complete_session(paid["id"], outcome="paid")
    done = api.get(f"/v1/checkout/sessions/{paid['id']}", {"expand": ["line_items"]})
    api.get(f"/v1/checkout/sessions/{paid['id']}/line_items")
    sub_id = done["subscription"]
    sub = api.get(f"/v1/subscriptions/{sub_id}", {"expand": ["latest_invoice", "customer"]})
    api.get(f"/v1/invoices/{sub['latest_invoice']['id']}")
    api.get("/v1/invoices", {"subscription": sub_id})
    api.post(f"/v1/subscriptions/{sub_id}", {"metadata": {"seat": "3"}})
    ctl.advance_clock(32 * DAY)  # renewal
    api.get(f"/v1/subscriptions/{sub_id}")
    api.post(f"/v1/subscriptions/{sub_id}", {"cancel_at_period_end": True})
    api.call("DELETE", f"/v1/subscriptions/{sub_id}")

    for succeeded in (True, False):
        delayed = _session(api, monthly, "subscription", customer=customer["id"])
        ctl.complete_session(delayed["id"], outcome="delayed")
        ctl.async_payment(delayed["id"], succeeded=succeeded)
        api.get(f"/v1/checkout/sessions/{delayed['id']}")

    payment = _session(api, one_time, "payment", customer_creation="always")
    ctl.complete_session(payment["id"], outcome="paid")
    intent = api.get(f"/v1/checkout/sessions/{payment['id']}")["payment_intent"]
    api.get(f"/v1/payment_intents/{intent}")
    api.get("/v1/payment_intents")

    expiring = _session(api, one_time, "payment")
    api.post(f"/v1/checkout/sessions/{expiring['id']}/expire")
    _session(api, one_time, "payment")
    ctl.advance_clock(2 * DAY)  # the second session expires on its own; the clock renews
    active = api.get("/v1/subscriptions", {"status": "active"})["data"]
    ctl.cancel_subscription(active[0]["id"])  # Stripe ends it on its own (dunning, portal)

    _run_elements_flows(api, monthly)

    for path in (
        "/v1/customers",
        "/v1/payment_methods",
        "/v1/charges",
        "/v1/refunds",
        "/v1/products",
        "/v1/prices",
        "/v1/checkout/sessions",
        "/v1/subscriptions",
        "/v1/invoices",
        "/v1/webhook_endpoints",
    ):
        api.get(path, {"limit": 100})
    events = api.get("/v1/events", {"limit": 100})
    api.get(f"/v1/events/{events['data'][0]['id']}")
    api.call("DELETE", f"/v1/customers/{customer['id']}")


def _run_elements_flows(api: CheckedApi, monthly: dict[str, Any]) -> None:
    """Subscriptions made through the API: payment methods, proration, refunds, portal."""
    yearly = api.post(
        "/v1/prices",
        {
            "currency": "usd",
            "unit_amount": 3000,
            "product_data": {"name": "Team"},
            "recurring": {"interval": "month"},
        },
    )
    customer = api.post("/v1/customers", {"email": "el@example.com"})
    method = api.post("/v1/payment_methods", {"type": "card", "card": {"token": "tok_visa"}})
    api.post(f"/v1/payment_methods/{method['id']}/attach", {"customer": customer["id"]})
    api.post(
        f"/v1/customers/{customer['id']}",
        {"invoice_settings": {"default_payment_method": method["id"]}},
    )
    api.get(f"/v1/payment_methods/{method['id']}")
    api.get("/v1/payment_methods", {"customer": customer["id"], "type": "card"})
    api.get(f"/v1/customers/{customer['id']}/payment_methods")
    sub = api.post(
        "/v1/subscriptions",
        {
            "customer": customer["id"],
            "items": [{"price": monthly["id"]}],
            "expand": ["latest_invoice"],
        },
    )
    item = sub["items"]["data"][0]["id"]
    for behavior in ("create_prorations", "always_invoice", "none"):
        price = yearly if behavior != "always_invoice" else monthly
        api.post(
            f"/v1/subscriptions/{sub['id']}",
            {"items": [{"id": item, "price": price["id"]}], "proration_behavior": behavior},
        )
    if api.version < "2025-03-31":
        api.get("/v1/invoices/upcoming", {"customer": customer["id"]})
    api.post(
        "/v1/invoices/create_preview",
        {
            "customer": customer["id"],
            "subscription": sub["id"],
            "subscription_details": {"items": [{"id": item, "price": monthly["id"]}]},
        },
    )
    incomplete = api.post(
        "/v1/subscriptions",
        {
            "customer": customer["id"],
            "items": [{"price": monthly["id"]}],
            "payment_behavior": "default_incomplete",
        },
    )
    invoice = api.get(f"/v1/invoices/{incomplete['latest_invoice']}")
    intent_id = api.get("/v1/payment_intents", {"customer": customer["id"]})["data"][0]["id"]
    api.post(f"/v1/payment_intents/{intent_id}/confirm", {"payment_method": "pm_card_visa"})
    charge = api.get("/v1/charges", {"payment_intent": intent_id})["data"][0]
    api.get(f"/v1/charges/{charge['id']}")
    api.get("/v1/charges", {"customer": customer["id"]})
    refund = api.post("/v1/refunds", {"payment_intent": intent_id, "amount": 500})
    api.get(f"/v1/refunds/{refund['id']}")
    api.post("/v1/refunds", {"charge": charge["id"]})
    assert invoice["status"] == "open"
    api.post(
        "/v1/billing_portal/sessions",
        {"customer": customer["id"], "return_url": "http://127.0.0.1/account"},
    )
    api.post(f"/v1/payment_methods/{method['id']}/detach")


@pytest.mark.parametrize("version", contract_versions())
def test_every_response_and_webhook_matches_the_contract(
    paychaos_emulator, paychaos_emulator_control, version
):
    api = CheckedApi(paychaos_emulator, version)
    with WebhookReceiver() as receiver:
        endpoint = api.post(
            "/v1/webhook_endpoints",
            {"url": receiver.url, "enabled_events": ["*"], "api_version": version},
        )
        assert endpoint["api_version"] == version
        api.get(f"/v1/webhook_endpoints/{endpoint['id']}")
        api.post(f"/v1/webhook_endpoints/{endpoint['id']}", {"description": "contract"})
        _run_flows(api, paychaos_emulator_control)
        paychaos_emulator_control.drain()
        events = [json.loads(r.body) for r in receiver.received]
    assert api.problems == []
    assert api.checked > 30
    assert len(events) > 30
    types = {e["type"] for e in events}
    assert {
        "customer.subscription.updated",
        "invoice.updated",
        "checkout.session.expired",
        "customer.subscription.deleted",
        "invoice.payment_failed",
        "payment_method.attached",
        "payment_method.detached",
        "customer.updated",
        "charge.succeeded",
        "charge.refunded",
        "refund.created",
        "billing_portal.session.created",
    } <= types
    problems = []
    for event in events:
        assert event["api_version"] == version
        problems += [f"{event['type']}: {p}" for p in api.contract.check_event(event)]
    assert problems == []


def test_the_checker_names_a_missing_field_a_wrong_type_and_a_bad_prefix(
    paychaos_emulator, paychaos_emulator_control
):
    api = CheckedApi(paychaos_emulator, "2020-08-27")
    price = api.post(
        "/v1/prices",
        {"currency": "usd", "unit_amount": 700, "product_data": {"name": "Seat"}},
    )
    session = _session(api, price, "payment", customer_creation="always")
    paychaos_emulator_control.complete_session(session["id"])
    rendered = api.get(f"/v1/checkout/sessions/{session['id']}")
    assert api.problems == []
    contract = api.contract
    broken = dict(rendered)
    del broken["payment_status"]
    broken["amount_total"] = "700"
    broken["customer"] = "sub_" + broken["customer"][4:]
    assert contract.check(broken, "checkout.session") == [
        "checkout.session.amount_total: expected number, got string",
        "checkout.session.customer: id 'sub_"
        + rendered["customer"][4:]
        + "' does not start with ['cus_']",
        "checkout.session.payment_status: missing",
    ]
    nested = json.loads(json.dumps(rendered))
    del nested["customer_details"]["email"]
    assert contract.check(nested, "checkout.session") == [
        "checkout.session.customer_details.email: missing"
    ]


def test_a_webhook_payload_missing_a_field_fails_the_event_check(
    paychaos_emulator, paychaos_emulator_control
):
    version = "2025-02-24.acacia"
    api = CheckedApi(paychaos_emulator, version)
    with WebhookReceiver() as receiver:
        api.post(
            "/v1/webhook_endpoints",
            {"url": receiver.url, "enabled_events": ["invoice.paid"], "api_version": version},
        )
        monthly = api.post(
            "/v1/prices",
            {
                "currency": "usd",
                "unit_amount": 1500,
                "product_data": {"name": "Pro"},
                "recurring": {"interval": "month"},
            },
        )
        paychaos_emulator_control.complete_session(_session(api, monthly, "subscription")["id"])
        paychaos_emulator_control.drain()
        event = json.loads(receiver.received[0].body)
    assert api.contract.check_event(event) == []
    del event["data"]["object"]["lines"]["data"][0]["price"]
    event["data"]["previous_attributes"] = {"not_a_field": 1}
    assert api.contract.check_event(event) == [
        "invoice.lines.data[0].price: missing",
        "event.data.previous_attributes.not_a_field: not a field of invoice",
    ]


def test_an_unknown_version_gets_stripes_error(paychaos_emulator):
    answer = requests.get(
        paychaos_emulator.url + "/v1/customers",
        headers={
            "Authorization": f"Bearer {paychaos_emulator.api_key}",
            "Stripe-Version": "2020-08-28",
        },
        timeout=30,
    )
    assert answer.status_code == 400
    assert answer.json()["error"] == {
        "message": "Invalid Stripe API version: 2020-08-28",
        "type": "invalid_request_error",
    }


def test_every_version_a_stripe_python_release_pins_is_accepted(paychaos_emulator):
    versions = accepted_versions()
    assert {"2020-08-27", "2025-03-31.basil", "2025-09-30.clover", "2026-03-25.dahlia"} <= set(
        versions
    )
    for version in ("2024-09-30.acacia", "2025-03-31.basil", "2025-10-29.clover"):
        api = CheckedApi(paychaos_emulator, version)
        assert api.contract.api_version == versions[version]
        product = api.post("/v1/products", {"name": version})
        assert api.get(f"/v1/products/{product['id']}")["name"] == version
        assert api.problems == []


def test_shapes_differ_where_stripe_changed_them(paychaos_emulator, paychaos_emulator_control):
    shapes = {}
    for version in ("2020-08-27", "2025-02-24.acacia", "2026-10-28.endive"):
        api = CheckedApi(paychaos_emulator, version)
        monthly = api.post(
            "/v1/prices",
            {
                "currency": "usd",
                "unit_amount": 1500,
                "product_data": {"name": "Pro"},
                "recurring": {"interval": "month"},
            },
        )
        session = _session(api, monthly, "subscription")
        paychaos_emulator_control.complete_session(session["id"])
        sub_id = api.get(f"/v1/checkout/sessions/{session['id']}")["subscription"]
        sub = api.get(f"/v1/subscriptions/{sub_id}", {"expand": ["latest_invoice"]})
        shapes[version] = sub
        assert api.problems == []
    old, acacia, new = (
        shapes["2020-08-27"],
        shapes["2025-02-24.acacia"],
        shapes["2026-10-28.endive"],
    )
    for sub in (old, acacia):
        # Same clock, same plan: the period the newest shape keeps on the item.
        assert sub["current_period_end"] == new["items"]["data"][0]["current_period_end"]
        line = sub["latest_invoice"]["lines"]["data"][0]
        assert (line["price"]["id"], line["proration"], line["type"]) == (
            sub["items"]["data"][0]["price"]["id"],
            False,
            "subscription",
        )
        assert sub["latest_invoice"]["subscription"] == sub["id"]
        assert sub["items"]["data"][0]["tax_rates"] == []
    assert "current_period_end" not in new and "subscription" not in new["latest_invoice"]
    assert new["items"]["data"][0]["current_period_end"] > new["created"]
    line = new["latest_invoice"]["lines"]["data"][0]
    assert "price" not in line and line["parent"]["subscription_item_details"]["proration"] is False
    assert new["latest_invoice"]["parent"]["subscription_details"]["subscription"] == new["id"]
    assert "billing_mode" not in acacia and "shipping_details" not in old


def test_an_account_version_is_the_default_for_requests_and_endpoints():
    from paychaos.stripe_emulator import StripeEmulator

    with StripeEmulator(api_version="2025-03-31.basil") as emulator:
        headers = {"Authorization": f"Bearer {emulator.api_key}"}
        answer = requests.post(
            emulator.url + "/v1/webhook_endpoints",
            data={"url": "http://127.0.0.1:9/hook", "enabled_events[0]": "*"},
            headers=headers,
            timeout=30,
        )
        assert answer.headers["Stripe-Version"] == "2025-03-31.basil"
        assert answer.json()["api_version"] == "2025-03-31.basil"
        bad = requests.post(
            emulator.url + "/v1/webhook_endpoints",
            data={"url": "http://127.0.0.1:9/h", "enabled_events[0]": "*", "api_version": "x"},
            headers=headers,
            timeout=30,
        )
        assert bad.status_code == 400
        assert bad.json()["error"]["param"] == "api_version"
