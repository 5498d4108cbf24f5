"""API versions: objects are stored in the newest shape and rendered per version on the way out.

A request's ``Stripe-Version`` header (or the account's version) picks the shape
of its response; a webhook endpoint's ``api_version`` picks the shape of the
events sent to it. Rendering for an older version is two steps per object:
``_LEGACY`` adds the fields that later versions moved or dropped (the
subscription's ``current_period_*``, the invoice's ``subscription`` and
``payment_intent``, a line item's ``price``/``proration``/``type``, ...), then
the walk keeps only the fields that version's generated contract lists.
"""

from __future__ import annotations

import functools
from collections.abc import Callable
from typing import TYPE_CHECKING, Any

from paychaos.stripe_emulator.contract.check import (
    Contract,
    Spec,
    accepted_versions,
    contract_for,
    contract_versions,
)
from paychaos.stripe_emulator.errors import StripeApiError

if TYPE_CHECKING:
    from paychaos.stripe_emulator.state import EmulatorState

# The newest version the emulator knows: the account's version unless configured otherwise.
NEWEST_VERSION = max(accepted_versions())
_NEWEST_CONTRACT = contract_versions()[-1]


def check_version(version: str, param: str | None = None) -> str:
    """``version`` if the emulator renders it, else Stripe's 400 for an unknown version."""
    if version not in accepted_versions():
        raise StripeApiError(400, f"Invalid Stripe API version: {version}", param=param)
    return version


def is_newest_shape(version: str) -> bool:
    """Whether ``version`` renders objects exactly as they are stored (no work to do)."""
    return accepted_versions()[version] == _NEWEST_CONTRACT


def render(state: EmulatorState, body: Any, version: str) -> Any:
    """``body`` (an object, a list envelope or an event) as ``version`` shows it; the stored
    objects are not changed."""
    if is_newest_shape(version):
        if isinstance(body, dict) and body.get("object") == "event":
            return {**body, "api_version": version}
        if isinstance(body, dict) and body.get("object") == "list":
            data = [
                {**item, "api_version": version} if item.get("object") == "event" else item
                for item in body["data"]
            ]
            return {**body, "data": data}
        return body
    return _Renderer(state, version).top(body)


class _Renderer:
    """One rendering pass for one older version."""

    def __init__(self, state: EmulatorState, version: str) -> None:
        self.state = state
        self.version = version
        self.contract: Contract = contract_for(version)

    def top(self, body: Any) -> Any:
        if not isinstance(body, dict):
            return body
        kind = body.get("object")
        if body.get("deleted") is True:
            return body
        if kind == "list":
            return {**body, "data": [self.top(item) for item in body["data"]]}
        if kind == "event":
            return self.event(body)
        if kind in self.contract.types:
            return self.object(body, kind)
        return body

    def event(self, event: dict[str, Any]) -> dict[str, Any]:
        data = event["data"]
        obj = data["object"]
        kind = obj.get("object")
        rendered: dict[str, Any] = {"object": self.object(obj, kind)}
        previous = data.get("previous_attributes")
        if previous is not None:
            rendered["previous_attributes"] = self.previous(obj, previous, kind)
        out = {k: v for k, v in event.items() if k in self.contract.fields("event")}
        out["api_version"] = self.version
        out["data"] = rendered
        return out

    def previous(self, obj: dict[str, Any], previous: dict[str, Any], kind: str) -> dict[str, Any]:
        """``previous_attributes`` in this version: render the object before and after the
        change, and keep the top-level fields whose rendering differs."""
        before = self.object({**obj, **previous}, kind)
        after = self.object(obj, kind)
        return {k: v for k, v in before.items() if after.get(k) != v}

    def object(self, obj: dict[str, Any], kind: str) -> dict[str, Any]:
        legacy = _LEGACY.get(kind)
        if legacy is not None:
            obj = {**obj, **legacy(self.state, obj)}
        return self.fields(obj, kind)

    def fields(self, obj: dict[str, Any], type_key: str) -> dict[str, Any]:
        plan = _render_plan(self.contract, type_key)
        out: dict[str, Any] = {}
        for name, value in obj.items():
            entry = plan.get(name)
            if entry is None:
                continue
            if value is None:
                if not entry[0]:  # else a field this version leaves out rather than send null
                    out[name] = None
                continue
            spec = entry[1]
            out[name] = value if spec is None else self.value(value, spec)
        return out

    def value(self, value: Any, spec: Spec) -> Any:
        if value is None:
            return None
        kind = spec["t"]
        if kind == "object" and isinstance(value, dict):
            ref = spec["ref"]
            return self.object(value, ref) if ref in _LEGACY else self.fields(value, ref)
        if kind == "array" and isinstance(value, list):
            return [self.value(item, spec["of"]) for item in value]
        if kind == "list" and isinstance(value, dict):
            return {**value, "data": [self.value(item, spec["of"]) for item in value["data"]]}
        if kind == "expandable" and isinstance(value, dict):
            ref = value.get("object")
            return self.object(value, ref) if ref in self.contract.types else value
        return value


