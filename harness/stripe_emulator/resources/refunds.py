"""Refunds of charges: create (by charge or payment intent), retrieve, list."""

from __future__ import annotations

from typing import Any

from paychaos.stripe_emulator.errors import invalid
from paychaos.stripe_emulator.listing import list_of
from paychaos.stripe_emulator.params import LIST_PARAMS, Enum, Int, Metadata, Str
from paychaos.stripe_emulator.resources.common import nulls
from paychaos.stripe_emulator.routing import Call, Route

REASONS = ("duplicate", "fraudulent", "requested_by_customer")


def _charge_to_refund(call: Call) -> dict[str, Any]:
    p = call.params
    if p.get("charge") and p.get("payment_intent"):
        raise invalid(
            "You may only specify one of these parameters: charge, payment_intent.",
            param="charge",
        )
    if p.get("charge"):
        return call.state.store.get("charge", p["charge"], param="charge")
    if p.get("payment_intent"):
        intent = call.state.store.get("payment_intent", p["payment_intent"], param="payment_intent")
        if intent["latest_charge"] is None:
            raise invalid(
                f"This PaymentIntent ({intent['id']}) does not have a successful charge to refund.",
                param="payment_intent",
            )
        return call.state.store.get("charge", intent["latest_charge"])
    raise invalid(
        "One of the following params should be provided for this request: "
        "payment_intent or charge.",
        code="parameter_missing",
    )


def create(call: Call) -> dict[str, Any]:
    state = call.state
    p = call.params
    charge = _charge_to_refund(call)
    left = charge["amount"] - charge["amount_refunded"]
    amount = p.get("amount", left)
    if left == 0:
        raise invalid(
            f"Charge {charge['id']} has already been refunded.",
            param="charge",
            code="charge_already_refunded",
        )
    if amount > left:
        raise invalid(
            f"Refund amount ({amount / 100:.2f}) is greater than unrefunded amount on charge "
            f"({left / 100:.2f})",
            param="amount",
            code="amount_too_large",
        )
    refund = state.store.add(
        {
            "id": state.new_id("re_"),
            "object": "refund",
            "amount": amount,
            "charge": charge["id"],
            "created": state.now(),
            "currency": charge["currency"],
            "customer": charge["customer"],
            "destination_details": {
                "card": {
                    "reference": None,
                    "reference_status": "pending",
                    "reference_type": "acquirer_reference_number",
                    "type": "refund",
                },
                "type": "card",
            },
            "metadata": p.get("metadata") or {},
            "payment_intent": charge["payment_intent"],
            "payment_method": charge["payment_method"],
            "reason": p.get("reason"),
            "status": "succeeded",
            **nulls(
                "balance_transaction",
                "customer_account",
                "description",
                "failure_balance_transaction",
                "failure_reason",
                "instructions_email",
                "next_action",
                "pending_reason",
                "presentment_details",
                "receipt_number",
                "source_transfer_reversal",
                "transfer_reversal",
            ),
        }
    )
    previous: dict[str, Any] = {"amount_refunded": charge["amount_refunded"]}
    charge["amount_refunded"] += amount
    if charge["amount_refunded"] == charge["amount"]:
        previous["refunded"] = False
        charge["refunded"] = True
    state.emit("charge.refunded", charge, previous_attributes=previous, request=call.request)
    state.emit("refund.created", refund, request=call.request)
    return refund


def retrieve(call: Call) -> dict[str, Any]:
    return call.state.store.get("refund", call.args["id"])


def list_refunds(call: Call) -> dict[str, Any]:
    p = call.params

    def keep(refund: dict[str, Any]) -> bool:
        return (p.get("charge") is None or refund["charge"] == p["charge"]) and (
            p.get("payment_intent") is None or refund["payment_intent"] == p["payment_intent"]
        )

    return list_of(call.state.store.newest_first("refund"), p, "/v1/refunds", keep)


ROUTES = [
    Route(
        "POST",
        "/v1/refunds",
        create,
        {
            "charge": Str(),
            "payment_intent": Str(),
            "amount": Int(minimum=1),
            "reason": Enum(REASONS),
            "metadata": Metadata(),
        },
    ),
    Route(
        "GET",
        "/v1/refunds",
        list_refunds,
        {**LIST_PARAMS, "charge": Str(), "payment_intent": Str()},
    ),
    Route("GET", "/v1/refunds/{id}", retrieve),
]
