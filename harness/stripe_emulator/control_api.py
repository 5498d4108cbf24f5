"""The control API under ``/_paychaos/``: act as the customer, move time, inspect deliveries.

Only loopback peers with the emulator's API key may use it, and only when the
emulator was started with ``control_enabled=True``. Bodies are JSON.
"""

from __future__ import annotations

import asyncio
from collections.abc import Awaitable, Callable
from typing import Any
from urllib.parse import parse_qs

from paychaos.json_limits import JsonBodyError, loads_bounded
from paychaos.stripe_emulator import flows
from paychaos.stripe_emulator.clock import advance_problem
from paychaos.stripe_emulator.config import DELIVERY_MODES, seed_problem
from paychaos.stripe_emulator.errors import StripeApiError, invalid
from paychaos.stripe_emulator.http_server import HttpRequest, HttpResponse
from paychaos.stripe_emulator.routing import Route, Router
from paychaos.stripe_emulator.shadow import DISABLED_REPORT
from paychaos.stripe_emulator.state import EmulatorState

ControlResult = dict[str, Any] | Awaitable[dict[str, Any]]
ControlHandler = Callable[
    [EmulatorState, dict[str, str], dict[str, Any], dict[str, str]], ControlResult
]

LOOPBACK_PEERS = ("127.", "::1", "::ffff:127.")
# Each renewal is an invoice, a payment and a handful of events kept in memory: a bound on
# what one advance makes, so it can neither block the server for seconds nor fill memory.
MAX_RENEWALS_PER_ADVANCE = 2000


def _int(body: dict[str, Any], name: str, default: int | None = None) -> int | None:
    value = body.get(name, default)
    if value is None:
        return None
    if isinstance(value, bool) or not isinstance(value, int):
        raise invalid(f"{name} must be an integer", param=name)
    return value


# -- customer actions -----------------------------------------------------------------------


def complete_session(state, args, body, query) -> dict[str, Any]:
    session = state.store.get("checkout.session", args["id"])
    return flows.complete_session(state, session, str(body.get("outcome", "paid")))


def async_payment(state, args, body, query) -> dict[str, Any]:
    session = state.store.get("checkout.session", args["id"])
    succeeded = body.get("succeeded")
    if not isinstance(succeeded, bool):
        raise invalid("succeeded must be true or false", param="succeeded")
    return flows.settle_async_payment(state, session, succeeded)


def expire_session(state, args, body, query) -> dict[str, Any]:
    session = state.store.get("checkout.session", args["id"])
    return flows.expire_session(state, session)


def cancel_subscription(state, args, body, query) -> dict[str, Any]:
    subscription = state.store.get("subscription", args["id"])
    reason = str(body.get("reason", "cancellation_requested"))
    return flows.cancel_subscription(state, subscription, reason=reason)


# -- time -----------------------------------------------------------------------------------


def clock(state, args, body, query) -> dict[str, Any]:
    return {"now": state.now()}


def advance_clock(state, args, body, query) -> dict[str, Any]:
    seconds = _int(body, "seconds", 0) or 0
    problem = advance_problem(state.now(), seconds)
    if problem is None:
        renewals = flows.renewals_due_by(state, state.now() + seconds, MAX_RENEWALS_PER_ADVANCE)
        if renewals > MAX_RENEWALS_PER_ADVANCE:
            problem = (
                f"advancing {seconds} s would renew subscriptions more than "
                f"{MAX_RENEWALS_PER_ADVANCE} times at once; advance in several smaller steps"
            )
    if problem:
        raise invalid(problem, param="seconds")
    return {"now": state.advance_clock(seconds)}


# -- events and deliveries ------------------------------------------------------------------


def events(state, args, body, query) -> dict[str, Any]:
    wanted = query.get("type")
    data = [e for e in state.store.oldest_first("event") if not wanted or e["type"] == wanted]
    return {"data": data}


def deliveries(state, args, body, query) -> dict[str, Any]:
    event_id = query.get("event_id")
    data = [a.as_dict() for a in state.deliverer.attempts if not event_id or a.event_id == event_id]
    return {"data": data}


