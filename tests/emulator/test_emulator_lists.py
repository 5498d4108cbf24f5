"""List pagination and ``expand[]``, as the stripe library uses them."""

from __future__ import annotations

import pytest
import stripe
from emulator_helpers import subscription_session


def test_pages_walk_newest_first_without_gaps_or_repeats(paychaos_stripe):
    ids = [paychaos_stripe.v1.customers.create({"name": f"c{i}"}).id for i in range(7)]
    page = paychaos_stripe.v1.customers.list({"limit": 3})
    assert [c.id for c in page.data] == ids[::-1][:3]
    assert page.has_more is True
    assert page.url == "/v1/customers"
    seen = [c.id for c in page.auto_paging_iter()]
    assert seen == ids[::-1]


def test_starting_after_and_ending_before_page_both_ways(paychaos_stripe):
    ids = [paychaos_stripe.v1.customers.create({}).id for _ in range(5)][::-1]  # newest first
    after = paychaos_stripe.v1.customers.list({"limit": 2, "starting_after": ids[1]})
    assert [c.id for c in after.data] == ids[2:4]
    assert after.has_more is True
    last = paychaos_stripe.v1.customers.list({"limit": 2, "starting_after": ids[3]})
    assert [c.id for c in last.data] == ids[4:]
    assert last.has_more is False
    before = paychaos_stripe.v1.customers.list({"limit": 2, "ending_before": ids[4]})
    assert [c.id for c in before.data] == ids[2:4]
    assert before.has_more is True


def test_limit_out_of_range_is_refused(paychaos_stripe):
    with pytest.raises(stripe.InvalidRequestError) as info:
        paychaos_stripe.v1.customers.list({"limit": 101})
    assert info.value.param == "limit"


def test_expand_replaces_ids_with_objects_on_retrieve(paychaos_stripe, paychaos_emulator_control):
    session = subscription_session(paychaos_stripe)
    paychaos_emulator_control.complete_session(session.id)
    full = paychaos_stripe.v1.checkout.sessions.retrieve(
        session.id,
        {"expand": ["subscription", "customer", "line_items", "subscription.latest_invoice"]},
    )
    assert full.subscription.object == "subscription"
    assert full.subscription.latest_invoice.object == "invoice"
    assert full.customer.object == "customer"
    assert full.line_items.data[0].quantity == 1
    plain = paychaos_stripe.v1.checkout.sessions.retrieve(session.id)
    assert isinstance(plain.subscription, str)
    assert "line_items" not in plain


def test_expand_data_fields_on_lists(paychaos_stripe, paychaos_emulator_control):
    for _ in range(2):
        session = subscription_session(paychaos_stripe)
        paychaos_emulator_control.complete_session(session.id)
    listed = paychaos_stripe.v1.checkout.sessions.list({"expand": ["data.subscription"]})
    assert [s.subscription.status for s in listed.data] == ["active", "active"]


def test_expanding_a_plain_field_is_refused(paychaos_stripe):
    session = subscription_session(paychaos_stripe)
    with pytest.raises(stripe.InvalidRequestError) as info:
        paychaos_stripe.v1.checkout.sessions.retrieve(session.id, {"expand": ["success_url"]})
    assert "cannot be expanded" in info.value.user_message


def test_expand_walks_arrays_as_dj_stripe_asks_for_a_session(
    paychaos_stripe, paychaos_emulator_control
):
    """dj-stripe retrieves every session with these three paths: an array (a line item's
    ``discounts``, empty here) expands element by element, as at Stripe."""
    session = subscription_session(paychaos_stripe)
    paychaos_emulator_control.complete_session(session.id)
    full = paychaos_stripe.v1.checkout.sessions.retrieve(
        session.id,
        {"expand": ["line_items", "total_details.breakdown", "line_items.data.discounts"]},
    )
    assert full.line_items.data[0].discounts == []
    assert full.line_items.data[0].quantity == 1


def test_includable_fields_appear_when_expanded(paychaos_stripe, paychaos_emulator_control):
    """What dj-stripe expands on every customer (``sources``) and price (``tiers``): absent
    unless asked for, present when asked for, as at Stripe."""
    session = subscription_session(paychaos_stripe)
    paychaos_emulator_control.complete_session(session.id)
    done = paychaos_stripe.v1.checkout.sessions.retrieve(session.id)
    customer_id, subscription_id = done.customer, done.subscription
    plain = paychaos_stripe.v1.customers.retrieve(customer_id)
    assert "sources" not in plain and "subscriptions" not in plain
    customer = paychaos_stripe.v1.customers.retrieve(
        customer_id, {"expand": ["default_source", "sources", "subscriptions", "tax_ids"]}
    )
    assert customer.default_source is None
    assert customer.sources.data == [] and customer.tax_ids.data == []
    assert [s.id for s in customer.subscriptions.data] == [subscription_id]
    price_id = paychaos_stripe.v1.subscriptions.retrieve(subscription_id)["items"].data[0].price.id
    price = paychaos_stripe.v1.prices.retrieve(
        price_id, {"expand": ["product", "tiers", "currency_options"]}
    )
    assert price.product.object == "product"
    assert price.tiers is None
    assert price.currency_options["usd"].unit_amount == price.unit_amount
