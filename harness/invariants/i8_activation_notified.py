"""I8: once Redis is back, every activation is notified (at least once), and only real ones.

Judged on what a real websocket client per company received during the run.
Only companies that had a browser connected are judged for missing
notifications, and only when Redis was healthy at the end. Whatever Redis
did, a notification must never name a subscription the app does not hold:
the browser was then told about work that was rolled back.
"""

from __future__ import annotations

from collections.abc import Sequence

from paychaos.app.traits import AppTraits
from paychaos.history import Event
from paychaos.invariants import Invariant, Violation
from paychaos.state import FinalState


def check(history: Sequence[Event], state: FinalState) -> list[Violation]:
    found = _phantoms(state)
    if not state.redis_healthy:
        return found
    for sub in state.subscriptions:
        if not sub.active or sub.company_id not in state.observed_companies:
            continue
        ids = {sub.id, sub.stripe_subscription_id}
        told = [
            n
            for n in state.notifications
            if n.company_id == sub.company_id
            and (
                (n.session_id is not None and n.session_id == sub.checkout_session_id)
                or (n.subscription_id is not None and n.subscription_id in ids)
            )
        ]
        if not told:
            found.append(
                INVARIANT.violation(
                    f"subscription {sub.id} (session {sub.checkout_session_id}) activated but "
                    f"company {sub.company_id}'s browser was never notified",
                    [sub],
                )
            )
    return found


def _phantoms(state: FinalState) -> list[Violation]:
    """Notifications naming a subscription that never got saved (told before commit)."""
    held = {str(sub.id) for sub in state.subscriptions}
    held |= {str(sub.stripe_subscription_id) for sub in state.subscriptions}
    found = []
    for n in state.notifications:
        if n.subscription_id is not None and str(n.subscription_id) not in held:
            found.append(
                INVARIANT.violation(
                    f"company {n.company_id}'s browser was told {n.kind} for subscription "
                    f"{n.subscription_id} (session {n.session_id}), which the app does not hold: "
                    f"the customer was told about work that was rolled back",
                    [n],
                )
            )
    return found


def _applies(traits: AppTraits) -> str | None:
    return None if traits.notifies_browsers else "the app does not notify browsers"


def _exercised(history: Sequence[Event], state: FinalState) -> str | None:
    if state.notifications:
        return None
    if not state.redis_healthy:
        return "Redis was not healthy at the end, so no notification was promised"
    if not any(
        sub.active and sub.company_id in state.observed_companies for sub in state.subscriptions
    ):
        return "no subscription was activated for a company whose browser was listening"
    return None


INVARIANT = Invariant(
    id="I8",
    title="once Redis is back, every activation is notified (at least once), and only saved ones",
    meaning="activation never reached the customer's browser, or a rolled-back one was announced",
    check=check,
    exercised=_exercised,
    applies=_applies,
)
