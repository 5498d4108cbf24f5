"""Subscriptions: retrieve, list, cancel; creating and updating them (which bills) is in
``subscription_billing``."""

from __future__ import annotations

from typing import Any

from paychaos.stripe_emulator.errors import invalid
from paychaos.stripe_emulator.listing import list_of
from paychaos.stripe_emulator.params import LIST_PARAMS, Bool, Enum, Int, Metadata, Obj, Str
from paychaos.stripe_emulator.resources.common import add_interval, merge_metadata, nulls
from paychaos.stripe_emulator.resources.prices import plan_of
from paychaos.stripe_emulator.routing import Call, Route
from paychaos.stripe_emulator.state import EmulatorState

STATUSES = (
    "incomplete",
    "incomplete_expired",
    "trialing",
    "active",
    "past_due",
    "canceled",
    "unpaid",
    "paused",
)
UPDATE_FIELDS = {
    "metadata": Metadata(),
    "cancel_at_period_end": Bool(),
    "cancel_at": Int(minimum=0),
    "description": Str(max_length=500),
    "default_payment_method": Str(),
    "proration_behavior": Enum(("create_prorations", "none", "always_invoice")),
    "cancellation_details": Obj({"comment": Str(), "feedback": Str()}),
}
CANCEL_FIELDS = {
    "invoice_now": Bool(),
    "prorate": Bool(),
    "cancellation_details": Obj({"comment": Str(), "feedback": Str()}),
}


def new_subscription(
    state: EmulatorState,
    *,
    customer: str,
    line_items: list[dict[str, Any]],
    status: str,
    metadata: dict[str, str] | None = None,
    description: str | None = None,
) -> dict[str, Any]:
    """Store a subscription for the recurring ``line_items`` of a Checkout Session."""
    sub_id = state.new_id("sub_")
    now = state.now()
    recurring = [li for li in line_items if li["price"]["recurring"]]
    first = recurring[0]["price"]["recurring"]
    period_end = add_interval(now, first["interval"], first["interval_count"])
    items = [
        {
            "id": state.new_id("si_"),
            "object": "subscription_item",
            "created": now,
            "current_period_end": period_end,
            "current_period_start": now,
            "discounts": [],
            "metadata": {},
            "plan": plan_of(li["price"]),
            "price": li["price"],
            "quantity": li["quantity"],
            "subscription": sub_id,
            "tax_rates": [],
            **nulls("billed_until", "billing_thresholds", "current_trial"),
        }
        for li in recurring
    ]
    return state.store.add(
        {
            "id": sub_id,
            "object": "subscription",
            "billing_cycle_anchor": now,
            "cancel_at": None,
            "cancel_at_period_end": False,
            "canceled_at": None,
            "cancellation_details": {
                "comment": None,
                "feedback": None,
                "feedback_option": None,
                "reason": None,
            },
            "collection_method": "charge_automatically",
            "created": now,
            "currency": recurring[0]["price"]["currency"],
            "customer": customer,
            "default_payment_method": None,
            "description": description,
            "ended_at": None,
            "items": {
                "object": "list",
                "data": items,
                "has_more": False,
                "total_count": len(items),
                "url": f"/v1/subscription_items?subscription={sub_id}",
            },
            "latest_invoice": None,
            "livemode": False,
            "metadata": metadata or {},
            "pending_update": None,
            "start_date": now,
            "status": status,
            "test_clock": None,
            "trial_end": None,
            "trial_start": None,
            "automatic_tax": {"disabled_reason": None, "enabled": False, "liability": None},
            "billing_mode": {"flexible": None, "type": "classic", "updated_at": None},
            "billing_schedules": [],
            "default_tax_rates": [],
            "discounts": [],
            "invoice_settings": {
                "account_tax_ids": None,
                "custom_fields": None,
                "description": None,
                "footer": None,
                "issuer": {"account": None, "type": "self"},
            },
            **nulls(
                "application",
                "application_fee_percent",
                "billing_cycle_anchor_config",
                "billing_thresholds",
                "customer_account",
                "days_until_due",
                "default_source",
                "managed_payments",
                "next_pending_invoice_item_invoice",
                "on_behalf_of",
                "pause_collection",
                "payment_settings",
                "pending_invoice_item_interval",
                "pending_setup_intent",
                "presentment_details",
                "schedule",
                "status_details",
                "transfer_data",
                "trial_settings",
            ),
        }
    )


