"""Subscriptions created and changed through the API (Elements flows), and what they bill:
the first invoice and its payment, prorations on a price change, confirming an incomplete
subscription's payment intent, and the upcoming-invoice preview."""

from __future__ import annotations

from typing import Any

from paychaos.stripe_emulator.errors import StripeApiError, invalid
from paychaos.stripe_emulator.flows import PAYMENT_ERROR_FIELDS
from paychaos.stripe_emulator.params import (
    Bool,
    Enum,
    Int,
    ListOf,
    Metadata,
    Obj,
    Str,
)
from paychaos.stripe_emulator.resources.charges import emit_payment_succeeded
from paychaos.stripe_emulator.resources.common import add_interval, apply_changes
from paychaos.stripe_emulator.resources.invoices import (
    mark_paid,
    new_subscription_invoice,
    subscription_line,
)
from paychaos.stripe_emulator.resources.payment_intents import mark_succeeded, new_payment_intent
from paychaos.stripe_emulator.resources.payment_methods import (
    DECLINING_LAST4,
    attached_payment_method,
    payment_method_of,
)
from paychaos.stripe_emulator.resources.prices import plan_of
from paychaos.stripe_emulator.resources.subscriptions import (
    UPDATE_FIELDS,
    current_period,
    new_subscription,
    plain_changes,
    require_updatable,
)
from paychaos.stripe_emulator.routing import Call, Route
from paychaos.stripe_emulator.state import EmulatorState, snapshot

PAYMENT_BEHAVIORS = (
    "allow_incomplete",
    "default_incomplete",
    "error_if_incomplete",
    "pending_if_incomplete",
)
PRORATION_BEHAVIORS = ("create_prorations", "none", "always_invoice")
NEW_ITEM = {"price": Str(), "plan": Str(), "quantity": Int(minimum=0), "metadata": Metadata()}
CHANGED_ITEM = {**NEW_ITEM, "id": Str(), "deleted": Bool(), "clear_usage": Bool()}
PAYMENT_SETTINGS = Obj(
    {
        "save_default_payment_method": Enum(("off", "on_subscription")),
        "payment_method_types": ListOf(Str()),
    }
)
CREATE_FIELDS = {
    "customer": Str(required=True),
    "items": ListOf(Obj(NEW_ITEM), max_items=20),
    # The single-plan form of ``items`` older integrations still send.
    "plan": Str(),
    "quantity": Int(minimum=1),
    "default_payment_method": Str(),
    "payment_behavior": Enum(PAYMENT_BEHAVIORS),
    "payment_settings": PAYMENT_SETTINGS,
    "proration_behavior": Enum(PRORATION_BEHAVIORS),
    "cancel_at_period_end": Bool(),
    "collection_method": Enum(("charge_automatically",)),
    "off_session": Bool(),
    "metadata": Metadata(),
    "description": Str(max_length=500),
}
UPDATE_WITH_ITEMS = {
    **UPDATE_FIELDS,
    "items": ListOf(Obj(CHANGED_ITEM), max_items=20),
    "plan": Str(),
    "quantity": Int(minimum=1),
    "proration_date": Int(minimum=0),
    "payment_behavior": Enum(PAYMENT_BEHAVIORS),
    "payment_settings": PAYMENT_SETTINGS,
    "off_session": Bool(),
}
CONFIRM_FIELDS = {"payment_method": Str(), "return_url": Str(), "off_session": Bool()}
PREVIEW_ITEM = Obj(CHANGED_ITEM)
UPCOMING_FIELDS = {
    "customer": Str(),
    "subscription": Str(),
    "subscription_items": ListOf(PREVIEW_ITEM, max_items=20),
    "subscription_proration_behavior": Enum(PRORATION_BEHAVIORS),
    "subscription_proration_date": Int(minimum=0),
    # The single-plan form of ``subscription_items`` older integrations still send.
    "subscription_plan": Str(),
}
CREATE_PREVIEW_FIELDS = {
    "customer": Str(),
    "subscription": Str(),
    "subscription_details": Obj(
        {
            "items": ListOf(PREVIEW_ITEM, max_items=20),
            "proration_behavior": Enum(PRORATION_BEHAVIORS),
            "proration_date": Int(minimum=0),
        }
    ),
}
# The first API version without ``GET /v1/invoices/upcoming`` (``create_preview`` replaced it).
UPCOMING_REMOVED_IN = "2025-03-31"


