"""What the checkers judge besides the history: Stripe's, the app's and the browsers' state.

Read once, at the end of a run (after heal and drain), straight from the emulator and the
app's own database.
"""

from __future__ import annotations

from typing import Any

from paychaos.app import AppAdapter
from paychaos.state import DeliveryAttempt, FinalState, StripeSession, StripeSubscription
from paychaos.stripe_rest import StripeRest, id_of


def collect_final_state(
    stripe: StripeRest,
    deliveries: list[dict[str, Any]],
    app: AppAdapter,
    observer: Any,
    *,
    redis_healthy: bool,
    tasks_settled: bool = True,
) -> FinalState:
    """The final state of one run; ``deliveries``: the emulator's attempt records."""
    sessions = tuple(
        StripeSession(
            id=s["id"],
            status=s["status"],
            payment_status=s["payment_status"],
            company_id=(s.get("metadata") or {}).get("company_id"),
            subscription_id=id_of(s.get("subscription")),
            mode=s.get("mode", "subscription"),
            price_ids=_prices(stripe, s),
            amount_total=s.get("amount_total"),
            currency=s.get("currency"),
        )
        # Each session with its line items in the same read (one request for them all).
        for s in stripe.list_all("/v1/checkout/sessions", {"expand[]": "data.line_items"})
    )
    stripe_subs = tuple(
        StripeSubscription(id=s["id"], status=s["status"])
        for s in stripe.list_all("/v1/subscriptions", {"status": "all"})
    )
    return FinalState(
        sessions=sessions,
        stripe_subscriptions=stripe_subs,
        subscriptions=tuple(app.subscriptions()),
        payments=tuple(app.payments()),
        deliveries=tuple(delivery_attempt(d) for d in deliveries),
        notifications=observer.notifications(),
        observed_companies=observer.companies,
        redis_healthy=redis_healthy,
        task_kinds=tuple(app.traits.task_kinds),
        task_effects=tuple(app.task_effects()) if app.traits.task_kinds else (),
        tasks_settled=tasks_settled,
    )


def charged_prices(stripe: StripeRest, session_id: str) -> tuple[str, ...]:
    """The prices a session's line items charge, as Stripe holds them."""
    items = stripe.list_all(f"/v1/checkout/sessions/{session_id}/line_items")
    return tuple(p for p in (id_of((i or {}).get("price")) for i in items) if p)


def _prices(stripe: StripeRest, session: dict[str, Any]) -> tuple[str, ...]:
    expanded = _expanded_prices(session)
    return expanded if expanded is not None else charged_prices(stripe, session["id"])


def _expanded_prices(session: dict[str, Any]) -> tuple[str, ...] | None:
    """The prices of a session read with its line items expanded; None when they were not
    (or not all of them: a longer list is read page by page by ``charged_prices``)."""
    items = session.get("line_items")
    if (
        not isinstance(items, dict)
        or items.get("has_more")
        or not isinstance(items.get("data"), list)
    ):
        return None
    return tuple(p for p in (id_of((i or {}).get("price")) for i in items["data"]) if p)


def delivery_attempt(raw: dict[str, Any]) -> DeliveryAttempt:
    """One emulator attempt record as the checkers see it (what the delivery action declared)."""
    status = raw.get("status")
    return DeliveryAttempt(
        event_id=raw["event_id"],
        event_type=raw.get("event_type", ""),
        attempt=int(raw.get("attempt", 1)),
        http_status=status if isinstance(status, int) else None,
        error=raw.get("error"),
        tampering=raw.get("tampering"),
        dropped=bool(raw.get("dropped")),
        endpoint=str(raw.get("endpoint_id", "")),
        must_reject=bool(raw.get("must_be_refused")),
        response_body=str(raw.get("response_body") or ""),
    )
