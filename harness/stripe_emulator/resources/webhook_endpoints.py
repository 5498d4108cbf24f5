"""Webhook endpoints: create (returns the ``whsec_`` secret once), retrieve, update, list, delete."""

from __future__ import annotations

import hashlib
import hmac
from typing import Any
from urllib.parse import urlsplit

from paychaos.stripe_emulator.errors import invalid
from paychaos.stripe_emulator.listing import list_of
from paychaos.stripe_emulator.params import LIST_PARAMS, Bool, ListOf, Metadata, Str
from paychaos.stripe_emulator.resources.common import apply_changes, deleted, merge_metadata
from paychaos.stripe_emulator.routing import Call, Route
from paychaos.stripe_emulator.versions import check_version

UPDATE_FIELDS = {
    "url": Str(max_length=5000),
    "enabled_events": ListOf(Str(max_length=200), max_items=300),
    "description": Str(max_length=5000),
    "metadata": Metadata(),
    "disabled": Bool(),
}
CREATE_FIELDS = {
    **UPDATE_FIELDS,
    "url": Str(required=True, max_length=5000),
    "enabled_events": ListOf(Str(max_length=200), required=True, max_items=300),
    "api_version": Str(max_length=100),
    "connect": Bool(),
}


def _check_url(url: str, param: str = "url") -> str:
    parts = urlsplit(url)
    if parts.scheme not in ("http", "https") or not parts.netloc:
        raise invalid(f"Invalid URL: {url[:200]}", param=param, code="url_invalid")
    return url


def _check_events(events: list[str]) -> list[str]:
    for n, event_type in enumerate(events):
        if event_type != "*" and "." not in event_type:
            raise invalid(
                f"Invalid enabled_events[{n}]: must be '*' or an event type",
                param=f"enabled_events[{n}]",
            )
    return events


def create(call: Call) -> dict[str, Any]:
    state, p = call.state, call.params
    endpoint_id = state.new_id("we_")
    endpoint = state.store.add(
        {
            "id": endpoint_id,
            "object": "webhook_endpoint",
            "api_version": (
                check_version(p["api_version"], param="api_version")
                if p.get("api_version")
                else state.config.api_version
            ),
            "application": None,
            "created": state.now(),
            "description": p.get("description"),
            "enabled_events": _check_events(p["enabled_events"]),
            "livemode": False,
            "metadata": p.get("metadata") or {},
            "status": "disabled" if p.get("disabled") else "enabled",
            "url": _check_url(p["url"]),
        }
    )
    secret = endpoint_secret(state.new_id("")[:32], state.config.webhook_secret_key)
    state.store.secrets[endpoint_id] = secret
    return {**endpoint, "secret": secret}


def retrieve(call: Call) -> dict[str, Any]:
    return call.state.store.get("webhook_endpoint", call.args["id"])


def update(call: Call) -> dict[str, Any]:
    endpoint = call.state.store.get("webhook_endpoint", call.args["id"])
    p = call.params
    changes: dict[str, Any] = {}
    if "url" in p:
        changes["url"] = _check_url(p["url"])
    if "enabled_events" in p:
        changes["enabled_events"] = _check_events(p["enabled_events"])
    if "description" in p:
        changes["description"] = p["description"]
    if "metadata" in p:
        changes["metadata"] = merge_metadata(endpoint["metadata"], p["metadata"])
    if "disabled" in p:
        changes["status"] = "disabled" if p["disabled"] else "enabled"
    apply_changes(endpoint, changes)
    return endpoint


def delete(call: Call) -> dict[str, Any]:
    endpoint = call.state.store.get("webhook_endpoint", call.args["id"])
    call.state.store.remove("webhook_endpoint", endpoint["id"])
    call.state.store.secrets.pop(endpoint["id"], None)
    return deleted(endpoint)


def list_endpoints(call: Call) -> dict[str, Any]:
    return list_of(
        call.state.store.newest_first("webhook_endpoint"), call.params, "/v1/webhook_endpoints"
    )


ROUTES = [
    Route("POST", "/v1/webhook_endpoints", create, CREATE_FIELDS),
    Route("GET", "/v1/webhook_endpoints", list_endpoints, LIST_PARAMS),
    Route("GET", "/v1/webhook_endpoints/{id}", retrieve),
    Route("POST", "/v1/webhook_endpoints/{id}", update, UPDATE_FIELDS),
    Route("DELETE", "/v1/webhook_endpoints/{id}", delete),
]


def endpoint_secret(seeded: str, key: str) -> str:
    """An endpoint's ``whsec_`` secret: the seeded id, keyed with the emulator's random key
    when it has one (so the secret is stable for a seed, yet nobody can compute it)."""
    if not key:
        return "whsec_" + seeded
    return "whsec_" + hmac.new(key.encode(), seeded.encode(), hashlib.sha256).hexdigest()[:32]
