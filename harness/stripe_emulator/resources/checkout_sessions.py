"""Checkout Sessions: create (payment and subscription mode), retrieve, list, expire, line items.

What the customer does on the hosted page (pay, fail, wait) lives in
``paychaos.stripe_emulator.flows`` and is driven through the control API.
"""

from __future__ import annotations

from typing import Any

from paychaos.stripe_emulator.errors import StripeApiError, invalid
from paychaos.stripe_emulator.listing import list_of, paginate
from paychaos.stripe_emulator.params import (
    LIST_PARAMS,
    Bool,
    Enum,
    Int,
    ListOf,
    Metadata,
    Obj,
    Str,
)
from paychaos.stripe_emulator.resources.common import nulls
from paychaos.stripe_emulator.resources.prices import INLINE_PRICE, new_price
from paychaos.stripe_emulator.routing import Call, Route
from paychaos.stripe_emulator.state import EmulatorState

DEFAULT_LIFETIME = 24 * 3600
MIN_LIFETIME = 30 * 60

CREATE_FIELDS = {
    "mode": Enum(("payment", "subscription", "setup"), required=True),
    "line_items": ListOf(
        Obj(
            {
                "price": Str(max_length=250),
                "price_data": INLINE_PRICE,
                "quantity": Int(minimum=1, maximum=999_999),
            }
        ),
        max_items=100,
    ),
    "success_url": Str(max_length=5000),
    "cancel_url": Str(max_length=5000),
    "return_url": Str(max_length=5000),
    "customer": Str(max_length=250),
    "customer_email": Str(max_length=512),
    "customer_creation": Enum(("always", "if_required")),
    "client_reference_id": Str(max_length=200),
    "metadata": Metadata(),
    "expires_at": Int(minimum=0),
    "payment_method_types": ListOf(Str(max_length=100), max_items=20),
    "subscription_data": Obj(
        {
            "metadata": Metadata(),
            "description": Str(max_length=500),
            "trial_period_days": Int(minimum=1, maximum=730),
        }
    ),
    "payment_intent_data": Obj({"metadata": Metadata(), "description": Str(max_length=1000)}),
    "allow_promotion_codes": Bool(),
    "billing_address_collection": Enum(("auto", "required")),
    "locale": Str(max_length=10),
    "ui_mode": Enum(("hosted", "embedded", "custom")),
    "currency": Str(max_length=3),
    "submit_type": Enum(("auto", "book", "donate", "pay", "subscribe")),
}
LIST_FIELDS = {
    **LIST_PARAMS,
    "customer": Str(),
    "payment_intent": Str(),
    "subscription": Str(),
    "status": Enum(("open", "complete", "expired")),
    "payment_link": Str(),
}


def _line_items(state: EmulatorState, mode: str, raw: list[dict[str, Any]]) -> list[dict[str, Any]]:
    if not raw:
        raise invalid(
            f"`line_items` is required in `{mode}` mode.",
            param="line_items",
            code="parameter_missing",
        )
    items = []
    for n, entry in enumerate(raw):
        where = f"line_items[{n}]"
        if bool(entry.get("price")) == bool(entry.get("price_data")):
            raise invalid(
                f"You must specify either `price` or `price_data` in `{where}`.", param=where
            )
        if entry.get("price"):
            price = state.store.objects.get(entry["price"])
            if price is None or price["object"] != "price":
                raise StripeApiError(
                    400,
                    f"No such price: '{entry['price']}'",
                    code="resource_missing",
                    param=f"{where}[price]",
                )
            if not price["active"]:
                raise invalid(
                    f"The price specified is inactive: {price['id']}", param=f"{where}[price]"
                )
        else:
            price = new_price(state, entry["price_data"], param=f"{where}[price_data]")
        quantity = entry.get("quantity")
        if quantity is None:
            raise invalid(
                f"Missing required param: {where}[quantity].",
                param=f"{where}[quantity]",
                code="parameter_missing",
            )
        product = state.store.find(price["product"]) or {}
        amount = price["unit_amount"] * quantity
        items.append(
            {
                "id": state.new_id("li_"),
                "object": "item",
                "amount_discount": 0,
                "amount_subtotal": amount,
                "amount_tax": 0,
                "amount_total": amount,
                "currency": price["currency"],
                "description": product.get("name"),
                "discounts": [],
                "metadata": {},
                "price": price,
                "quantity": quantity,
                "taxes": [],
                "adjustable_quantity": None,
            }
        )
    currencies = {i["currency"] for i in items}
    if len(currencies) > 1:
        raise invalid("All line items must share one currency.", param="line_items")
    recurring = [i for i in items if i["price"]["recurring"]]
    if mode == "subscription" and not recurring:
        raise invalid(
            "You must provide at least one recurring price in `subscription` mode when using prices.",
            param="line_items",
        )
    if mode == "payment" and recurring:
        raise invalid(
            "You specified `payment` mode but passed a recurring price. Either switch to "
            "`subscription` mode or use only one-time prices.",
            param="line_items",
        )
    return items


