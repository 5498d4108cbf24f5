"""I8: once Redis is back, every activation is notified (at least once).

Judged on what a real websocket client per company received during the run.
Only companies that had a browser connected are judged, and only when Redis
was healthy at the end.
"""

from __future__ import annotations

from collections.abc import Sequence

from harness.history import Event
from harness.invariants import Invariant, Violation
from harness.state import FinalState


def check(history: Sequence[Event], state: FinalState) -> list[Violation]:
    if not state.redis_healthy:
        return []
    found = []
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


INVARIANT = Invariant(
    id="I8",
    title="once Redis is back, every activation is notified (at least once)",
    judged_on="websocket notifications",
    check=check,
)