def outbox(state, args, body, query) -> dict[str, Any]:
    return {
        "data": [
            {
                "event_id": p.event_id,
                "endpoint_id": p.endpoint_id,
                "attempts": p.attempts,
                "due_at": p.due_at,
                "state": p.state,
            }
            for p in state.deliverer.pending
        ]
    }


async def deliver_due(state, args, body, query) -> dict[str, Any]:
    return {"data": [a.as_dict() for a in await state.deliverer.deliver_due()]}


async def drain(state, args, body, query) -> dict[str, Any]:
    max_seconds = _int(body, "max_seconds")
    if max_seconds is not None and max_seconds < 0:
        raise invalid("max_seconds must be 0 or more", param="max_seconds")
    advance = body.get("advance_clock", True)
    attempts = await state.deliverer.drain(max_seconds=max_seconds, advance_clock=bool(advance))
    return {"data": [a.as_dict() for a in attempts], "now": state.now()}


def delivery_mode(state, args, body, query) -> dict[str, Any]:
    mode = body.get("mode")
    if mode is not None:
        if mode not in DELIVERY_MODES:
            raise invalid(f"mode must be one of {', '.join(DELIVERY_MODES)}", param="mode")
        state.delivery_mode = mode
        state.deliverer.kick()
    return {"mode": state.delivery_mode}


# -- faults ---------------------------------------------------------------------------------


def _add_rules(collection: Any, body: dict[str, Any]) -> dict[str, Any]:
    """Body: one rule object, or ``{"rules": [...], "replace": bool}``."""
    if "rules" in body:
        specs = body["rules"]
        if not isinstance(specs, list):
            raise invalid("rules must be a list of rule objects", param="rules")
        if body.get("replace"):
            collection.clear()
    else:
        specs = [body]
    added = [collection.add(spec).as_dict() for spec in specs]
    return {"added": added, "data": [r.as_dict() for r in collection.rules]}


def add_delivery_policies(state, args, body, query) -> dict[str, Any]:
    return _add_rules(state.delivery_policies, body)


def list_delivery_policies(state, args, body, query) -> dict[str, Any]:
    return {"data": [r.as_dict() for r in state.delivery_policies.rules]}


def add_api_faults(state, args, body, query) -> dict[str, Any]:
    return _add_rules(state.api_faults, body)


def list_api_faults(state, args, body, query) -> dict[str, Any]:
    return {"data": [r.as_dict() for r in state.api_faults.rules]}


def clear_faults(state, args, body, query) -> dict[str, Any]:
    kind = body.get("kind")
    if kind in (None, "delivery"):
        state.delivery_policies.clear()
    if kind in (None, "api"):
        state.api_faults.clear()
    if kind not in (None, "delivery", "api"):
        raise invalid("kind must be 'delivery', 'api' or absent (both)", param="kind")
    return {"cleared": kind or "all"}


async def replay_delivery(state, args, body, query) -> dict[str, Any]:
    event_id = body.get("event_id")
    if not isinstance(event_id, str):
        raise invalid("event_id is required", param="event_id")
    state.store.get("event", event_id, param="event_id")
    attempts = await state.deliverer.replay_captured(event_id, body.get("endpoint_id"))
    return {"data": [a.as_dict() for a in attempts]}


def release_held(state, args, body, query) -> dict[str, Any]:
    return {"released": state.deliverer.release_held()}


# -- shadow validation against stripe-mock ---------------------------------------------------


async def shadow(state, args, body, query) -> dict[str, Any]:
    """The shadow report; first waits (``?wait=`` seconds, default 10) for queued checks."""
    if state.shadow is None:
        return dict(DISABLED_REPORT)
    try:
        wait = float(query.get("wait", "10"))
    except ValueError:
        raise invalid("wait must be a number of seconds", param="wait") from None
    if not 0 <= wait <= 300:
        raise invalid("wait must be between 0 and 300 seconds", param="wait")
    if wait:
        await asyncio.to_thread(state.shadow.wait_idle, wait)
    return dict(state.shadow.report())