def _recurring_price(state: EmulatorState, price_id: str, param: str) -> dict[str, Any]:
    price = state.store.get("price", price_id, param=param)
    if not price["recurring"]:
        raise invalid(
            "The price specified is set to `type=one_time` but this field only accepts prices "
            "with `type=recurring`.",
            param=param,
        )
    return price


def _requested_items(state: EmulatorState, p: dict[str, Any]) -> list[dict[str, Any]]:
    """``items`` (or the older ``plan``/``quantity``) as ``{"price", "quantity"}`` lines."""
    items = list(p.get("items") or [])
    if p.get("plan"):
        items.append({"price": p["plan"], "quantity": p.get("quantity", 1)})
    if not items:
        raise invalid("Missing required param: items.", param="items", code="parameter_missing")
    lines = []
    for index, item in enumerate(items):
        price_id = item.get("price") or item.get("plan")
        if not price_id:
            raise invalid(
                f"Missing required param: items[{index}][price].",
                param=f"items[{index}][price]",
                code="parameter_missing",
            )
        price = _recurring_price(state, price_id, f"items[{index}][price]")
        lines.append({"price": price, "quantity": item.get("quantity", 1)})
    intervals = {
        (li["price"]["recurring"]["interval"], li["price"]["recurring"]["interval_count"])
        for li in lines
    }
    if len(intervals) > 1:
        raise invalid(
            "All prices on a subscription must have the same `recurring.interval` and "
            "`recurring.interval_count`.",
            param="items",
        )
    return lines


def _paying_method(state: EmulatorState, subscription: dict[str, Any]) -> str | None:
    """The payment method Stripe charges for ``subscription``: its own default, else the
    customer's ``invoice_settings.default_payment_method``."""
    if subscription["default_payment_method"]:
        return str(subscription["default_payment_method"])
    customer = state.store.find(subscription["customer"]) or {}
    default = (customer.get("invoice_settings") or {}).get("default_payment_method")
    return str(default) if default else None


def _declines(state: EmulatorState, method_id: str | None) -> bool:
    method = state.store.find(method_id) if method_id else None
    return bool(method and method["card"]["last4"] in DECLINING_LAST4)


def _payment_failed(
    state: EmulatorState,
    intent: dict[str, Any],
    invoice: dict[str, Any] | None,
    request: dict[str, Any],
) -> None:
    intent["status"] = "requires_payment_method"
    intent["last_payment_error"] = {
        **dict.fromkeys(PAYMENT_ERROR_FIELDS),
        "code": "card_declined",
        "decline_code": "generic_decline",
        "message": "Your card was declined.",
        "payment_method_type": "card",
        "type": "card_error",
    }
    if invoice is not None:
        state.emit("invoice.payment_failed", invoice, request=request)
    state.emit("payment_intent.payment_failed", intent, request=request)


def _card_declined() -> StripeApiError:
    return StripeApiError(402, "Your card was declined.", type="card_error", code="card_declined")


