"""Payment methods (cards): create from a test token, attach, detach, retrieve, list.

Stripe's test ids work as they do in test mode: ``card[token]=tok_visa`` creates a card,
and ``pm_card_visa`` given where a payment method is expected creates a fresh one.
"""

from __future__ import annotations

from typing import Any

from paychaos.stripe_emulator.errors import invalid
from paychaos.stripe_emulator.listing import list_of
from paychaos.stripe_emulator.params import LIST_PARAMS, Enum, Metadata, Obj, Spec, Str
from paychaos.stripe_emulator.resources.common import merge_metadata, nulls
from paychaos.stripe_emulator.routing import Call, Route
from paychaos.stripe_emulator.state import EmulatorState

# Test card name (the part after ``tok_`` / ``pm_card_``) -> (brand, last4, funding, country).
TEST_CARDS: dict[str, tuple[str, str, str, str]] = {
    "visa": ("visa", "4242", "credit", "US"),
    "visa_debit": ("visa", "5556", "debit", "US"),
    "mastercard": ("mastercard", "4444", "credit", "US"),
    "amex": ("amex", "8431", "credit", "US"),
    "chargeDeclined": ("visa", "0002", "credit", "US"),
}
# Cards whose charges Stripe declines.
DECLINING_LAST4 = {"0002"}
CARD_FIELDS: dict[str, Spec] = {
    "token": Str(),
    "number": Str(),
    "exp_month": Str(),
    "exp_year": Str(),
    "cvc": Str(),
}
BILLING_FIELDS: dict[str, Spec] = {"email": Str(), "name": Str(), "phone": Str()}


def _card_name(test_id: str) -> str | None:
    for prefix in ("tok_", "pm_card_"):
        if test_id.startswith(prefix) and test_id[len(prefix) :] in TEST_CARDS:
            return test_id[len(prefix) :]
    return None


def _card_from_number(number: str) -> str:
    for name, (_, last4, _, _) in TEST_CARDS.items():
        if number.endswith(last4):
            return name
    raise invalid("Your card number is incorrect.", param="card[number]", code="incorrect_number")


def new_payment_method(
    state: EmulatorState,
    card_name: str,
    *,
    billing_details: dict[str, Any] | None = None,
    metadata: dict[str, str] | None = None,
) -> dict[str, Any]:
    """Store an unattached card payment method for the test card ``card_name``."""
    brand, last4, funding, country = TEST_CARDS[card_name]
    details = billing_details or {}
    return state.store.add(
        {
            "id": state.new_id("pm_"),
            "object": "payment_method",
            "allow_redisplay": "unspecified",
            "billing_details": {
                "address": {
                    "city": None,
                    "country": None,
                    "line1": None,
                    "line2": None,
                    "postal_code": None,
                    "state": None,
                },
                "email": details.get("email"),
                "name": details.get("name"),
                "phone": details.get("phone"),
                "tax_id": None,
            },
            "card": {
                "brand": brand,
                "checks": {
                    "address_line1_check": None,
                    "address_postal_code_check": None,
                    "cvc_check": "pass",
                },
                "country": country,
                "display_brand": brand,
                "exp_month": 12,
                "exp_year": 2034,
                "fingerprint": f"fp{card_name[:14]}",
                "funding": funding,
                "last4": last4,
                "networks": {"available": [brand], "preferred": None},
                "regulated_status": "unregulated",
                "three_d_secure_usage": {"supported": True},
                **nulls("description", "generated_from", "iin", "issuer", "wallet"),
            },
            "created": state.now(),
            "customer": None,
            "livemode": False,
            "metadata": metadata or {},
            "radar_options": {"session": None},
            "type": "card",
            **nulls("customer_account"),
        }
    )


def payment_method_of(state: EmulatorState, pm_id: str, param: str) -> dict[str, Any]:
    """The payment method ``pm_id``; a test id (``pm_card_visa``) makes a new one."""
    card_name = _card_name(pm_id)
    if card_name is not None:
        return new_payment_method(state, card_name)
    return state.store.get("payment_method", pm_id, param=param)


def attached_payment_method(
    state: EmulatorState, customer: dict[str, Any], pm_id: str, param: str
) -> dict[str, Any]:
    """``pm_id`` as a payment method of ``customer`` (a test id is attached first)."""
    method = payment_method_of(state, pm_id, param)
    if method["customer"] is None and _card_name(pm_id) is not None:
        return attach_to(state, method, customer["id"])
    if method["customer"] != customer["id"]:
        raise invalid(
            f"The payment method you provided has not been attached to customer "
            f"{customer['id']}. Attach it first.",
            param=param,
        )
    return method


