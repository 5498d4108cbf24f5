"""Flows of apps that use Elements instead of Checkout, driven through the official library:
payment methods, subscriptions created and changed through the API (prorations, cancel at
period end), charges and refunds, the customer portal and the upcoming invoice."""

from __future__ import annotations

from typing import Any

import pytest
import requests
import stripe
from emulator_helpers import recurring_price

DAY = 86400


def _types(ctl: Any) -> list[str]:
    return [e["type"] for e in ctl.events()]


def _customer_with_card(client: Any, token: str = "tok_visa") -> tuple[Any, Any]:
    customer = client.v1.customers.create({"email": "el@example.com"})
    method = client.v1.payment_methods.create({"type": "card", "card": {"token": token}})
    client.v1.payment_methods.attach(method.id, {"customer": customer.id})
    client.v1.customers.update(
        customer.id, {"invoice_settings": {"default_payment_method": method.id}}
    )
    return customer, method


def test_a_card_is_attached_listed_made_default_and_detached(
    paychaos_stripe, paychaos_emulator_control
):
    customer, method = _customer_with_card(paychaos_stripe)
    assert (method.type, method.card.brand, method.card.last4) == ("card", "visa", "4242")
    assert paychaos_stripe.v1.payment_methods.retrieve(method.id).customer == customer.id
    listed = paychaos_stripe.v1.payment_methods.list({"customer": customer.id, "type": "card"})
    assert [m.id for m in listed.data] == [method.id]
    assert [m.id for m in paychaos_stripe.v1.customers.payment_methods.list(customer.id).data] == [
        method.id
    ]
    updated = paychaos_emulator_control.events(type="customer.updated")[-1]
    assert updated["data"]["object"]["invoice_settings"]["default_payment_method"] == method.id
    assert (
        updated["data"]["previous_attributes"]["invoice_settings"]["default_payment_method"] is None
    )
    paychaos_stripe.v1.payment_methods.detach(method.id)
    assert paychaos_stripe.v1.payment_methods.list({"customer": customer.id}).data == []
    assert _types(paychaos_emulator_control)[-5:] == [
        "customer.created",
        "payment_method.attached",
        "customer.updated",
        "payment_method.detached",
        "customer.updated",
    ]
    customer = paychaos_stripe.v1.customers.retrieve(customer.id)
    assert customer.invoice_settings.default_payment_method is None
    detached = paychaos_emulator_control.events(type="payment_method.detached")[-1]
    assert detached["data"]["previous_attributes"] == {"customer": customer.id}


def test_a_test_payment_method_id_attaches_a_fresh_card(paychaos_stripe):
    customer = paychaos_stripe.v1.customers.create({})
    method = paychaos_stripe.v1.payment_methods.attach(
        "pm_card_mastercard", {"customer": customer.id}
    )
    assert method.id.startswith("pm_") and method.id != "pm_card_mastercard"
    assert (method.card.brand, method.customer) == ("mastercard", customer.id)


def test_a_default_payment_method_must_belong_to_the_customer(paychaos_stripe):
    customer = paychaos_stripe.v1.customers.create({})
    loose = paychaos_stripe.v1.payment_methods.create(
        {"type": "card", "card": {"token": "tok_visa"}}
    )
    with pytest.raises(stripe.InvalidRequestError) as raised:
        paychaos_stripe.v1.customers.update(
            customer.id, {"invoice_settings": {"default_payment_method": loose.id}}
        )
    assert raised.value.param == "invoice_settings[default_payment_method]"


def test_a_subscription_with_a_default_card_is_active_and_paid(
    paychaos_stripe, paychaos_emulator_control
):
    price = recurring_price(paychaos_stripe, amount=1500)
    customer, method = _customer_with_card(paychaos_stripe)
    sub = paychaos_stripe.v1.subscriptions.create(
        {
            "customer": customer.id,
            "items": [{"price": price.id}],
            "default_payment_method": method.id,
            "expand": ["latest_invoice"],
        }
    )
    assert (sub.status, sub.default_payment_method) == ("active", method.id)
    assert (sub.latest_invoice.status, sub.latest_invoice.amount_paid) == ("paid", 1500)
    assert _types(paychaos_emulator_control)[-7:] == [
        "customer.subscription.created",
        "invoice.created",
        "invoice.finalized",
        "invoice.paid",
        "invoice.payment_succeeded",
        "charge.succeeded",
        "payment_intent.succeeded",
    ]
    charge = paychaos_emulator_control.events(type="charge.succeeded")[-1]["data"]["object"]
    assert (charge["amount"], charge["customer"], charge["payment_method"]) == (
        1500,
        customer.id,
        method.id,
    )
    assert paychaos_stripe.v1.charges.list({"customer": customer.id}).data[0].id == charge["id"]