def create_subscription(call: Call) -> dict[str, Any]:
    state, p = call.state, call.params
    customer = state.store.get("customer", p["customer"], param="customer")
    lines = _requested_items(state, p)
    method_id: str | None = None
    if p.get("default_payment_method"):
        method_id = attached_payment_method(
            state, customer, p["default_payment_method"], "default_payment_method"
        )["id"]
    behavior = p.get("payment_behavior", "allow_incomplete")
    paying = method_id or customer["invoice_settings"]["default_payment_method"]
    if paying is None and behavior != "default_incomplete":
        raise invalid(
            "This customer has no attached payment source or default payment method. "
            "Please consider adding a default payment method.",
        )
    declined = _declines(state, paying)
    if declined and behavior == "error_if_incomplete":
        raise _card_declined()
    charge_now = paying is not None and behavior != "default_incomplete"
    paid = charge_now and not declined
    subscription = new_subscription(
        state,
        customer=customer["id"],
        line_items=lines,
        status="active" if paid else "incomplete",
        metadata=p.get("metadata"),
        description=p.get("description"),
    )
    subscription["default_payment_method"] = method_id
    if p.get("cancel_at_period_end"):
        subscription["cancel_at_period_end"] = True
        subscription["cancel_at"] = current_period(subscription)[1]
    if p.get("payment_settings"):
        subscription["payment_settings"] = {
            "payment_method_options": None,
            "payment_method_types": p["payment_settings"].get("payment_method_types"),
            "save_default_payment_method": p["payment_settings"].get(
                "save_default_payment_method", "off"
            ),
        }
    amount = sum(li["price"]["unit_amount"] * li["quantity"] for li in lines)
    if paid:
        intent_status = "succeeded"
    elif paying is not None and behavior == "default_incomplete":
        intent_status = "requires_confirmation"
    else:
        intent_status = "requires_payment_method"
    intent = new_payment_intent(
        state,
        amount=amount,
        currency=subscription["currency"],
        customer=customer["id"],
        status=intent_status,
        payment_method=paying if intent_status != "requires_payment_method" or declined else None,
    )
    invoice = new_subscription_invoice(
        state, subscription, payment_intent=intent["id"], status="paid" if paid else "open"
    )
    invoice["attempted"] = charge_now
    invoice["attempt_count"] = 1 if charge_now else 0
    subscription["latest_invoice"] = invoice["id"]
    request = call.request
    state.emit("customer.subscription.created", subscription, request=request)
    state.emit("invoice.created", invoice, request=request)
    state.emit("invoice.finalized", invoice, request=request)
    if paid:
        state.emit("invoice.paid", invoice, request=request)
        state.emit("invoice.payment_succeeded", invoice, request=request)
        emit_payment_succeeded(state, intent, request)
    elif declined and charge_now:
        _payment_failed(state, intent, invoice, request)
    return subscription


def confirm_payment_intent(call: Call) -> dict[str, Any]:
    """``POST /v1/payment_intents/{id}/confirm``: what Stripe.js does on the client page; an
    invoice's intent paying also pays the invoice and activates an incomplete subscription."""
    state, p = call.state, call.params
    intent = state.store.get("payment_intent", call.args["id"])
    if intent["status"] not in ("requires_payment_method", "requires_confirmation"):
        raise invalid(
            f"This PaymentIntent's status is {intent['status']}, so it cannot be confirmed.",
            code="payment_intent_unexpected_state",
        )
    if p.get("payment_method"):
        intent["payment_method"] = payment_method_of(state, p["payment_method"], "payment_method")[
            "id"
        ]
    if intent["payment_method"] is None:
        raise invalid(
            "You cannot confirm this PaymentIntent because it's missing a payment method.",
            param="payment_method",
            code="payment_intent_unexpected_state",
        )
    invoice_id = next(
        (inv for inv, pi in state.store.invoice_payments.items() if pi == intent["id"]), None
    )
    invoice = state.store.get("invoice", invoice_id) if invoice_id else None
    request = call.request
    if _declines(state, intent["payment_method"]):
        _payment_failed(state, intent, invoice, request)
        raise _card_declined()
    intent["last_payment_error"] = None
    mark_succeeded(state, intent)
    emit_payment_succeeded(state, intent, request)
    if invoice is not None:
        previous_invoice = mark_paid(state, invoice)
        state.emit(
            "invoice.updated", invoice, previous_attributes=previous_invoice, request=request
        )
        state.emit("invoice.paid", invoice, request=request)
        state.emit("invoice.payment_succeeded", invoice, request=request)
        sub_id = ((invoice.get("parent") or {}).get("subscription_details") or {}).get(
            "subscription"
        )
        subscription = state.store.find(sub_id) if sub_id else None
        if subscription is not None and subscription["status"] in ("incomplete", "past_due"):
            changes: dict[str, Any] = {"status": "active"}
            settings = subscription["payment_settings"] or {}
            if settings.get("save_default_payment_method") == "on_subscription":
                changes["default_payment_method"] = intent["payment_method"]
            previous = apply_changes(subscription, changes)
            state.emit(
                "customer.subscription.updated",
                subscription,
                previous_attributes=previous,
                request=request,
            )
    return intent


