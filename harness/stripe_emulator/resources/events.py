"""Events: retrieve and list (newest first, filtered by type)."""

from __future__ import annotations

from typing import Any

from paychaos.stripe_emulator.listing import list_of
from paychaos.stripe_emulator.params import LIST_PARAMS, Bool, Int, ListOf, Obj, Str
from paychaos.stripe_emulator.routing import Call, Route

CREATED = Obj({"gt": Int(), "gte": Int(), "lt": Int(), "lte": Int()})


def _matches_type(pattern: str, event_type: str) -> bool:
    # Stripe allows one wildcard segment: ``checkout.session.*``.
    if pattern.endswith("*"):
        return event_type.startswith(pattern[:-1])
    return event_type == pattern


def retrieve(call: Call) -> dict[str, Any]:
    return call.state.store.get("event", call.args["id"])


def list_events(call: Call) -> dict[str, Any]:
    p = call.params
    types = list(p.get("types") or []) + ([p["type"]] if p.get("type") else [])
    created = p.get("created") or {}
    delivered = p.get("delivery_success")

    def keep(event: dict[str, Any]) -> bool:
        if types and not any(_matches_type(t, event["type"]) for t in types):
            return False
        at = event["created"]
        if (
            ("gt" in created and not at > created["gt"])
            or ("gte" in created and not at >= created["gte"])
            or ("lt" in created and not at < created["lt"])
            or ("lte" in created and not at <= created["lte"])
        ):
            return False
        return delivered is None or (event["pending_webhooks"] == 0) == delivered

    return list_of(call.state.store.newest_first("event"), p, "/v1/events", keep)


ROUTES = [
    Route(
        "GET",
        "/v1/events",
        list_events,
        {
            **LIST_PARAMS,
            "type": Str(max_length=200),
            "types": ListOf(Str(max_length=200), max_items=20),
            "created": CREATED,
            "delivery_success": Bool(),
        },
    ),
    Route("GET", "/v1/events/{id}", retrieve),
]
