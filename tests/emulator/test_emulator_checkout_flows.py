"""Checkout as the customer drives it through the control API, and the events Stripe emits."""

from __future__ import annotations

import pytest
from emulator_helpers import payment_session, subscription_session

from paychaos.stripe_emulator import EmulatorControlError


def _types(ctl) -> list[str]:
    return [e["type"] for e in ctl.events()]


def test_paid_subscription_checkout_is_complete_paid_with_an_active_subscription(
    paychaos_stripe, paychaos_emulator_control
):
    session = subscription_session(paychaos_stripe, customer_email="ada@example.com")
    paychaos_emulator_control.complete_session(session.id, outcome="paid")
    done = paychaos_stripe.v1.checkout.sessions.retrieve(session.id)
    assert (done.status, done.payment_status) == ("complete", "paid")
    assert done.customer.startswith("cus_")
    assert done.url is None
    subscription = paychaos_stripe.v1.subscriptions.retrieve(done.subscription)
    assert subscription.status == "active"
    assert subscription.customer == done.customer
    invoice = paychaos_stripe.v1.invoices.retrieve(subscription.latest_invoice)
    assert invoice.status == "paid"
    assert paychaos_stripe.v1.customers.retrieve(done.customer).email == "ada@example.com"
    assert _types(paychaos_emulator_control)[-9:] == [
        "customer.created",
        "customer.subscription.created",
        "invoice.created",
        "invoice.finalized",
        "invoice.paid",
        "invoice.payment_succeeded",
        "charge.succeeded",
        "payment_intent.succeeded",
        "checkout.session.completed",
    ]
    completed = paychaos_emulator_control.events(type="checkout.session.completed")[0]
    assert completed["data"]["object"]["subscription"] == done.subscription
    assert completed["data"]["object"]["payment_status"] == "paid"


def test_paid_payment_checkout_has_a_succeeded_payment_intent(
    paychaos_stripe, paychaos_emulator_control
):
    session = payment_session(paychaos_stripe)
    paychaos_emulator_control.complete_session(session.id)
    done = paychaos_stripe.v1.checkout.sessions.retrieve(session.id)
    assert (done.status, done.payment_status, done.subscription) == ("complete", "paid", None)
    assert done.payment_intent.startswith("pi_")
    assert _types(paychaos_emulator_control)[-3:] == [
        "charge.succeeded",
        "payment_intent.succeeded",
        "checkout.session.completed",
    ]


def test_delayed_payment_completes_unpaid_then_succeeds(paychaos_stripe, paychaos_emulator_control):
    session = subscription_session(paychaos_stripe)
    paychaos_emulator_control.complete_session(session.id, outcome="delayed")
    pending = paychaos_stripe.v1.checkout.sessions.retrieve(session.id)
    assert (pending.status, pending.payment_status) == ("complete", "unpaid")
    assert paychaos_stripe.v1.subscriptions.retrieve(pending.subscription).status == "incomplete"
    assert "invoice.paid" not in _types(paychaos_emulator_control)
    paychaos_emulator_control.async_payment(session.id, succeeded=True)
    settled = paychaos_stripe.v1.checkout.sessions.retrieve(session.id)
    assert settled.payment_status == "paid"
    assert paychaos_stripe.v1.subscriptions.retrieve(settled.subscription).status == "active"
    events = paychaos_emulator_control.events()
    assert events[-1]["type"] == "checkout.session.async_payment_succeeded"
    updated = [e for e in events if e["type"] == "customer.subscription.updated"][-1]
    assert updated["data"]["previous_attributes"] == {"status": "incomplete"}
    assert updated["data"]["object"]["status"] == "active"


def test_money_arriving_after_a_cancel_does_not_bring_the_subscription_back(
    paychaos_stripe, paychaos_emulator_control
):
    session = subscription_session(paychaos_stripe)
    paychaos_emulator_control.complete_session(session.id, outcome="delayed")
    sub_id = paychaos_stripe.v1.checkout.sessions.retrieve(session.id).subscription
    paychaos_emulator_control.cancel_subscription(sub_id)
    paychaos_emulator_control.async_payment(session.id, succeeded=True)
    assert paychaos_stripe.v1.checkout.sessions.retrieve(session.id).payment_status == "paid"
    assert paychaos_stripe.v1.subscriptions.retrieve(sub_id).status == "canceled"
    assert "customer.subscription.updated" not in _types(paychaos_emulator_control)


def test_delayed_payment_that_fails_leaves_the_session_unpaid(
    paychaos_stripe, paychaos_emulator_control
):
    session = payment_session(paychaos_stripe)
    paychaos_emulator_control.complete_session(session.id, outcome="delayed")
    paychaos_emulator_control.async_payment(session.id, succeeded=False)
    done = paychaos_stripe.v1.checkout.sessions.retrieve(session.id)
    assert (done.status, done.payment_status) == ("complete", "unpaid")
    assert (
        paychaos_stripe.v1.payment_intents.retrieve(done.payment_intent).status
        == "requires_payment_method"
    )
    assert _types(paychaos_emulator_control)[-2:] == [
        "payment_intent.payment_failed",
        "checkout.session.async_payment_failed",
    ]
    with pytest.raises(EmulatorControlError):
        paychaos_emulator_control.async_payment(session.id, succeeded=True)