# Per contract document and type, each field's rendering, worked out once: whether a null is
# left out, and the spec of a field holding nested values (None: the value is sent as it is).
_PLANS: dict[tuple[str, str], dict[str, tuple[bool, Spec | None]]] = {}
_NESTED = frozenset(("object", "array", "list", "expandable"))


def _render_plan(contract: Contract, type_key: str) -> dict[str, tuple[bool, Spec | None]]:
    key = (contract.api_version, type_key)
    plan = _PLANS.get(key)
    if plan is None:
        plan = {
            name: (
                bool(spec.get("optional") and not spec.get("null")),
                spec if spec.get("t") in _NESTED else None,
            )
            for name, spec in contract.fields(type_key).items()
        }
        _PLANS[key] = plan
    return plan


# -- fields later versions moved or dropped, rebuilt from the newest shape ------------------


def _subscription(state: EmulatorState, sub: dict[str, Any]) -> dict[str, Any]:
    item = sub["items"]["data"][0]
    return {
        "current_period_end": item["current_period_end"],
        "current_period_start": item["current_period_start"],
        "discount": None,
        "plan": item["plan"] if len(sub["items"]["data"]) == 1 else None,
        "quantity": item["quantity"] if len(sub["items"]["data"]) == 1 else None,
        "tax_percent": None,
    }


def _invoice(state: EmulatorState, invoice: dict[str, Any]) -> dict[str, Any]:
    details = (invoice.get("parent") or {}).get("subscription_details") or {}
    return {
        "application_fee_amount": None,
        "charge": None,
        "discount": None,
        "paid": invoice["status"] == "paid",
        "paid_out_of_band": False,
        # An ``expand[]``ed payment intent stays expanded.
        "payment_intent": invoice.get("payment_intent")
        or state.store.invoice_payments.get(invoice["id"]),
        "quote": None,
        "subscription": details.get("subscription"),
        "subscription_details": {"metadata": details.get("metadata")},
        "subscription_proration_date": None,
        "tax": None,
        "total_tax_amounts": [],
        "transfer_data": None,
    }


def _line_item(state: EmulatorState, line: dict[str, Any]) -> dict[str, Any]:
    from paychaos.stripe_emulator.resources.prices import plan_of

    item = (line.get("parent") or {}).get("subscription_item_details") or {}
    price_id = ((line.get("pricing") or {}).get("price_details") or {}).get("price")
    price = state.store.find(price_id) if isinstance(price_id, str) else price_id
    return {
        "amount_excluding_tax": line["amount"],
        "invoice_item": item.get("invoice_item"),
        "plan": plan_of(price) if price and price["recurring"] else None,
        "price": price,
        "proration": item.get("proration", False),
        "proration_details": item.get("proration_details") or {"credited_items": None},
        "subscription_item": item.get("subscription_item"),
        "tax_amounts": [],
        "tax_rates": [],
        "type": "subscription" if item else "invoiceitem",
        "unit_amount_excluding_tax": price["unit_amount_decimal"] if price else None,
    }


def _invoice_paid_by(state: EmulatorState, intent_id: str | None) -> str | None:
    return next((inv for inv, pi in state.store.invoice_payments.items() if pi == intent_id), None)


def _payment_intent(state: EmulatorState, intent: dict[str, Any]) -> dict[str, Any]:
    charge = state.store.find(intent["latest_charge"]) if intent["latest_charge"] else None
    charges = [charge] if charge else []
    return {
        "charges": {
            "object": "list",
            "data": charges,
            "has_more": False,
            "total_count": len(charges),
            "url": f"/v1/charges?payment_intent={intent['id']}",
        },
        "invoice": _invoice_paid_by(state, intent["id"]),
    }


def _charge(state: EmulatorState, charge: dict[str, Any]) -> dict[str, Any]:
    return {
        "destination": None,
        "dispute": None,
        "invoice": _invoice_paid_by(state, charge["payment_intent"]),
        "order": None,
    }


def _price(state: EmulatorState, price: dict[str, Any]) -> dict[str, Any]:
    recurring = price["recurring"]
    return {"recurring": {**recurring, "aggregate_usage": None} if recurring else None}


def _plan(state: EmulatorState, plan: dict[str, Any]) -> dict[str, Any]:
    return {"aggregate_usage": None}


def _session(state: EmulatorState, session: dict[str, Any]) -> dict[str, Any]:
    return {"shipping": None, "shipping_details": None, "shipping_rate": None}


def _product(state: EmulatorState, product: dict[str, Any]) -> dict[str, Any]:
    return {"attributes": [], "caption": None, "deactivate_on": []}


_LEGACY: dict[str, Callable[[EmulatorState, dict[str, Any]], dict[str, Any]]] = {
    "charge": _charge,
    "checkout.session": _session,
    "invoice": _invoice,
    "line_item": _line_item,
    "payment_intent": _payment_intent,
    "plan": _plan,
    "price": _price,
    "product": _product,
    "subscription": _subscription,
}


@functools.cache
def versions_by_contract() -> dict[str, list[str]]:
    """Contract version -> every accepted version rendered with it (for the README table)."""
    out: dict[str, list[str]] = {}
    for version, contract in sorted(accepted_versions().items()):
        out.setdefault(contract, []).append(version)
    return out