_EMPTY_INVOICE_DATA: dict[str, Any] = {
    "account_tax_ids": None,
    "custom_fields": None,
    "description": None,
    "footer": None,
    "issuer": None,
    "metadata": {},
    "rendering_options": None,
}


def customer_details(email: str | None) -> dict[str, Any]:
    """``customer_details`` as Checkout collects it (only the email here)."""
    return {
        "address": None,
        "business_name": None,
        "email": email,
        "individual_name": None,
        "name": None,
        "phone": None,
        "tax_exempt": "none",
        "tax_ids": [],
    }


def create(call: Call) -> dict[str, Any]:
    state, p = call.state, call.params
    mode = p["mode"]
    if mode == "setup":
        raise invalid("The emulator does not support `setup` mode.", param="mode")
    ui_mode = p.get("ui_mode") or "hosted"
    if ui_mode == "hosted" and not p.get("success_url"):
        raise invalid(
            "Missing required param: success_url.", param="success_url", code="parameter_missing"
        )
    if p.get("customer") and p.get("customer_email"):
        raise invalid(
            "You may only specify one of these parameters: customer, customer_email.",
            param="customer_email",
        )
    if p.get("customer"):
        state.store.get("customer", p["customer"], param="customer")
    now = state.now()
    expires_at = p.get("expires_at") or now + DEFAULT_LIFETIME
    if expires_at > now + DEFAULT_LIFETIME:
        raise invalid(
            "The `expires_at` timestamp must be less than 24 hours from Checkout Session creation.",
            param="expires_at",
        )
    if expires_at < now + MIN_LIFETIME:
        raise invalid(
            "The `expires_at` timestamp must be at least 30 minutes from Checkout Session creation.",
            param="expires_at",
        )
    items = _line_items(state, mode, p.get("line_items") or [])
    session_id = state.new_id("cs_test_")
    amount = sum(i["amount_total"] for i in items)
    customer = p.get("customer")
    customer_email = p.get("customer_email")
    session = {
        "id": session_id,
        "object": "checkout.session",
        "amount_subtotal": amount,
        "amount_total": amount,
        "cancel_url": p.get("cancel_url"),
        "client_reference_id": p.get("client_reference_id"),
        "created": now,
        "currency": items[0]["currency"],
        "customer": customer,
        "customer_creation": None
        if mode == "subscription"
        else p.get("customer_creation", "if_required"),
        "customer_details": customer_details(customer_email) if customer_email else None,
        "customer_email": customer_email,
        "expires_at": expires_at,
        "invoice": None,
        "livemode": False,
        "locale": p.get("locale"),
        "metadata": p.get("metadata") or {},
        "mode": mode,
        "payment_intent": None,
        "payment_link": None,
        "payment_method_types": p.get("payment_method_types") or ["card"],
        "payment_status": "unpaid",
        "return_url": p.get("return_url"),
        "status": "open",
        "submit_type": p.get("submit_type"),
        "subscription": None,
        "success_url": p.get("success_url"),
        "ui_mode": ui_mode,
        "url": f"https://checkout.stripe.com/c/pay/{session_id}" if ui_mode == "hosted" else None,
        "allow_promotion_codes": p.get("allow_promotion_codes"),
        "automatic_tax": {"enabled": False, "liability": None, "provider": None, "status": None},
        "billing_address_collection": p.get("billing_address_collection"),
        "client_secret": None if ui_mode == "hosted" else f"{session_id}_secret_{session_id[-12:]}",
        "custom_fields": [],
        "custom_text": {
            "after_submit": None,
            "shipping_address": None,
            "submit": None,
            "terms_of_service_acceptance": None,
        },
        "discounts": [],
        "invoice_creation": (
            None
            if mode == "subscription"
            else {"enabled": False, "invoice_data": _EMPTY_INVOICE_DATA}
        ),
        "payment_method_collection": "always" if mode == "subscription" else None,
        "shipping_options": [],
        "total_details": {
            "amount_discount": 0,
            "amount_shipping": 0,
            "amount_tax": 0,
            "breakdown": None,
        },
        **nulls(
            "adaptive_pricing",
            "after_expiration",
            "allowed_payment_method_types",
            "branding_settings",
            "collected_information",
            "consent",
            "consent_collection",
            "currency_conversion",
            "customer_account",
            "excluded_payment_method_types",
            "integration_identifier",
            "managed_payments",
            "name_collection",
            "optional_items",
            "origin_context",
            "payment_method_configuration_details",
            "payment_method_options",
            "permissions",
            "phone_number_collection",
            "presentment_details",
            "recovered_from",
            "redirect_on_completion",
            "saved_payment_method_options",
            "setup_intent",
            "shipping_address_collection",
            "shipping_cost",
            "tax_id_collection",
            "wallet_options",
        ),
    }
    state.store.add(session)
    state.store.line_items[session_id] = items
    # What Checkout needs when the customer pays; not part of the visible object.
    state.store.session_options[session_id] = {
        "subscription_data": p.get("subscription_data") or {},
        "payment_intent_data": p.get("payment_intent_data") or {},
    }
    return session