def attach_to(
    state: EmulatorState,
    method: dict[str, Any],
    customer_id: str,
    request: dict[str, Any] | None = None,
) -> dict[str, Any]:
    """Attach ``method`` to a customer and emit ``payment_method.attached``."""
    state.store.get("customer", customer_id, param="customer")
    if method["customer"] == customer_id:
        return method
    if method["customer"] is not None:
        raise invalid(
            "The payment method you provided has already been attached to a customer.",
            param="payment_method",
        )
    method["customer"] = customer_id
    state.emit("payment_method.attached", method, request=request)
    return method


def create(call: Call) -> dict[str, Any]:
    p = call.params
    card = p.get("card") or {}
    if card.get("token"):
        card_name = _card_name(card["token"])
        if card_name is None or not card["token"].startswith("tok_"):
            raise invalid(f"No such token: '{card['token']}'", param="card[token]")
    elif card.get("number"):
        card_name = _card_from_number(card["number"])
    else:
        raise invalid(
            "Missing required param: card. Pass card[token]=tok_visa or a card number.",
            param="card",
            code="parameter_missing",
        )
    return new_payment_method(
        call.state, card_name, billing_details=p.get("billing_details"), metadata=p.get("metadata")
    )


def retrieve(call: Call) -> dict[str, Any]:
    return call.state.store.get("payment_method", call.args["id"])


def update(call: Call) -> dict[str, Any]:
    method = call.state.store.get("payment_method", call.args["id"])
    previous: dict[str, Any] = {}
    if "metadata" in call.params:
        merged = merge_metadata(method["metadata"], call.params["metadata"])
        if merged != method["metadata"]:
            previous["metadata"] = method["metadata"]
            method["metadata"] = merged
    if previous:
        call.state.emit(
            "payment_method.updated", method, previous_attributes=previous, request=call.request
        )
    return method


def attach(call: Call) -> dict[str, Any]:
    method = payment_method_of(call.state, call.args["id"], "payment_method")
    return attach_to(call.state, method, call.params["customer"], call.request)


def detach(call: Call) -> dict[str, Any]:
    method = call.state.store.get("payment_method", call.args["id"])
    if method["customer"] is None:
        raise invalid(
            f"The payment method {method['id']} is not attached to a customer.",
            param="payment_method",
        )
    customer = call.state.store.find(method["customer"])
    previous = {"customer": method["customer"]}
    method["customer"] = None
    call.state.emit(
        "payment_method.detached", method, previous_attributes=previous, request=call.request
    )
    # A detached card stops being the customer's default, as at Stripe.
    settings = (customer or {}).get("invoice_settings") or {}
    if customer is not None and settings.get("default_payment_method") == method["id"]:
        before = dict(settings)
        settings["default_payment_method"] = None
        call.state.emit(
            "customer.updated",
            customer,
            previous_attributes={"invoice_settings": before},
            request=call.request,
        )
    return method


def _list_for(call: Call, customer_id: str | None, url: str) -> dict[str, Any]:
    kind = call.params.get("type")

    def keep(method: dict[str, Any]) -> bool:
        return (customer_id is None or method["customer"] == customer_id) and (
            kind is None or method["type"] == kind
        )

    return list_of(call.state.store.newest_first("payment_method"), call.params, url, keep)


def list_payment_methods(call: Call) -> dict[str, Any]:
    return _list_for(call, call.params.get("customer"), "/v1/payment_methods")


def list_customer_payment_methods(call: Call) -> dict[str, Any]:
    customer = call.state.store.get("customer", call.args["id"])
    return _list_for(call, customer["id"], f"/v1/customers/{customer['id']}/payment_methods")


TYPES = Enum(("card",))
ROUTES = [
    Route(
        "POST",
        "/v1/payment_methods",
        create,
        {
            "type": Enum(("card",), required=True),
            "card": Obj(CARD_FIELDS),
            "billing_details": Obj(BILLING_FIELDS),
            "metadata": Metadata(),
        },
    ),
    Route(
        "GET",
        "/v1/payment_methods",
        list_payment_methods,
        {**LIST_PARAMS, "customer": Str(), "type": TYPES},
    ),
    Route("GET", "/v1/payment_methods/{id}", retrieve),
    Route("POST", "/v1/payment_methods/{id}", update, {"metadata": Metadata()}),
    Route("POST", "/v1/payment_methods/{id}/attach", attach, {"customer": Str(required=True)}),
    Route("POST", "/v1/payment_methods/{id}/detach", detach),
    Route(
        "GET",
        "/v1/customers/{id}/payment_methods",
        list_customer_payment_methods,
        {**LIST_PARAMS, "type": TYPES},
    ),
]