def test_default_incomplete_waits_for_the_client_to_confirm(
    paychaos_stripe, paychaos_emulator_control
):
    price = recurring_price(paychaos_stripe, amount=1500)
    customer = paychaos_stripe.v1.customers.create({})
    sub = paychaos_stripe.v1.subscriptions.create(
        {
            "customer": customer.id,
            "items": [{"price": price.id}],
            "payment_behavior": "default_incomplete",
            "payment_settings": {"save_default_payment_method": "on_subscription"},
            "expand": ["latest_invoice.confirmation_secret"],
        }
    )
    assert sub.status == "incomplete"
    assert sub.latest_invoice.status == "open"
    secret = sub.latest_invoice.confirmation_secret.client_secret
    intent_id = secret.split("_secret_")[0]
    intent = paychaos_stripe.v1.payment_intents.retrieve(intent_id)
    assert intent.status == "requires_payment_method"
    assert "invoice.paid" not in _types(paychaos_emulator_control)
    intent = paychaos_stripe.v1.payment_intents.confirm(
        intent_id, {"payment_method": "pm_card_visa"}
    )
    assert intent.status == "succeeded" and intent.latest_charge.startswith("ch_")
    sub = paychaos_stripe.v1.subscriptions.retrieve(sub.id)
    assert sub.status == "active"
    assert sub.default_payment_method == intent.payment_method
    updated = paychaos_emulator_control.events(type="customer.subscription.updated")[-1]
    assert updated["data"]["previous_attributes"] == {
        "default_payment_method": None,
        "status": "incomplete",
    }


def test_the_older_version_expands_latest_invoice_payment_intent(
    paychaos_emulator, paychaos_stripe
):
    price = recurring_price(paychaos_stripe)
    customer = paychaos_stripe.v1.customers.create({})
    answer = requests.post(
        f"{paychaos_emulator.url}/v1/subscriptions",
        headers={
            "Authorization": f"Bearer {paychaos_emulator.api_key}",
            "Stripe-Version": "2020-08-27",
        },
        data={
            "customer": customer.id,
            "items[0][price]": price.id,
            "payment_behavior": "default_incomplete",
            "expand[0]": "latest_invoice.payment_intent",
        },
        timeout=30,
    )
    assert answer.status_code == 200, answer.text
    intent = answer.json()["latest_invoice"]["payment_intent"]
    assert (intent["object"], intent["status"]) == ("payment_intent", "requires_payment_method")
    assert intent["client_secret"].startswith(intent["id"])


def test_without_a_payment_method_only_default_incomplete_is_accepted(paychaos_stripe):
    price = recurring_price(paychaos_stripe)
    customer = paychaos_stripe.v1.customers.create({})
    with pytest.raises(stripe.InvalidRequestError, match="no attached payment source"):
        paychaos_stripe.v1.subscriptions.create(
            {"customer": customer.id, "items": [{"price": price.id}]}
        )


def test_a_declined_card_leaves_the_subscription_incomplete_or_fails_the_call(
    paychaos_stripe, paychaos_emulator_control
):
    price = recurring_price(paychaos_stripe)
    customer, _ = _customer_with_card(paychaos_stripe, token="tok_chargeDeclined")
    sub = paychaos_stripe.v1.subscriptions.create(
        {"customer": customer.id, "items": [{"price": price.id}]}
    )
    assert sub.status == "incomplete"
    assert _types(paychaos_emulator_control)[-2:] == [
        "invoice.payment_failed",
        "payment_intent.payment_failed",
    ]
    with pytest.raises(stripe.CardError):
        paychaos_stripe.v1.subscriptions.create(
            {
                "customer": customer.id,
                "items": [{"price": price.id}],
                "payment_behavior": "error_if_incomplete",
            }
        )


def _upgrade(client: Any, sub: Any, price: Any, behavior: str) -> Any:
    return client.v1.subscriptions.update(
        sub.id,
        {
            "items": [{"id": sub["items"].data[0].id, "price": price.id}],
            "proration_behavior": behavior,
        },
    )


def _active_subscription(client: Any, amount: int = 1000) -> tuple[Any, Any]:
    price = recurring_price(client, amount=amount)
    customer, _ = _customer_with_card(client)
    sub = client.v1.subscriptions.create({"customer": customer.id, "items": [{"price": price.id}]})
    return customer, sub