def retrieve(call: Call) -> dict[str, Any]:
    return call.state.store.get("checkout.session", call.args["id"])


def expire(call: Call) -> dict[str, Any]:
    from paychaos.stripe_emulator.flows import expire_session

    session = call.state.store.get("checkout.session", call.args["id"])
    return expire_session(call.state, session, request=call.request)


def list_line_items(call: Call) -> dict[str, Any]:
    session = call.state.store.get("checkout.session", call.args["id"])
    items = call.state.store.line_items.get(session["id"], [])
    return paginate(list(items), call.params, f"/v1/checkout/sessions/{session['id']}/line_items")


def list_sessions(call: Call) -> dict[str, Any]:
    p = call.params
    filters = [
        (k, p[k])
        for k in ("customer", "payment_intent", "subscription", "status", "payment_link")
        if p.get(k)
    ]

    def keep(session: dict[str, Any]) -> bool:
        return all(session.get(k) == v for k, v in filters)

    return list_of(
        call.state.store.newest_first("checkout.session"), p, "/v1/checkout/sessions", keep
    )


ROUTES = [
    Route("POST", "/v1/checkout/sessions", create, CREATE_FIELDS),
    Route("GET", "/v1/checkout/sessions", list_sessions, LIST_FIELDS),
    Route("GET", "/v1/checkout/sessions/{id}", retrieve),
    Route("POST", "/v1/checkout/sessions/{id}/expire", expire),
    Route("GET", "/v1/checkout/sessions/{id}/line_items", list_line_items, LIST_PARAMS),
]