# -- changing items: prorations -------------------------------------------------------------


def _change_items(
    state: EmulatorState,
    subscription: dict[str, Any],
    requested: list[dict[str, Any]],
    proration_date: int,
    prorate: bool,
) -> list[dict[str, Any]]:
    """Apply ``items[...]`` changes to ``subscription`` (in place); returns proration lines."""
    items = subscription["items"]["data"]
    start, end = current_period(subscription)
    fraction = max(0, end - proration_date) / max(1, end - start)
    prorations: list[dict[str, Any]] = []

    def prorate_line(item: dict[str, Any], sign: int, label: str) -> None:
        amount = round(sign * item["price"]["unit_amount"] * item["quantity"] * fraction)
        if not prorate or amount == 0:
            return
        prorations.append(
            subscription_line(
                state,
                subscription,
                item,
                amount=amount,
                period=(proration_date, end),
                proration=True,
                description=f"{label} time on {item['quantity']} x "
                f"{_product_name(state, item['price'])}",
            )
        )

    for index, change in enumerate(requested):
        param = f"items[{index}]"
        price_id = change.get("price") or change.get("plan")
        if change.get("id"):
            item = next((i for i in items if i["id"] == change["id"]), None)
            if item is None:
                raise invalid(f"Invalid subscription_item id: {change['id']}", param=f"{param}[id]")
            before = dict(item)
            if change.get("deleted"):
                prorate_line(before, -1, "Unused")
                items.remove(item)
                continue
            if price_id:
                price = _recurring_price(state, price_id, f"{param}[price]")
                item["price"], item["plan"] = price, plan_of(price)
            if "quantity" in change:
                item["quantity"] = change["quantity"]
            if "metadata" in change:
                item["metadata"] = {**item["metadata"], **(change["metadata"] or {})}
            if (before["price"]["id"], before["quantity"]) != (
                item["price"]["id"],
                item["quantity"],
            ):
                prorate_line(before, -1, "Unused")
                prorate_line(item, 1, "Remaining")
        else:
            if not price_id:
                raise invalid(
                    f"Missing required param: {param}[price].",
                    param=f"{param}[price]",
                    code="parameter_missing",
                )
            price = _recurring_price(state, price_id, f"{param}[price]")
            item = {
                **items[0],
                "id": state.new_id("si_"),
                "created": state.now(),
                "metadata": change.get("metadata") or {},
                "plan": plan_of(price),
                "price": price,
                "quantity": change.get("quantity", 1),
            }
            items.append(item)
            prorate_line(item, 1, "Remaining")
    if not items:
        raise invalid("A subscription must keep at least one item.", param="items")
    if {i["price"]["currency"] for i in items} != {subscription["currency"]}:
        raise invalid("All prices on a subscription must have the same currency.", param="items")
    subscription["items"]["total_count"] = len(items)
    return prorations


def _product_name(state: EmulatorState, price: dict[str, Any]) -> str:
    product = state.store.find(price["product"]) or {}
    return str(product.get("name", ""))


