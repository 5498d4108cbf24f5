"""Customers: create, retrieve, update, delete, list."""

from __future__ import annotations

from typing import Any

from paychaos.stripe_emulator.listing import lister
from paychaos.stripe_emulator.params import LIST_PARAMS, Metadata, Str
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
    changes = {k: v for k, v in call.params.items() if k not in ("metadata", "expand")}
    if "metadata" in call.params:
        changes["metadata"] = merge_metadata(customer["metadata"], call.params["metadata"])
    previous = apply_changes(customer, changes)
    if previous:
        call.state.emit(
            "customer.updated", customer, previous_attributes=previous, request=call.request
        )
    return customer


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
    Route("POST", "/v1/customers/{id}", update, FIELDS),
    Route("DELETE", "/v1/customers/{id}", delete),
]
