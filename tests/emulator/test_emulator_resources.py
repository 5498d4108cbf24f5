"""Every emulated resource, exercised through the official stripe library."""

from __future__ import annotations

import stripe
from emulator_helpers import one_time_price, payment_session, recurring_price, subscription_session


def test_customers_can_be_created_retrieved_updated_listed_and_deleted(paychaos_stripe):
    customer = paychaos_stripe.v1.customers.create(
        {"email": "ada@example.com", "name": "Ada", "metadata": {"tier": "gold"}}
    )
    assert customer.id.startswith("cus_")
    assert paychaos_stripe.v1.customers.retrieve(customer.id).email == "ada@example.com"
    updated = paychaos_stripe.v1.customers.update(
        customer.id, {"name": "Ada L.", "metadata": {"tier": "", "team": "x"}}
    )
    assert updated.name == "Ada L."
    assert updated.metadata.to_dict() == {"team": "x"}
    paychaos_stripe.v1.customers.create({"email": "bob@example.com"})
    listed = paychaos_stripe.v1.customers.list({"email": "ada@example.com"})
    assert [c.id for c in listed.data] == [customer.id]
    gone = paychaos_stripe.v1.customers.delete(customer.id)
    assert gone.deleted is True
    assert len(paychaos_stripe.v1.customers.list().data) == 1


def test_products_and_prices_round_trip(paychaos_stripe):
    price = recurring_price(paychaos_stripe, amount=990)
    assert price.id.startswith("price_")
    assert price.type == "recurring"
    assert price.recurring.interval == "month"
    assert paychaos_stripe.v1.prices.retrieve(price.id).unit_amount == 990
    product = paychaos_stripe.v1.products.retrieve(price.product)
    assert product.name == "Pro plan"
    once = one_time_price(paychaos_stripe)
    assert once.type == "one_time"
    assert [p.id for p in paychaos_stripe.v1.prices.list({"type": "one_time"}).data] == [once.id]
    assert paychaos_stripe.v1.products.update(product.id, {"active": False}).active is False
    assert paychaos_stripe.v1.products.list({"active": True}).data[0].id == once.product


def test_inline_price_data_creates_a_price_for_the_session(paychaos_stripe):
    session = paychaos_stripe.v1.checkout.sessions.create(
        {
            "mode": "payment",
            "success_url": "http://127.0.0.1/ok",
            "line_items": [
                {
                    "price_data": {
                        "currency": "usd",
                        "unit_amount": 700,
                        "product_data": {"name": "Sticker"},
                    },
                    "quantity": 3,
                }
            ],
        }
    )
    assert session.amount_total == 2100
    items = paychaos_stripe.v1.checkout.sessions.line_items.list(session.id)
    assert items.data[0].description == "Sticker"
    assert items.data[0].price.unit_amount == 700


def test_checkout_session_in_subscription_mode_is_open_and_unpaid(paychaos_stripe):
    session = subscription_session(paychaos_stripe)
    assert session.id.startswith("cs_test_")
    assert session.object == "checkout.session"
    assert (session.mode, session.status, session.payment_status) == (
        "subscription",
        "open",
        "unpaid",
    )
    assert session.url and session.subscription is None
    assert session.metadata["company_id"] == "7"
    assert session.expires_at == session.created + 24 * 3600
    again = paychaos_stripe.v1.checkout.sessions.retrieve(session.id)
    assert again.to_dict() == session.to_dict()


def test_checkout_session_in_payment_mode_totals_its_line_items(paychaos_stripe):
    session = payment_session(paychaos_stripe, client_reference_id="order-42")
    assert session.mode == "payment"
    assert session.amount_total == 5000
    assert session.currency == "eur"
    assert session.client_reference_id == "order-42"
    items = paychaos_stripe.v1.checkout.sessions.line_items.list(session.id)
    assert [i.quantity for i in items.data] == [2]


def test_checkout_sessions_list_filters_by_status(paychaos_stripe):
    first = subscription_session(paychaos_stripe)
    second = payment_session(paychaos_stripe)
    paychaos_stripe.v1.checkout.sessions.expire(first.id)
    listed = paychaos_stripe.v1.checkout.sessions.list()
    assert [s.id for s in listed.data] == [second.id, first.id]
    expired = paychaos_stripe.v1.checkout.sessions.list({"status": "expired"})
    assert [s.id for s in expired.data] == [first.id]


def test_expire_ends_an_open_session_and_refuses_a_second_time(paychaos_stripe):
    session = subscription_session(paychaos_stripe)
    expired = paychaos_stripe.v1.checkout.sessions.expire(session.id)
    assert expired.status == "expired"
    assert expired.url is None
    try:
        paychaos_stripe.v1.checkout.sessions.expire(session.id)
    except stripe.InvalidRequestError as exc:
        assert exc.http_status == 400
    else:
        raise AssertionError("expiring an expired session must fail")