def _single_item_change(p: dict[str, Any], subscription: dict[str, Any]) -> list[dict[str, Any]]:
    """``items`` of an update, with the older ``plan``/``quantity`` form on a one-item
    subscription turned into a change of that item."""
    requested = list(p.get("items") or [])
    if p.get("plan") or "quantity" in p:
        if len(subscription["items"]["data"]) != 1:
            raise invalid(
                "`plan` and `quantity` apply only to a subscription with one item; use `items`.",
                param="plan",
            )
        change: dict[str, Any] = {"id": subscription["items"]["data"][0]["id"]}
        if p.get("plan"):
            change["price"] = p["plan"]
        if "quantity" in p:
            change["quantity"] = p["quantity"]
        requested.append(change)
    return requested


def update_subscription(call: Call) -> dict[str, Any]:
    state, p = call.state, call.params
    subscription = state.store.get("subscription", call.args["id"])
    require_updatable(subscription, p)
    requested = _single_item_change(p, subscription)
    behavior = p.get("proration_behavior", "create_prorations")
    previous: dict[str, Any] = {}
    prorations: list[dict[str, Any]] = []
    if requested:
        items_before = snapshot(subscription["items"])
        prorations = _change_items(
            state,
            subscription,
            requested,
            p.get("proration_date", state.now()),
            prorate=behavior != "none",
        )
        if subscription["items"] != items_before:
            previous["items"] = items_before
    previous.update(apply_changes(subscription, plain_changes(subscription, p)))
    invoice: dict[str, Any] | None = None
    intent: dict[str, Any] | None = None
    if prorations and behavior == "always_invoice":
        pending = state.store.pending_lines.pop(subscription["id"], [])
        paying = _paying_method(state, subscription)
        amount = sum(line["amount"] for line in [*pending, *prorations])
        paid = amount <= 0 or (paying is not None and not _declines(state, paying))
        if amount > 0:
            intent = new_payment_intent(
                state,
                amount=amount,
                currency=subscription["currency"],
                customer=subscription["customer"],
                status="succeeded" if paid else "requires_payment_method",
                payment_method=paying,
            )
        invoice = new_subscription_invoice(
            state,
            subscription,
            payment_intent=intent["id"] if intent else None,
            status="paid" if paid else "open",
            billing_reason="subscription_update",
            extra_lines=[*pending, *prorations],
            period_lines=False,
        )
        previous["latest_invoice"] = subscription["latest_invoice"]
        subscription["latest_invoice"] = invoice["id"]
    elif prorations:
        state.store.pending_lines.setdefault(subscription["id"], []).extend(prorations)
    request = call.request
    if previous:
        state.emit(
            "customer.subscription.updated",
            subscription,
            previous_attributes=previous,
            request=request,
        )
    if invoice is not None:
        state.emit("invoice.created", invoice, request=request)
        state.emit("invoice.finalized", invoice, request=request)
        if invoice["status"] == "paid":
            state.emit("invoice.paid", invoice, request=request)
            state.emit("invoice.payment_succeeded", invoice, request=request)
            if intent is not None:
                emit_payment_succeeded(state, intent, request)
        elif intent is not None:
            _payment_failed(state, intent, invoice, request)
    return subscription


# -- the upcoming invoice ------------------------------------------------------------------


def _nothing_to_invoice() -> StripeApiError:
    # Stripe's exact words: integrations compare the message to tell "none" from a failure.
    return invalid("Nothing to invoice for customer", code="invoice_upcoming_none")


