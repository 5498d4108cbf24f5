"""Charges: made when a payment intent succeeds; retrieve and list."""

from __future__ import annotations

from typing import Any

from paychaos.stripe_emulator.listing import list_of
from paychaos.stripe_emulator.params import LIST_PARAMS, Str
from paychaos.stripe_emulator.resources.common import nulls
from paychaos.stripe_emulator.routing import Call, Route
from paychaos.stripe_emulator.state import EmulatorState

# Card details of the charge of an intent paid without a stored payment method (Checkout).
CHECKOUT_CARD = {"brand": "visa", "last4": "4242", "funding": "credit", "country": "US"}


def new_charge(state: EmulatorState, intent: dict[str, Any]) -> dict[str, Any]:
    """Store the successful charge of ``intent`` and link it as ``latest_charge``."""
    charge_id = state.new_id("ch_")
    method = state.store.find(intent["payment_method"]) if intent["payment_method"] else None
    card = method["card"] if method else CHECKOUT_CARD
    charge = state.store.add(
        {
            "id": charge_id,
            "object": "charge",
            "amount": intent["amount"],
            "amount_captured": intent["amount"],
            "amount_refunded": 0,
            "billing_details": (method or {}).get("billing_details")
            or {"address": None, "email": None, "name": None, "phone": None, "tax_id": None},
            "calculated_statement_descriptor": "PAYCHAOS",
            "captured": True,
            "created": state.now(),
            "currency": intent["currency"],
            "customer": intent["customer"],
            "description": intent["description"],
            "disputed": False,
            "fraud_details": {"stripe_report": None, "user_report": None},
            "livemode": False,
            "metadata": dict(intent["metadata"]),
            "outcome": {
                "network_status": "approved_by_network",
                "reason": None,
                "risk_level": "normal",
                "risk_score": 20,
                "seller_message": "Payment complete.",
                "type": "authorized",
                **nulls("advice_code", "network_advice_code", "network_decline_code", "rule"),
            },
            "paid": True,
            "payment_intent": intent["id"],
            "payment_method": intent["payment_method"],
            "payment_method_details": {
                "card": {
                    "brand": card["brand"],
                    "country": card["country"],
                    "exp_month": 12,
                    "exp_year": 2034,
                    "funding": card["funding"],
                    "last4": card["last4"],
                    "network": card["brand"],
                    **nulls(
                        "amount_authorized",
                        "authorization_code",
                        "capture_before",
                        "checks",
                        "description",
                        "electronic_commerce_indicator",
                        "extended_authorization",
                        "fingerprint",
                        "iin",
                        "incremental_authorization",
                        "installments",
                        "issuer",
                        "mandate",
                        "moto",
                        "multicapture",
                        "network_token",
                        "network_transaction_id",
                        "overcapture",
                        "regulated_status",
                        "setup_credential_usage",
                        "stored_credential_usage",
                        "three_d_secure",
                        "transaction_link_id",
                        "wallet",
                    ),
                },
                "type": "card",
            },
            "receipt_url": f"https://pay.stripe.com/receipts/{charge_id}",
            "refunded": False,
            "status": "succeeded",
            **nulls(
                "application",
                "application_fee",
                "application_fee_amount",
                "authorization_code",
                "balance_transaction",
                "failure_balance_transaction",
                "failure_code",
                "failure_message",
                "level3",
                "on_behalf_of",
                "presentment_details",
                "radar_options",
                "receipt_email",
                "receipt_number",
                "review",
                "shipping",
                "source",
                "source_transfer",
                "statement_descriptor",
                "statement_descriptor_suffix",
                "transfer",
                "transfer_data",
                "transfer_group",
            ),
        }
    )
    intent["latest_charge"] = charge["id"]
    return charge


def emit_payment_succeeded(
    state: EmulatorState, intent: dict[str, Any], request: dict[str, Any] | None = None
) -> None:
    """``charge.succeeded`` then ``payment_intent.succeeded``, Stripe's order for a paid intent."""
    if intent["latest_charge"] is not None:
        charge = state.store.get("charge", intent["latest_charge"])
        state.emit("charge.succeeded", charge, request=request)
    state.emit("payment_intent.succeeded", intent, request=request)


def retrieve(call: Call) -> dict[str, Any]:
    return call.state.store.get("charge", call.args["id"])


def list_charges(call: Call) -> dict[str, Any]:
    p = call.params

    def keep(charge: dict[str, Any]) -> bool:
        return (p.get("customer") is None or charge["customer"] == p["customer"]) and (
            p.get("payment_intent") is None or charge["payment_intent"] == p["payment_intent"]
        )

    return list_of(call.state.store.newest_first("charge"), p, "/v1/charges", keep)


ROUTES = [
    Route(
        "GET",
        "/v1/charges",
        list_charges,
        {**LIST_PARAMS, "customer": Str(), "payment_intent": Str()},
    ),
    Route("GET", "/v1/charges/{id}", retrieve),
]
