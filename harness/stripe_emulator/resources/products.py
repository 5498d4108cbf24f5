"""Products: create, retrieve, update, list."""

from __future__ import annotations

from typing import Any

from paychaos.stripe_emulator.errors import invalid
from paychaos.stripe_emulator.listing import list_of
from paychaos.stripe_emulator.params import LIST_PARAMS, Bool, Metadata, Str
from paychaos.stripe_emulator.resources.common import apply_changes, merge_metadata, nulls
from paychaos.stripe_emulator.routing import Call, Route
from paychaos.stripe_emulator.state import EmulatorState

UPDATE_FIELDS = {
    "name": Str(max_length=250),
    "active": Bool(),
    "description": Str(),
    "metadata": Metadata(),
}
CREATE_FIELDS = {
    **UPDATE_FIELDS,
    "name": Str(required=True, max_length=250),
    "id": Str(max_length=250),
}


def new_product(
    state: EmulatorState,
    *,
    name: str,
    product_id: str | None = None,
    active: bool = True,
    description: str | None = None,
    metadata: dict[str, str] | None = None,
) -> dict[str, Any]:
    """Store a product (used by the API and by inline ``product_data``)."""
    return state.store.add(
        {
            "id": product_id or state.new_id("prod_"),
            "object": "product",
            "active": active,
            "created": state.now(),
            "default_price": None,
            "description": description,
            "images": [],
            "livemode": False,
            "metadata": metadata or {},
            "name": name,
            "type": "service",
            "updated": state.now(),
            "url": None,
            "marketing_features": [],
            **nulls(
                "package_dimensions",
                "shippable",
                "statement_descriptor",
                "tax_code",
                "tax_details",
                "unit_label",
            ),
        }
    )


def create(call: Call) -> dict[str, Any]:
    p = call.params
    if p.get("id") and call.state.store.find(p["id"]) is not None:
        raise invalid("Product already exists.", param="id", code="resource_already_exists")
    product = new_product(
        call.state,
        name=p["name"],
        product_id=p.get("id"),
        active=p.get("active", True),
        description=p.get("description"),
        metadata=p.get("metadata"),
    )
    call.state.emit("product.created", product, request=call.request)
    return product


def retrieve(call: Call) -> dict[str, Any]:
    return call.state.store.get("product", call.args["id"])


def update(call: Call) -> dict[str, Any]:
    product = call.state.store.get("product", call.args["id"])
    changes = {k: v for k, v in call.params.items() if k not in ("metadata", "expand")}
    if "metadata" in call.params:
        changes["metadata"] = merge_metadata(product["metadata"], call.params["metadata"])
    previous = apply_changes(product, changes)
    if previous:
        product["updated"] = call.state.now()
        call.state.emit(
            "product.updated", product, previous_attributes=previous, request=call.request
        )
    return product


def list_products(call: Call) -> dict[str, Any]:
    active = call.params.get("active")
    return list_of(
        call.state.store.newest_first("product"),
        call.params,
        "/v1/products",
        keep=(lambda p: p["active"] == active) if active is not None else None,
    )


ROUTES = [
    Route("POST", "/v1/products", create, CREATE_FIELDS),
    Route("GET", "/v1/products", list_products, {**LIST_PARAMS, "active": Bool()}),
    Route("GET", "/v1/products/{id}", retrieve),
    Route("POST", "/v1/products/{id}", update, UPDATE_FIELDS),
]
