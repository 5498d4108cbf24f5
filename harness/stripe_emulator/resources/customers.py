"""Customers: create, retrieve, update, delete, list."""

from __future__ import annotations

from typing import Any

from paychaos.stripe_emulator.errors import invalid
from paychaos.stripe_emulator.listing import lister
from paychaos.stripe_emulator.params import LIST_PARAMS, Metadata, Obj, Str
from paychaos.stripe_emulator.resources.common import apply_changes, deleted, merge_metadata, nulls
from paychaos.stripe_emulator.routing import Call, Route
from paychaos.stripe_emulator.state import EmulatorState

FIELDS = {
    "email": Str(max_length=512),
    "name": Str(max_length=256),
    "description": Str(),
    "phone": Str(max_length=20),
    "metadata": Metadata(),
}
UPDATE_FIELDS = {
    **FIELDS,
    "invoice_settings": Obj({"default_payment_method": Str(), "footer": Str(max_length=5000)}),
}


def new_customer(
    state: EmulatorState, *, email: str | None = None, name: str | None = None, **extra: Any
) -> dict[str, Any]:
    """Store a customer object (used by the API and by Checkout)."""
    customer_id = state.new_id("cus_")
    return state.store.add(
        {
            "id": customer_id,
            "object": "customer",
            "address": None,
            "balance": 0,
            "created": state.now(),
            "currency": None,
            "default_source": None,
            "delinquent": False,
            "description": extra.get("description"),
            "email": email,
            "invoice_prefix": customer_id[4:12].upper(),
            "invoice_settings": {
                "custom_fields": None,
                "default_payment_method": None,
                "footer": None,
                "rendering_options": None,
            },
            "livemode": False,
            "metadata": extra.get("metadata") or {},
            "name": name,
            "phone": extra.get("phone"),
            "preferred_locales": [],
            "shipping": None,
            "tax_exempt": "none",
            "test_clock": None,
            "next_invoice_sequence": 1,
            **nulls("business_name", "customer_account", "discount", "individual_name"),
        }
    )


def create(call: Call) -> dict[str, Any]:
    customer = new_customer(call.state, **call.params)
    call.state.emit("customer.created", customer, request=call.request)
    return customer


def retrieve(call: Call) -> dict[str, Any]:
    return call.state.store.get("customer", call.args["id"])


def update(call: Call) -> dict[str, Any]:
    customer = call.state.store.get("customer", call.args["id"])
    p = call.params
    changes = {k: v for k, v in p.items() if k not in ("metadata", "expand", "invoice_settings")}
    if "metadata" in p:
        changes["metadata"] = merge_metadata(customer["metadata"], p["metadata"])
    settings_previous = _update_invoice_settings(call, customer, p.get("invoice_settings"))
    previous = apply_changes(customer, changes)
    if settings_previous:
        previous["invoice_settings"] = settings_previous
    if previous:
        call.state.emit(
            "customer.updated", customer, previous_attributes=previous, request=call.request
        )
    return customer


def _update_invoice_settings(
    call: Call, customer: dict[str, Any], update: dict[str, Any] | None
) -> dict[str, Any]:
    """Change ``invoice_settings``; returns the whole hash as it was if anything changed."""
    if not update:
        return {}
    settings = customer["invoice_settings"]
    method_id = update.get("default_payment_method")
    if method_id:
        method = call.state.store.get(
            "payment_method", method_id, param="invoice_settings[default_payment_method]"
        )
        if method["customer"] != customer["id"]:
            raise invalid(
                f"The customer does not have a payment method with the ID {method_id}. The "
                "payment method must be attached to the customer.",
                param="invoice_settings[default_payment_method]",
            )
    before = dict(settings)
    for key, value in update.items():
        settings[key] = value or None
    return before if settings != before else {}


def delete(call: Call) -> dict[str, Any]:
    customer = call.state.store.get("customer", call.args["id"])
    call.state.store.remove("customer", customer["id"])
    call.state.emit("customer.deleted", customer, request=call.request)
    return deleted(customer)


ROUTES = [
    Route("POST", "/v1/customers", create, FIELDS),
    Route(
        "GET",
        "/v1/customers",
        lister("customer", "/v1/customers", "email"),
        {**LIST_PARAMS, "email": Str(max_length=512)},
    ),
    Route("GET", "/v1/customers/{id}", retrieve),
    Route("POST", "/v1/customers/{id}", update, UPDATE_FIELDS),
    Route("DELETE", "/v1/customers/{id}", delete),
]
