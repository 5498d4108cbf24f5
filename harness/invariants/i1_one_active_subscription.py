"""I1: every paid checkout session ends in exactly one active subscription.

Judged on the final state after heal and drain. A session whose subscription
Stripe itself has since canceled is left to I7.
"""

from __future__ import annotations

from collections.abc import Sequence

from paychaos.history import Event
from paychaos.invariants import Invariant, Violation
from paychaos.invariants._common import ended_in_stripe, subscriptions_for, unpaid_reason
from paychaos.state import FinalState


def check(history: Sequence[Event], state: FinalState) -> list[Violation]:
    found = []
    for session in state.sessions:
        if not session.paid or ended_in_stripe(state, session):
            continue
        subs = subscriptions_for(state, session)
        active = [s for s in subs if s.active]
        if not active:
            found.append(
                INVARIANT.violation(
                    f"session {session.id} is paid in Stripe but the app has no active "
                    f"subscription for it (money taken, nothing delivered)",
                    [session, *subs],
                )
            )
        elif len(active) > 1:
            found.append(
                INVARIANT.violation(
                    f"session {session.id} is paid once but the app holds {len(active)} "
                    f"active subscriptions for it",
                    [session, *active],
                )
            )
    return found


INVARIANT = Invariant(
    id="I1",
    title="every paid checkout session ends in exactly one active subscription",
    meaning="money taken, no subscription (or two)",
    check=check,
    exercised=unpaid_reason,
)
