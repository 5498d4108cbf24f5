"""Helpers the invariant checkers share: matching app rows to Stripe sessions."""

from __future__ import annotations

from collections.abc import Sequence

from paychaos.history import Event, completions
from paychaos.state import AppPayment, AppSubscription, FinalState, StripeSession

# Stripe subscription statuses after which nothing may be active in the app.
ENDED_STATUSES = frozenset({"canceled", "incomplete_expired"})


def subscriptions_for(state: FinalState, session: StripeSession) -> list[AppSubscription]:
    """App subscriptions that belong to ``session``: by session id, or by its Stripe subscription id."""
    return [
        sub
        for sub in state.subscriptions
        if sub.checkout_session_id == session.id
        or (session.subscription_id and sub.stripe_subscription_id == session.subscription_id)
    ]


def session_of(state: FinalState, sub: AppSubscription) -> StripeSession | None:
    """The Stripe session an app subscription claims to come from, if Stripe knows it."""
    for session in state.sessions:
        if sub.checkout_session_id and sub.checkout_session_id == session.id:
            return session
        if sub.stripe_subscription_id and sub.stripe_subscription_id == session.subscription_id:
            return session
    return None


def payments_for(state: FinalState, session: StripeSession) -> list[AppPayment]:
    return [p for p in state.payments if p.checkout_session_id == session.id]


def ended_in_stripe(state: FinalState, session: StripeSession) -> bool:
    """True when Stripe has since canceled the session's subscription (I7's business, not I1's)."""
    sub = state.stripe_subscription(session.subscription_id)
    return sub is not None and sub.status in ENDED_STATUSES


def no_checkout_reason(history: Sequence[Event]) -> str:
    """Why a run has no Checkout Session: the customer could not check out, or never tried."""
    for event in completions(history, "checkout"):
        if event.type == "fail":
            return f"the customer could not check out: {event.value.get('error', 'the app failed')}"
    return "no checkout session was created"


def unpaid_reason(history: Sequence[Event], state: FinalState) -> str | None:
    """Why no session got paid (None when one did): the situation I1, I3 and I4 are about."""
    if not state.sessions:
        return no_checkout_reason(history)
    if not any(s.paid for s in state.sessions):
        return "no checkout session was paid"
    return None


def any_session_reason(history: Sequence[Event], state: FinalState) -> str | None:
    """Why the run has no Checkout Session at all (None when it has one)."""
    return None if state.sessions else no_checkout_reason(history)


def buyers(history: Sequence[Event]) -> dict[str, str]:
    """Session id -> the app id of the company whose browser checked it out (and pays for
    it), from the harness's own checkout ops: the truth, whatever the session's metadata or
    the client's edited request says."""
    found: dict[str, str] = {}
    for event in history:
        if event.type != "ok" or event.name not in ("checkout", "tampered_checkout"):
            continue
        session, company = event.value.get("session"), event.value.get("company_id")
        if isinstance(session, str) and company is not None:
            found[session] = str(company)
    return found
