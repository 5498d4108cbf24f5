"""Prices (one-time and recurring): create, retrieve, update, list; also inline ``price_data``."""

from __future__ import annotations

from typing import Any

from paychaos.stripe_emulator.errors import invalid
from paychaos.stripe_emulator.listing import list_of
from paychaos.stripe_emulator.params import LIST_PARAMS, Bool, Enum, Int, ListOf, Metadata, Obj, Str
from paychaos.stripe_emulator.resources.common import apply_changes, merge_metadata
from paychaos.stripe_emulator.resources.products import new_product
from paychaos.stripe_emulator.routing import Call, Route
from paychaos.stripe_emulator.state import EmulatorState

INTERVALS = ("day", "week", "month", "year")
RECURRING = Obj(
    {
        "interval": Enum(INTERVALS, required=True),
        "interval_count": Int(minimum=1, maximum=365),
        "usage_type": Enum(("licensed",)),
    }
)
PRODUCT_DATA = Obj(
    {"name": Str(required=True, max_length=250), "metadata": Metadata(), "active": Bool()}
)
CREATE_FIELDS = {
    "currency": Str(required=True, max_length=3),
    "unit_amount": Int(minimum=0, maximum=99_999_999),
    "product": Str(max_length=250),
    "product_data": PRODUCT_DATA,
    "recurring": RECURRING,
    "lookup_key": Str(max_length=200),
    "nickname": Str(),
    "metadata": Metadata(),
    "active": Bool(),
    "tax_behavior": Enum(("exclusive", "inclusive", "unspecified")),
}
UPDATE_FIELDS = {
    "active": Bool(),
    "lookup_key": Str(max_length=200),
    "nickname": Str(),
    "metadata": Metadata(),
}
# What ``line_items[n][price_data]`` of a Checkout Session accepts.
INLINE_PRICE = Obj(
    {
        "currency": Str(required=True, max_length=3),
        "unit_amount": Int(minimum=0, maximum=99_999_999),
        "product": Str(max_length=250),
        "product_data": Obj(
            {"name": Str(required=True), "description": Str(), "metadata": Metadata()}
        ),
        "recurring": RECURRING,
        "tax_behavior": Enum(("exclusive", "inclusive", "unspecified")),
    }
)


def new_price(state: EmulatorState, p: dict[str, Any], param: str = "") -> dict[str, Any]:
    """Validate price params (API or inline ``price_data``) and store the price."""
    where = f"{param}[" if param else ""
    close = "]" if param else ""
    if p.get("unit_amount") is None:
        raise invalid(
            f"Missing required param: {where}unit_amount{close}.",
            param=f"{where}unit_amount{close}",
            code="parameter_missing",
        )
    if p.get("product") and p.get("product_data"):
        raise invalid(
            "You may only specify one of these parameters: product, product_data.",
            param=f"{where}product{close}",
        )
    if p.get("product"):
        product = state.store.get("product", p["product"], param=f"{where}product{close}")
    elif p.get("product_data"):
        data = p["product_data"]
        product = new_product(state, name=data["name"], metadata=data.get("metadata"))
    else:
        raise invalid(
            f"Missing required param: {where}product{close}.",
            param=f"{where}product{close}",
            code="parameter_missing",
        )
    recurring = p.get("recurring")
    if recurring:
        recurring = {
            "interval": recurring["interval"],
            "interval_count": recurring.get("interval_count") or 1,
            "meter": None,
            "trial_period_days": None,
            "usage_type": "licensed",
        }
    amount = p["unit_amount"]
    return state.store.add(
        {
            "id": state.new_id("price_"),
            "object": "price",
            "active": p.get("active", True),
            "billing_scheme": "per_unit",
            "created": state.now(),
            "currency": p["currency"].lower(),
            "custom_unit_amount": None,
            "livemode": False,
            "lookup_key": p.get("lookup_key"),
            "metadata": p.get("metadata") or {},
            "nickname": p.get("nickname"),
            "product": product["id"],
            "recurring": recurring,
            "tax_behavior": p.get("tax_behavior") or "unspecified",
            "tiers_mode": None,
            "transform_quantity": None,
            "type": "recurring" if recurring else "one_time",
            "unit_amount": amount,
            "unit_amount_decimal": str(amount),
        }
    )


def plan_of(price: dict[str, Any]) -> dict[str, Any]:
    """The legacy ``plan`` view of a recurring price (subscription items carry both)."""
    recurring = price["recurring"]
    return {
        "id": price["id"],
        "object": "plan",
        "active": price["active"],
        "amount": price["unit_amount"],
        "amount_decimal": price["unit_amount_decimal"],
        "billing_scheme": price["billing_scheme"],
        "created": price["created"],
        "currency": price["currency"],
        "interval": recurring["interval"],
        "interval_count": recurring["interval_count"],
        "livemode": False,
        "metadata": price["metadata"],
        "meter": None,
        "nickname": price["nickname"],
        "product": price["product"],
        "tiers_mode": None,
        "transform_usage": None,
        "trial_period_days": None,
        "usage_type": recurring["usage_type"],
    }


def create(call: Call) -> dict[str, Any]:
    price = new_price(call.state, call.params)
    call.state.emit("price.created", price, request=call.request)
    return price


def retrieve(call: Call) -> dict[str, Any]:
    return call.state.store.get("price", call.args["id"])


def update(call: Call) -> dict[str, Any]:
    price = call.state.store.get("price", call.args["id"])
    changes = {k: v for k, v in call.params.items() if k not in ("metadata", "expand")}
    if "metadata" in call.params:
        changes["metadata"] = merge_metadata(price["metadata"], call.params["metadata"])
    previous = apply_changes(price, changes)
    if previous:
        call.state.emit("price.updated", price, previous_attributes=previous, request=call.request)
    return price


def list_prices(call: Call) -> dict[str, Any]:
    p = call.params
    lookup_keys = set(p.get("lookup_keys") or [])

    def keep(price: dict[str, Any]) -> bool:
        return (
            (p.get("product") is None or price["product"] == p["product"])
            and (p.get("active") is None or price["active"] == p["active"])
            and (p.get("type") is None or price["type"] == p["type"])
            and (p.get("currency") is None or price["currency"] == p["currency"])
            and (not lookup_keys or price["lookup_key"] in lookup_keys)
        )

    return list_of(call.state.store.newest_first("price"), p, "/v1/prices", keep)


ROUTES = [
    Route("POST", "/v1/prices", create, CREATE_FIELDS),
    Route(
        "GET",
        "/v1/prices",
        list_prices,
        {
            **LIST_PARAMS,
            "product": Str(),
            "active": Bool(),
            "type": Enum(("one_time", "recurring")),
            "currency": Str(max_length=3),
            "lookup_keys": ListOf(Str(max_length=200), max_items=10),
        },
    ),
    Route("GET", "/v1/prices/{id}", retrieve),
    Route("POST", "/v1/prices/{id}", update, UPDATE_FIELDS),
]
