"""I7: a canceled subscription is never resurrected by a late or reordered event.

Judged on the final state (Stripe says canceled, so the app must not say
active) and on the history (a status read that went from canceled back to
active).
"""

from __future__ import annotations

from collections.abc import Sequence

from paychaos.history import Event, completions
from paychaos.invariants import Invariant, Violation
from paychaos.invariants._common import ENDED_STATUSES
from paychaos.state import ACTIVE_STATUSES, FinalState


def check(history: Sequence[Event], state: FinalState) -> list[Violation]:
    found = []
    ended = {s.id: s for s in state.stripe_subscriptions if s.status in ENDED_STATUSES}
    for sub in state.subscriptions:
        stripe_sub = ended.get(sub.stripe_subscription_id or "")
        if stripe_sub is not None and sub.active:
            found.append(
                INVARIANT.violation(
                    f"subscription {sub.id} is active in the app but Stripe canceled "
                    f"{stripe_sub.id}",
                    [sub, stripe_sub],
                )
            )
    canceled_seen: dict[str, Event] = {}
    for event in completions(history, "read_subscription"):
        key = event.value.get("session") or event.value.get("subscription")
        status = event.value.get("status")
        if not key or event.type != "ok":
            continue
        if status in ENDED_STATUSES:
            canceled_seen[key] = event
        elif status in ACTIVE_STATUSES and key in canceled_seen:
            found.append(
                INVARIANT.violation(
                    f"subscription for {key} went from {canceled_seen[key].value.get('status')} "
                    f"back to {status}",
                    [canceled_seen[key], event],
                )
            )
    return found


def _exercised(history: Sequence[Event], state: FinalState) -> str | None:
    if any(s.status in ENDED_STATUSES for s in state.stripe_subscriptions):
        return None
    return "no subscription was canceled"


INVARIANT = Invariant(
    id="I7",
    title="a canceled subscription is never resurrected by a late or reordered event",
    meaning="a canceled subscription came back",
    check=check,
    exercised=_exercised,
)
