"""Payment intents: made by Checkout (payment mode) and by invoices; retrieve and list."""

from __future__ import annotations

from typing import Any

from paychaos.stripe_emulator.listing import lister
from paychaos.stripe_emulator.params import LIST_PARAMS, Str
from paychaos.stripe_emulator.resources.charges import new_charge
from paychaos.stripe_emulator.resources.common import nulls
from paychaos.stripe_emulator.routing import Call, Route
from paychaos.stripe_emulator.state import EmulatorState


def new_payment_intent(
    state: EmulatorState,
    *,
    amount: int,
    currency: str,
    customer: str | None,
    status: str,
    metadata: dict[str, str] | None = None,
    description: str | None = None,
    payment_method: str | None = None,
) -> dict[str, Any]:
    """Store a payment intent in ``status`` (succeeded, processing, requires_payment_method,
    requires_confirmation); a succeeded one gets its charge."""
    intent_id = state.new_id("pi_")
    intent = state.store.add(
        {
            "id": intent_id,
            "object": "payment_intent",
            "amount": amount,
            "amount_capturable": 0,
            "amount_received": amount if status == "succeeded" else 0,
            "canceled_at": None,
            "cancellation_reason": None,
            "capture_method": "automatic",
            "client_secret": f"{intent_id}_secret_{state.new_id('')[:16]}",
            "confirmation_method": "automatic",
            "created": state.now(),
            "currency": currency,
            "customer": customer,
            "description": description,
            "last_payment_error": None,
            "latest_charge": None,
            "livemode": False,
            "metadata": metadata or {},
            "payment_method": payment_method,
            "payment_method_types": ["card"],
            "status": status,
            **nulls(
                "allowed_payment_method_types",
                "amount_details",
                "application",
                "application_fee_amount",
                "automatic_payment_methods",
                "customer_account",
                "excluded_payment_method_types",
                "hooks",
                "managed_payments",
                "next_action",
                "on_behalf_of",
                "payment_details",
                "payment_method_configuration_details",
                "payment_method_options",
                "payment_record",
                "presentment_details",
                "processing",
                "receipt_email",
                "review",
                "setup_future_usage",
                "shipping",
                "source",
                "statement_descriptor",
                "statement_descriptor_suffix",
                "transfer_data",
                "transfer_group",
            ),
        }
    )
    if status == "succeeded":
        new_charge(state, intent)
    return intent


def mark_succeeded(state: EmulatorState, intent: dict[str, Any]) -> dict[str, Any]:
    """A payment in progress goes through: the intent succeeds and gets its charge;
    returns ``previous_attributes``."""
    previous = {
        "amount_received": intent["amount_received"],
        "latest_charge": intent["latest_charge"],
        "status": intent["status"],
    }
    intent["status"] = "succeeded"
    intent["amount_received"] = intent["amount"]
    new_charge(state, intent)
    return previous


def retrieve(call: Call) -> dict[str, Any]:
    return call.state.store.get("payment_intent", call.args["id"])


ROUTES = [
    Route(
        "GET",
        "/v1/payment_intents",
        lister("payment_intent", "/v1/payment_intents", "customer"),
        {**LIST_PARAMS, "customer": Str()},
    ),
    Route("GET", "/v1/payment_intents/{id}", retrieve),
]