def test_declined_card_leaves_the_session_open_and_emits_nothing(
    paychaos_stripe, paychaos_emulator_control
):
    session = subscription_session(paychaos_stripe)
    before = len(paychaos_emulator_control.events())
    paychaos_emulator_control.complete_session(session.id, outcome="declined")
    assert paychaos_stripe.v1.checkout.sessions.retrieve(session.id).status == "open"
    assert len(paychaos_emulator_control.events()) == before
    paychaos_emulator_control.complete_session(session.id, outcome="paid")  # the customer retries
    assert paychaos_stripe.v1.checkout.sessions.retrieve(session.id).payment_status == "paid"


def test_a_session_cannot_be_paid_twice_or_after_expiry(paychaos_stripe, paychaos_emulator_control):
    session = subscription_session(paychaos_stripe)
    paychaos_emulator_control.complete_session(session.id)
    with pytest.raises(EmulatorControlError) as info:
        paychaos_emulator_control.complete_session(session.id)
    assert info.value.status == 400
    other = subscription_session(paychaos_stripe)
    paychaos_emulator_control.expire_session(other.id)
    with pytest.raises(EmulatorControlError):
        paychaos_emulator_control.complete_session(other.id)


def test_sessions_expire_when_the_clock_passes_expires_at(
    paychaos_stripe, paychaos_emulator_control
):
    session = subscription_session(paychaos_stripe)
    paychaos_emulator_control.advance_clock(24 * 3600 - 1)
    assert paychaos_stripe.v1.checkout.sessions.retrieve(session.id).status == "open"
    paychaos_emulator_control.advance_clock(1)
    assert paychaos_stripe.v1.checkout.sessions.retrieve(session.id).status == "expired"
    expired = paychaos_emulator_control.events(type="checkout.session.expired")
    assert [e["data"]["object"]["id"] for e in expired] == [session.id]
    assert expired[0]["request"] == {"id": None, "idempotency_key": None}


def test_control_cancel_emits_subscription_deleted_without_a_request(
    paychaos_stripe, paychaos_emulator_control
):
    session = subscription_session(paychaos_stripe)
    paychaos_emulator_control.complete_session(session.id)
    sub_id = paychaos_stripe.v1.checkout.sessions.retrieve(session.id).subscription
    paychaos_emulator_control.cancel_subscription(sub_id)
    assert paychaos_stripe.v1.subscriptions.retrieve(sub_id).status == "canceled"
    deleted = paychaos_emulator_control.events(type="customer.subscription.deleted")
    assert deleted[0]["data"]["object"]["id"] == sub_id
    assert deleted[0]["request"]["id"] is None


def test_api_update_emits_previous_attributes_and_the_request(
    paychaos_stripe, paychaos_emulator_control
):
    session = subscription_session(paychaos_stripe)
    paychaos_emulator_control.complete_session(session.id)
    sub_id = paychaos_stripe.v1.checkout.sessions.retrieve(session.id).subscription
    paychaos_stripe.v1.subscriptions.update(sub_id, {"metadata": {"seat": "3"}})
    event = paychaos_emulator_control.events(type="customer.subscription.updated")[-1]
    assert event["data"]["previous_attributes"] == {"metadata": {}}
    assert event["data"]["object"]["metadata"] == {"seat": "3"}
    assert event["request"]["id"].startswith("req_")
    assert event["request"]["idempotency_key"]  # the stripe library sends one on every POST


def test_the_clock_moves_only_when_advanced(paychaos_emulator_control):
    start = paychaos_emulator_control.now()
    assert paychaos_emulator_control.now() == start
    assert paychaos_emulator_control.advance_clock(90) == start + 90
    assert paychaos_emulator_control.now() == start + 90


def test_a_subscription_renews_when_the_clock_passes_its_period_end(
    paychaos_stripe, paychaos_emulator_control
):
    session = subscription_session(paychaos_stripe)
    paychaos_emulator_control.complete_session(session.id)
    sub_id = paychaos_stripe.v1.checkout.sessions.retrieve(session.id).subscription
    before = paychaos_stripe.v1.subscriptions.retrieve(sub_id)
    period_end = before["items"].data[0].current_period_end  # on the items since 2025-03-31
    paychaos_emulator_control.advance_clock(period_end - paychaos_emulator_control.now())
    after = paychaos_stripe.v1.subscriptions.retrieve(sub_id)
    assert after.status == "active"
    assert after["items"].data[0].current_period_start == period_end
    assert after.latest_invoice != before.latest_invoice
    assert (
        paychaos_stripe.v1.invoices.retrieve(after.latest_invoice).billing_reason
        == "subscription_cycle"
    )
    updated = paychaos_emulator_control.events(type="customer.subscription.updated")[-1]
    previous_items = updated["data"]["previous_attributes"]["items"]["data"]
    assert previous_items[0]["current_period_end"] == period_end


def test_cancel_at_period_end_ends_the_subscription_when_the_period_ends(
    paychaos_stripe, paychaos_emulator_control
):
    session = subscription_session(paychaos_stripe)
    paychaos_emulator_control.complete_session(session.id)
    sub_id = paychaos_stripe.v1.checkout.sessions.retrieve(session.id).subscription
    sub = paychaos_stripe.v1.subscriptions.update(sub_id, {"cancel_at_period_end": True})
    period_end = sub["items"].data[0].current_period_end
    paychaos_emulator_control.advance_clock(period_end - paychaos_emulator_control.now() + 1)
    assert paychaos_stripe.v1.subscriptions.retrieve(sub_id).status == "canceled"
    assert paychaos_emulator_control.events()[-1]["type"] == "customer.subscription.deleted"