def _preview(
    call: Call,
    customer_id: str | None,
    subscription_id: str | None,
    items: list[dict[str, Any]],
    behavior: str,
    proration_date: int | None,
) -> dict[str, Any]:
    state = call.state
    if customer_id is None and subscription_id is None:
        raise invalid(
            "Missing required param: customer.", param="customer", code="parameter_missing"
        )
    subscription: dict[str, Any] | None
    if subscription_id is not None:
        subscription = state.store.get("subscription", subscription_id, param="subscription")
    else:
        state.store.get("customer", str(customer_id), param="customer")
        subscription = next(
            (
                s
                for s in state.store.newest_first("subscription")
                if s["customer"] == customer_id
                and s["status"] in ("active", "trialing", "past_due")
            ),
            None,
        )
        if subscription is None:
            raise _nothing_to_invoice()
    if customer_id is not None and subscription["customer"] != customer_id:
        raise invalid(
            f"The subscription {subscription['id']} does not belong to customer {customer_id}.",
            param="subscription",
        )
    if subscription["status"] in ("canceled", "incomplete_expired") or (
        subscription["cancel_at_period_end"] and not items
    ):
        raise _nothing_to_invoice()
    draft = snapshot(subscription)
    lines = snapshot({"l": state.store.pending_lines.get(subscription["id"], [])})["l"]
    if items:
        lines += _change_items(
            state,
            draft,
            items,
            proration_date if proration_date is not None else state.now(),
            prorate=behavior != "none",
        )
    # The next period's invoice: every item billed for the period after the current one.
    recurring = draft["items"]["data"][0]["price"]["recurring"]
    start = current_period(draft)[1]
    end = add_interval(start, recurring["interval"], recurring["interval_count"])
    for item in draft["items"]["data"]:
        item["current_period_start"], item["current_period_end"] = start, end
    invoice = new_subscription_invoice(
        state,
        draft,
        payment_intent=None,
        status="draft",
        billing_reason="upcoming",
        extra_lines=lines,
        preview=True,
    )
    invoice["period_start"] = invoice["period_end"] = start
    invoice["attempted"] = False
    invoice["attempt_count"] = 0
    invoice["status_transitions"]["finalized_at"] = None
    invoice["created"] = start
    invoice["hosted_invoice_url"] = invoice["invoice_pdf"] = invoice["number"] = None
    invoice["webhooks_delivered_at"] = None
    invoice["next_payment_attempt"] = start
    return invoice


def _version_of(call: Call) -> str:
    return call.version or call.state.config.api_version


def upcoming_invoice(call: Call) -> dict[str, Any]:
    if _version_of(call) >= UPCOMING_REMOVED_IN:
        raise invalid(
            "The upcoming invoice endpoint is not available in API version "
            f"{_version_of(call)}: use POST /v1/invoices/create_preview.",
        )
    p = call.params
    items = list(p.get("subscription_items") or [])
    if p.get("subscription_plan") and p.get("subscription"):
        current = call.state.store.get("subscription", p["subscription"], param="subscription")
        items += _single_item_change({"plan": p["subscription_plan"]}, current)
    return _preview(
        call,
        p.get("customer"),
        p.get("subscription"),
        items,
        p.get("subscription_proration_behavior", "create_prorations"),
        p.get("subscription_proration_date"),
    )


def create_preview(call: Call) -> dict[str, Any]:
    p = call.params
    details = p.get("subscription_details") or {}
    return _preview(
        call,
        p.get("customer"),
        p.get("subscription"),
        details.get("items") or [],
        details.get("proration_behavior", "create_prorations"),
        details.get("proration_date"),
    )


ROUTES = [
    Route("POST", "/v1/subscriptions", create_subscription, CREATE_FIELDS),
    Route("POST", "/v1/subscriptions/{id}", update_subscription, UPDATE_WITH_ITEMS),
    Route("POST", "/v1/payment_intents/{id}/confirm", confirm_payment_intent, CONFIRM_FIELDS),
    Route("GET", "/v1/invoices/upcoming", upcoming_invoice, UPCOMING_FIELDS),
    Route("POST", "/v1/invoices/create_preview", create_preview, CREATE_PREVIEW_FIELDS),
]