def clear_shadow(state, args, body, query) -> dict[str, Any]:
    if state.shadow is not None:
        state.shadow.clear()
    return {"cleared": state.shadow is not None}


# -- lifecycle ------------------------------------------------------------------------------


def reset(state, args, body, query) -> dict[str, Any]:
    seed = body.get("seed")
    problem = None if seed is None else seed_problem(seed)
    if problem:
        raise invalid(problem, param="seed")
    state.reset(seed)
    return {"seed": state.seed, "now": state.now()}


def health(state, args, body, query) -> dict[str, Any]:
    return {"ok": True, "seed": state.seed, "now": state.now(), "delivery": state.delivery_mode}


P = "/_paychaos"
CONTROL_ROUTES: list[Route] = [
    Route("GET", f"{P}/health", health),
    Route("POST", f"{P}/reset", reset),
    Route("POST", f"{P}/checkout/sessions/{{id}}/complete", complete_session),
    Route("POST", f"{P}/checkout/sessions/{{id}}/async_payment", async_payment),
    Route("POST", f"{P}/checkout/sessions/{{id}}/expire", expire_session),
    Route("POST", f"{P}/subscriptions/{{id}}/cancel", cancel_subscription),
    Route("GET", f"{P}/clock", clock),
    Route("POST", f"{P}/clock/advance", advance_clock),
    Route("GET", f"{P}/events", events),
    Route("GET", f"{P}/deliveries", deliveries),
    Route("GET", f"{P}/outbox", outbox),
    Route("POST", f"{P}/deliveries/deliver_due", deliver_due),
    Route("POST", f"{P}/deliveries/drain", drain),
    Route("POST", f"{P}/delivery_mode", delivery_mode),
    Route("POST", f"{P}/deliveries/replay", replay_delivery),
    Route("POST", f"{P}/deliveries/release_held", release_held),
    Route("POST", f"{P}/delivery_policies", add_delivery_policies),
    Route("GET", f"{P}/delivery_policies", list_delivery_policies),
    Route("POST", f"{P}/api_faults", add_api_faults),
    Route("GET", f"{P}/api_faults", list_api_faults),
    Route("POST", f"{P}/faults/clear", clear_faults),
    Route("GET", f"{P}/delivery_mode", delivery_mode),
    Route("GET", f"{P}/shadow", shadow),
    Route("POST", f"{P}/shadow/clear", clear_shadow),
]


class ControlApi:
    """Dispatches ``/_paychaos/...`` requests to the handlers above."""

    def __init__(self, state: EmulatorState, routes: list[Route] | None = None) -> None:
        self.state = state
        self.router = Router(list(routes or CONTROL_ROUTES))

    def handle(
        self, request: HttpRequest, path: str, query: str, request_id: str
    ) -> HttpResponse | Awaitable[HttpResponse]:
        from paychaos.stripe_emulator.api import check_auth, json_response

        state = self.state
        if not state.config.control_enabled or not request.peer.startswith(LOOPBACK_PEERS):
            raise StripeApiError(404, f"Unrecognized request URL ({request.method}: {path}).")
        check_auth(state, request.headers)
        match = self.router.match(request.method, path)
        if match is None:
            raise StripeApiError(404, f"Unknown control path ({request.method}: {path}).")
        route, args = match
        body: dict[str, Any] = {}
        if request.body:
            try:
                body = loads_bounded(request.body)
            except JsonBodyError as exc:
                raise invalid(f"Control requests take a JSON object body: {exc}.") from None
            if not isinstance(body, dict):
                raise invalid("Control requests take a JSON object body.")
        params = {k: v[-1] for k, v in parse_qs(query).items()}
        result = route.handler(state, args, body, params)
        if isinstance(result, dict):
            return json_response(200, result, request_id)
        return self._later(result, request_id)

    async def _later(self, pending: Awaitable[dict[str, Any]], request_id: str) -> HttpResponse:
        from paychaos.stripe_emulator.api import error_response, json_response

        try:
            return json_response(200, await pending, request_id)
        except StripeApiError as exc:
            return error_response(exc, request_id)