def test_an_upgrade_with_prorations_bills_them_on_the_next_invoice(
    paychaos_stripe, paychaos_emulator_control
):
    customer, sub = _active_subscription(paychaos_stripe, amount=1000)
    start, end = sub["items"].data[0].current_period_start, sub["items"].data[0].current_period_end
    paychaos_emulator_control.advance_clock((end - start) // 2)
    pro = recurring_price(paychaos_stripe, amount=3000)
    updated = _upgrade(paychaos_stripe, sub, pro, "create_prorations")
    assert updated["items"].data[0].price.id == pro.id
    event = paychaos_emulator_control.events(type="customer.subscription.updated")[-1]
    before = event["data"]["previous_attributes"]["items"]["data"][0]
    assert before["price"]["id"] == sub["items"].data[0].price.id
    preview = paychaos_stripe.v1.invoices.create_preview(
        {"customer": customer.id, "subscription": sub.id}
    )
    prorations = [
        line.amount
        for line in preview.lines.data
        if line.parent.subscription_item_details.proration
    ]
    assert prorations == [-500, 1500]
    assert preview.amount_due == 3000 + 1000
    paychaos_emulator_control.advance_clock(end - start)
    renewal = paychaos_stripe.v1.invoices.list({"subscription": sub.id}).data[0]
    assert renewal.billing_reason == "subscription_cycle"
    assert renewal.amount_paid == 4000


def test_always_invoice_charges_the_proration_now(paychaos_stripe, paychaos_emulator_control):
    _, sub = _active_subscription(paychaos_stripe, amount=1000)
    pro = recurring_price(paychaos_stripe, amount=3000)
    updated = _upgrade(paychaos_stripe, sub, pro, "always_invoice")
    assert updated.latest_invoice != sub.latest_invoice
    invoice = paychaos_stripe.v1.invoices.retrieve(updated.latest_invoice)
    assert (invoice.status, invoice.billing_reason, invoice.amount_paid) == (
        "paid",
        "subscription_update",
        2000,
    )
    event = paychaos_emulator_control.events(type="customer.subscription.updated")[-1]
    assert event["data"]["previous_attributes"]["latest_invoice"] == sub.latest_invoice


def test_no_prorations_changes_the_price_only(paychaos_stripe):
    customer, sub = _active_subscription(paychaos_stripe, amount=1000)
    pro = recurring_price(paychaos_stripe, amount=3000)
    _upgrade(paychaos_stripe, sub, pro, "none")
    preview = paychaos_stripe.v1.invoices.create_preview({"customer": customer.id})
    assert preview.amount_due == 3000
    assert len(preview.lines.data) == 1


def test_a_preview_shows_the_prorations_of_a_change_not_made(paychaos_stripe):
    customer, sub = _active_subscription(paychaos_stripe, amount=1000)
    pro = recurring_price(paychaos_stripe, amount=3000)
    preview = paychaos_stripe.v1.invoices.create_preview(
        {
            "customer": customer.id,
            "subscription": sub.id,
            "subscription_details": {
                "items": [{"id": sub["items"].data[0].id, "price": pro.id}],
                "proration_behavior": "create_prorations",
            },
        }
    )
    assert [line.amount for line in preview.lines.data] == [-1000, 3000, 3000]
    assert paychaos_stripe.v1.subscriptions.retrieve(sub.id)["items"].data[0].price.id != pro.id


def test_the_upcoming_endpoint_is_gone_in_new_versions(paychaos_emulator, paychaos_stripe):
    customer, _ = _active_subscription(paychaos_stripe)
    headers = {"Authorization": f"Bearer {paychaos_emulator.api_key}"}
    url = f"{paychaos_emulator.url}/v1/invoices/upcoming?customer={customer.id}"
    assert requests.get(url, headers=headers, timeout=30).status_code == 400
    old = requests.get(url, headers={**headers, "Stripe-Version": "2020-08-27"}, timeout=30)
    assert old.status_code == 200, old.text
    assert (old.json()["object"], old.json()["amount_due"]) == ("invoice", 1000)


def test_the_upcoming_invoice_of_a_plan_change_and_of_nothing(paychaos_emulator, paychaos_stripe):
    customer, sub = _active_subscription(paychaos_stripe, amount=1000)
    pro = recurring_price(paychaos_stripe, amount=3000)
    headers = {
        "Authorization": f"Bearer {paychaos_emulator.api_key}",
        "Stripe-Version": "2020-08-27",
    }
    url = f"{paychaos_emulator.url}/v1/invoices/upcoming"
    changed = requests.get(
        url,
        params={"customer": customer.id, "subscription": sub.id, "subscription_plan": pro.id},
        headers=headers,
        timeout=30,
    ).json()
    assert [(line["amount"], line["proration"]) for line in changed["lines"]["data"]] == [
        (-1000, True),
        (3000, True),
        (3000, False),
    ]
    paychaos_stripe.v1.subscriptions.update(sub.id, {"cancel_at_period_end": True})
    nothing = requests.get(url, params={"customer": customer.id}, headers=headers, timeout=30)
    assert nothing.status_code == 400
    assert nothing.json()["error"]["message"] == "Nothing to invoice for customer"


def test_cancel_at_period_end_ends_the_subscription_when_the_period_ends(
    paychaos_stripe, paychaos_emulator_control
):
    _, sub = _active_subscription(paychaos_stripe)
    end = sub["items"].data[0].current_period_end
    marked = paychaos_stripe.v1.subscriptions.update(sub.id, {"cancel_at_period_end": True})
    assert (marked.status, marked.cancel_at) == ("active", end)
    event = paychaos_emulator_control.events(type="customer.subscription.updated")[-1]
    assert event["data"]["previous_attributes"] == {
        "cancel_at": None,
        "cancel_at_period_end": False,
    }
    paychaos_emulator_control.advance_clock(end - paychaos_emulator_control.now() - 1)
    assert paychaos_stripe.v1.subscriptions.retrieve(sub.id).status == "active"
    paychaos_emulator_control.advance_clock(1)
    assert paychaos_stripe.v1.subscriptions.retrieve(sub.id).status == "canceled"
    assert _types(paychaos_emulator_control)[-1] == "customer.subscription.deleted"
    assert len(paychaos_stripe.v1.invoices.list({"subscription": sub.id}).data) == 1


def test_delete_cancels_at_once(paychaos_stripe, paychaos_emulator_control):
    _, sub = _active_subscription(paychaos_stripe)
    canceled = paychaos_stripe.v1.subscriptions.cancel(sub.id)
    assert canceled.status == "canceled"
    assert _types(paychaos_emulator_control)[-1] == "customer.subscription.deleted"


def test_refunds_in_part_then_in_full(paychaos_stripe, paychaos_emulator_control):
    _, sub = _active_subscription(paychaos_stripe, amount=1000)
    charge = paychaos_stripe.v1.charges.list({"customer": sub.customer}).data[0]
    part = paychaos_stripe.v1.refunds.create({"charge": charge.id, "amount": 400})
    assert (part.status, part.amount) == ("succeeded", 400)
    assert paychaos_stripe.v1.charges.retrieve(charge.id).amount_refunded == 400
    rest = paychaos_stripe.v1.refunds.create({"payment_intent": charge.payment_intent})
    assert rest.amount == 600
    assert paychaos_stripe.v1.refunds.retrieve(rest.id).charge == charge.id
    done = paychaos_stripe.v1.charges.retrieve(charge.id)
    assert (done.refunded, done.amount_refunded) == (True, 1000)
    assert _types(paychaos_emulator_control)[-4:] == [
        "charge.refunded",
        "refund.created",
        "charge.refunded",
        "refund.created",
    ]
    last = paychaos_emulator_control.events(type="charge.refunded")[-1]
    assert last["data"]["previous_attributes"] == {"amount_refunded": 400, "refunded": False}
    with pytest.raises(stripe.InvalidRequestError) as raised:
        paychaos_stripe.v1.refunds.create({"charge": charge.id})
    assert raised.value.code == "charge_already_refunded"


def test_a_portal_session_has_a_url(paychaos_stripe, paychaos_emulator_control):
    customer = paychaos_stripe.v1.customers.create({})
    session = paychaos_stripe.v1.billing_portal.sessions.create(
        {"customer": customer.id, "return_url": "http://127.0.0.1/account"}
    )
    assert session.id.startswith("bps_")
    assert session.url.startswith("https://billing.stripe.com/p/session/")
    assert (session.customer, session.return_url) == (customer.id, "http://127.0.0.1/account")
    assert _types(paychaos_emulator_control)[-1] == "billing_portal.session.created"


def test_an_upgrade_event_before_basil_names_the_old_price(paychaos_emulator, paychaos_stripe):
    _, sub = _active_subscription(paychaos_stripe, amount=1000)
    old_price = sub["items"].data[0].price.id
    pro = recurring_price(paychaos_stripe, amount=3000)
    _upgrade(paychaos_stripe, sub, pro, "none")
    answer = requests.get(
        f"{paychaos_emulator.url}/v1/events",
        params={"type": "customer.subscription.updated"},
        headers={
            "Authorization": f"Bearer {paychaos_emulator.api_key}",
            "Stripe-Version": "2020-08-27",
        },
        timeout=30,
    )
    event = answer.json()["data"][0]
    assert event["data"]["object"]["items"]["data"][0]["plan"]["id"] == pro.id
    previous = event["data"]["previous_attributes"]
    assert set(previous) == {"items"}
    assert previous["items"]["data"][0]["price"]["id"] == old_price
    assert previous["items"]["data"][0]["plan"]["id"] == old_price