def current_period(subscription: dict[str, Any]) -> tuple[int, int]:
    """(start, end) of the billing period; it lives on the items (all items share it here)."""
    item = subscription["items"]["data"][0]
    return item["current_period_start"], item["current_period_end"]


def cancel_now(
    state: EmulatorState,
    subscription: dict[str, Any],
    *,
    reason: str = "cancellation_requested",
    details: dict[str, Any] | None = None,
    request: dict[str, Any] | None = None,
) -> dict[str, Any]:
    """End ``subscription`` at once and emit ``customer.subscription.deleted``."""
    if subscription["status"] in ("canceled", "incomplete_expired"):
        raise invalid(
            f"This subscription has already been canceled: {subscription['id']}",
            param="subscription",
        )
    now = state.now()
    subscription["status"] = "canceled"
    subscription["canceled_at"] = now
    subscription["ended_at"] = now
    subscription["cancellation_details"] = {
        "comment": (details or {}).get("comment"),
        "feedback": (details or {}).get("feedback"),
        "feedback_option": None,
        "reason": reason,
    }
    state.emit("customer.subscription.deleted", subscription, request=request)
    return subscription


def retrieve(call: Call) -> dict[str, Any]:
    return call.state.store.get("subscription", call.args["id"])


def require_updatable(subscription: dict[str, Any], params: dict[str, Any]) -> None:
    """A canceled subscription takes only cancellation details and metadata."""
    if subscription["status"] == "canceled" and set(params) - {
        "metadata",
        "cancellation_details",
        "expand",
    }:
        raise invalid(
            "A canceled subscription can only update its cancellation_details and metadata.",
        )


def plain_changes(subscription: dict[str, Any], p: dict[str, Any]) -> dict[str, Any]:
    """The field changes an update asks for, items and prorations aside."""
    changes: dict[str, Any] = {}
    for key in ("description", "default_payment_method", "cancel_at"):
        if key in p:
            changes[key] = p[key]
    if "metadata" in p:
        changes["metadata"] = merge_metadata(subscription["metadata"], p["metadata"])
    if "cancel_at_period_end" in p:
        changes["cancel_at_period_end"] = p["cancel_at_period_end"]
        changes["cancel_at"] = (
            current_period(subscription)[1] if p["cancel_at_period_end"] else None
        )
    if p.get("cancellation_details"):
        changes["cancellation_details"] = {
            **subscription["cancellation_details"],
            **p["cancellation_details"],
        }
    return changes


def cancel(call: Call) -> dict[str, Any]:
    subscription = call.state.store.get("subscription", call.args["id"])
    return cancel_now(
        call.state,
        subscription,
        details=call.params.get("cancellation_details"),
        request=call.request,
    )


def list_subscriptions(call: Call) -> dict[str, Any]:
    p = call.params
    status = p.get("status")

    def keep(sub: dict[str, Any]) -> bool:
        if p.get("customer") is not None and sub["customer"] != p["customer"]:
            return False
        if p.get("price") is not None and all(
            i["price"]["id"] != p["price"] for i in sub["items"]["data"]
        ):
            return False
        if status is None:  # Stripe's default hides canceled subscriptions
            return sub["status"] not in ("canceled", "incomplete_expired")
        if status == "all":
            return True
        if status == "ended":
            return sub["status"] in ("canceled", "incomplete_expired")
        return sub["status"] == status

    return list_of(call.state.store.newest_first("subscription"), p, "/v1/subscriptions", keep)


ROUTES = [
    Route(
        "GET",
        "/v1/subscriptions",
        list_subscriptions,
        {
            **LIST_PARAMS,
            "customer": Str(),
            "price": Str(),
            "status": Enum((*STATUSES, "all", "ended")),
        },
    ),
    Route("GET", "/v1/subscriptions/{id}", retrieve),
    Route("DELETE", "/v1/subscriptions/{id}", cancel, CANCEL_FIELDS),
]
