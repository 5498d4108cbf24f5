"""Invoices: made by subscriptions (first invoice); retrieve and list."""

from __future__ import annotations

from typing import Any

from paychaos.stripe_emulator.listing import list_of
from paychaos.stripe_emulator.params import LIST_PARAMS, Enum, Str
from paychaos.stripe_emulator.routing import Call, Route
from paychaos.stripe_emulator.state import EmulatorState


def new_subscription_invoice(
    state: EmulatorState,
    subscription: dict[str, Any],
    *,
    payment_intent: str | None,
    status: str,
    billing_reason: str = "subscription_create",
) -> dict[str, Any]:
    """Store an invoice of ``subscription`` (its first, or a renewal) in ``status`` (paid or open)."""
    invoice_id = state.new_id("in_")
    item_lines = []
    total = 0
    for item in subscription["items"]["data"]:
        amount = item["price"]["unit_amount"] * item["quantity"]
        total += amount
        item_lines.append(
            {
                "id": state.new_id("il_"),
                "object": "line_item",
                "amount": amount,
                "currency": item["price"]["currency"],
                "description": None,
                "invoice": invoice_id,
                "livemode": False,
                "metadata": {},
                "period": {
                    "start": subscription["current_period_start"],
                    "end": subscription["current_period_end"],
                },
                "pricing": {"price_details": {"price": item["price"]["id"]}},
                "quantity": item["quantity"],
                "subscription": subscription["id"],
            }
        )
    paid = status == "paid"
    now = state.now()
    return state.store.add(
        {
            "id": invoice_id,
            "object": "invoice",
            "amount_due": total,
            "amount_paid": total if paid else 0,
            "amount_remaining": 0 if paid else total,
            "attempt_count": 1,
            "billing_reason": billing_reason,
            "collection_method": "charge_automatically",
            "created": now,
            "currency": subscription["currency"],
            "customer": subscription["customer"],
            "description": None,
            "hosted_invoice_url": None,
            "lines": {
                "object": "list",
                "data": item_lines,
                "has_more": False,
                "url": f"/v1/invoices/{invoice_id}/lines",
            },
            "livemode": False,
            "metadata": {},
            "number": f"{invoice_id[3:11].upper()}-0001",
            "parent": {
                "quote_details": None,
                "subscription_details": {
                    "metadata": subscription["metadata"],
                    "subscription": subscription["id"],
                },
                "type": "subscription_details",
            },
            "payment_intent": payment_intent,
            "period_end": subscription["current_period_start"],
            "period_start": subscription["current_period_start"],
            "status": status,
            "status_transitions": {
                "finalized_at": now,
                "marked_uncollectible_at": None,
                "paid_at": now if paid else None,
                "voided_at": None,
            },
            "subscription": subscription["id"],
            "subtotal": total,
            "total": total,
        }
    )


def mark_paid(state: EmulatorState, invoice: dict[str, Any]) -> dict[str, Any]:
    """Turn an open invoice paid; returns ``previous_attributes``."""
    previous = {
        "amount_paid": invoice["amount_paid"],
        "amount_remaining": invoice["amount_remaining"],
        "status": invoice["status"],
        "status_transitions": dict(invoice["status_transitions"]),
    }
    invoice["amount_paid"] = invoice["amount_due"]
    invoice["amount_remaining"] = 0
    invoice["status"] = "paid"
    invoice["status_transitions"]["paid_at"] = state.now()
    return previous


def retrieve(call: Call) -> dict[str, Any]:
    return call.state.store.get("invoice", call.args["id"])


def list_invoices(call: Call) -> dict[str, Any]:
    p = call.params

    def keep(invoice: dict[str, Any]) -> bool:
        return (
            (p.get("customer") is None or invoice["customer"] == p["customer"])
            and (p.get("subscription") is None or invoice["subscription"] == p["subscription"])
            and (p.get("status") is None or invoice["status"] == p["status"])
        )

    return list_of(call.state.store.newest_first("invoice"), p, "/v1/invoices", keep)


ROUTES = [
    Route(
        "GET",
        "/v1/invoices",
        list_invoices,
        {
            **LIST_PARAMS,
            "customer": Str(),
            "subscription": Str(),
            "status": Enum(("draft", "open", "paid", "uncollectible", "void")),
        },
    ),
    Route("GET", "/v1/invoices/{id}", retrieve),
]
