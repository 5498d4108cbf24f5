"""Invoices: made by subscriptions (first invoice); retrieve and list."""

from __future__ import annotations

from typing import Any

from paychaos.stripe_emulator.listing import list_of
from paychaos.stripe_emulator.params import LIST_PARAMS, Enum, Str
from paychaos.stripe_emulator.resources.common import nulls
from paychaos.stripe_emulator.resources.subscriptions import current_period
from paychaos.stripe_emulator.routing import Call, Route
from paychaos.stripe_emulator.state import EmulatorState


def subscription_line(
    state: EmulatorState,
    subscription: dict[str, Any],
    item: dict[str, Any],
    *,
    price: dict[str, Any] | None = None,
    amount: int | None = None,
    period: tuple[int, int] | None = None,
    proration: bool = False,
    description: str | None = None,
) -> dict[str, Any]:
    """An invoice line billing ``item`` of ``subscription`` (its ``invoice`` is set when the
    line goes on an invoice). Defaults: the item's price for the current period."""
    price = price or item["price"]
    start, end = period or current_period(subscription)
    if amount is None:
        amount = price["unit_amount"] * item["quantity"]
    return {
        "id": state.new_id("il_"),
        "object": "line_item",
        "amount": amount,
        "currency": price["currency"],
        "description": description or f"{item['quantity']} x {_product_name(state, price)}",
        "discount_amounts": [],
        "discountable": not proration,
        "discounts": [],
        "invoice": None,
        "livemode": False,
        "metadata": {},
        "parent": {
            "invoice_item_details": None,
            "subscription_item_details": {
                "invoice_item": None,
                "proration": proration,
                "proration_details": {"credited_items": None},
                "subscription": subscription["id"],
                "subscription_item": item["id"],
            },
            "type": "subscription_item_details",
        },
        "period": {"start": start, "end": end},
        "pretax_credit_amounts": [],
        "pricing": {
            "price_details": {"price": price["id"], "product": price["product"]},
            "type": "price_details",
            "unit_amount_decimal": price["unit_amount_decimal"],
        },
        "quantity": item["quantity"],
        "quantity_decimal": str(item["quantity"]),
        "subscription": subscription["id"],
        "subtotal": amount,
        "taxes": [],
    }


def new_subscription_invoice(
    state: EmulatorState,
    subscription: dict[str, Any],
    *,
    payment_intent: str | None,
    status: str,
    billing_reason: str = "subscription_create",
    extra_lines: list[dict[str, Any]] | None = None,
    period_lines: bool = True,
    preview: bool = False,
) -> dict[str, Any]:
    """Store an invoice of ``subscription`` (its first, or a renewal) in ``status`` (paid or open).

    ``extra_lines`` (prorations) come first; ``period_lines`` bills every item for the current
    period. ``preview`` builds the invoice without storing it (the upcoming invoice).
    """
    invoice_id = state.new_id("in_")
    period_start = current_period(subscription)[0]
    item_lines = list(extra_lines or [])
    if period_lines:
        item_lines += [
            subscription_line(state, subscription, i) for i in subscription["items"]["data"]
        ]
    for line in item_lines:
        line["invoice"] = invoice_id
    total = sum(line["amount"] for line in item_lines)
    paid = status == "paid"
    now = state.now()
    customer = state.store.find(subscription["customer"]) or {}
    if payment_intent is not None:
        state.store.invoice_payments[invoice_id] = payment_intent
    invoice = {
        "id": invoice_id,
        "object": "invoice",
        "account_country": "US",
        "account_name": "paychaos",
        "amount_due": total,
        "amount_overpaid": 0,
        "amount_paid": total if paid else 0,
        "amount_paid_off_stripe": 0,
        "amount_remaining": 0 if paid else total,
        "amount_shipping": 0,
        "attempt_count": 1,
        "attempted": True,
        "auto_advance": not paid,
        "automatic_tax": {
            "disabled_reason": None,
            "enabled": False,
            "liability": None,
            "provider": None,
            "status": None,
        },
        "billing_reason": billing_reason,
        "collection_method": "charge_automatically",
        "created": now,
        "currency": subscription["currency"],
        "customer": subscription["customer"],
        "customer_email": customer.get("email"),
        "customer_name": customer.get("name"),
        "customer_phone": customer.get("phone"),
        "customer_tax_exempt": "none",
        "customer_tax_ids": [],
        "default_tax_rates": [],
        "description": None,
        "discounts": [],
        "ending_balance": 0,
        "effective_at": now,
        "hosted_invoice_url": f"https://invoice.stripe.com/i/{invoice_id}",
        "invoice_pdf": f"https://pay.stripe.com/invoice/{invoice_id}/pdf",
        "issuer": {"account": None, "type": "self"},
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
                "subscription_proration_date": None,
            },
            "type": "subscription_details",
        },
        "payment_settings": {
            "default_mandate": None,
            "payment_method_options": None,
            "payment_method_types": None,
        },
        "period_end": period_start,
        "period_start": period_start,
        "post_payment_credit_notes_amount": 0,
        "pre_payment_credit_notes_amount": 0,
        "starting_balance": 0,
        "status": status,
        "status_transitions": {
            "finalized_at": now,
            "marked_uncollectible_at": None,
            "paid_at": now if paid else None,
            "voided_at": None,
        },
        "subtotal": total,
        "subtotal_excluding_tax": total,
        "total": total,
        "total_discount_amounts": [],
        "total_excluding_tax": total,
        "total_pretax_credit_amounts": [],
        "total_taxes": [],
        "webhooks_delivered_at": now,
        **nulls(
            "account_tax_ids",
            "application",
            "automatically_finalizes_at",
            "custom_fields",
            "customer_account",
            "customer_address",
            "customer_shipping",
            "default_payment_method",
            "default_source",
            "due_date",
            "footer",
            "from_invoice",
            "last_finalization_error",
            "latest_revision",
            "next_payment_attempt",
            "on_behalf_of",
            "receipt_number",
            "rendering",
            "shipping_cost",
            "shipping_details",
            "statement_descriptor",
            "status_details",
            "test_clock",
            "threshold_reason",
        ),
    }
    return invoice if preview else state.store.add(invoice)


def subscription_of(invoice: dict[str, Any]) -> str | None:
    """The id of the subscription an invoice bills, or None."""
    details = (invoice.get("parent") or {}).get("subscription_details")
    return details["subscription"] if details else None


def _product_name(state: EmulatorState, price: dict[str, Any]) -> str:
    product = state.store.find(price["product"]) or {}
    return str(product.get("name", ""))


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
            and (p.get("subscription") is None or subscription_of(invoice) == p["subscription"])
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