def test_subscription_can_be_retrieved_listed_updated_and_canceled(
    paychaos_stripe, paychaos_emulator_control
):
    session = subscription_session(paychaos_stripe)
    paychaos_emulator_control.complete_session(session.id, outcome="paid")
    sub_id = paychaos_stripe.v1.checkout.sessions.retrieve(session.id).subscription
    sub = paychaos_stripe.v1.subscriptions.retrieve(sub_id)
    assert sub.status == "active"
    assert sub["items"].data[0].price.unit_amount == 1500
    assert [
        s.id for s in paychaos_stripe.v1.subscriptions.list({"customer": sub.customer}).data
    ] == [sub_id]
    updated = paychaos_stripe.v1.subscriptions.update(
        sub_id, {"cancel_at_period_end": True, "metadata": {"k": "v"}}
    )
    assert updated.cancel_at_period_end is True
    assert updated.cancel_at == sub["items"].data[0].current_period_end
    canceled = paychaos_stripe.v1.subscriptions.cancel(sub_id)
    assert canceled.status == "canceled"
    assert paychaos_stripe.v1.subscriptions.list().data == []
    assert len(paychaos_stripe.v1.subscriptions.list({"status": "canceled"}).data) == 1
    deleted = paychaos_emulator_control.events(type="customer.subscription.deleted")
    assert deleted[-1]["request"]["id"] is not None  # caused by an API call


def test_payment_intent_and_invoice_of_a_paid_checkout_can_be_retrieved(
    paychaos_stripe, paychaos_emulator_control
):
    paid = payment_session(paychaos_stripe)
    paychaos_emulator_control.complete_session(paid.id)
    intent = paychaos_stripe.v1.payment_intents.retrieve(
        paychaos_stripe.v1.checkout.sessions.retrieve(paid.id).payment_intent
    )
    assert intent.id.startswith("pi_")
    assert (intent.status, intent.amount, intent.amount_received) == ("succeeded", 5000, 5000)
    sub_session = subscription_session(paychaos_stripe)
    paychaos_emulator_control.complete_session(sub_session.id)
    session = paychaos_stripe.v1.checkout.sessions.retrieve(sub_session.id)
    invoice = paychaos_stripe.v1.invoices.retrieve(session.invoice)
    assert invoice.id.startswith("in_")
    assert (
        invoice.status,
        invoice.amount_paid,
        invoice.parent.subscription_details.subscription,
    ) == (
        "paid",
        1500,
        session.subscription,
    )


def test_events_can_be_listed_by_type_and_retrieved(paychaos_stripe, paychaos_emulator_control):
    session = subscription_session(paychaos_stripe)
    paychaos_emulator_control.complete_session(session.id)
    completed = paychaos_stripe.v1.events.list({"type": "checkout.session.completed"})
    assert len(completed.data) == 1
    event = paychaos_stripe.v1.events.retrieve(completed.data[0].id)
    assert event.id.startswith("evt_")
    assert event.data.object.id == session.id
    assert event.data.object.status == "complete"
    assert event.request.id is None  # the customer acted, not an API call
    wildcard = paychaos_stripe.v1.events.list({"type": "invoice.*"})
    assert {e.type for e in wildcard.data} == {
        "invoice.created",
        "invoice.finalized",
        "invoice.paid",
        "invoice.payment_succeeded",
    }


def test_webhook_endpoints_show_their_secret_only_on_create(paychaos_stripe):
    created = paychaos_stripe.v1.webhook_endpoints.create(
        {"url": "http://127.0.0.1:9/hooks", "enabled_events": ["checkout.session.completed"]}
    )
    assert created.id.startswith("we_")
    assert created.secret.startswith("whsec_")
    listed = paychaos_stripe.v1.webhook_endpoints.list()
    assert [e.id for e in listed.data] == [created.id]
    assert "secret" not in listed.data[0]
    assert paychaos_stripe.v1.webhook_endpoints.delete(created.id).deleted is True
    assert paychaos_stripe.v1.webhook_endpoints.list().data == []


def test_the_keys_own_account_is_retrieved(paychaos_stripe):
    """``GET /v1/account``: the platform's own account, the same on every call."""
    first = paychaos_stripe.v1.accounts.retrieve_current()
    assert first.object == "account" and first.id.startswith("acct_")
    assert first.charges_enabled is True and first.type == "standard"
    assert paychaos_stripe.v1.accounts.retrieve_current().id == first.id
