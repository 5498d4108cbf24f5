"""I2: no active subscription without a paid session.

Unpaid, expired and async-failed sessions get none; nor does anything that
Stripe never heard of (a forged event's invented session).
"""

from __future__ import annotations

from collections.abc import Sequence

from paychaos.history import Event
from paychaos.invariants import Invariant, Violation
from paychaos.invariants._common import any_session_reason, session_of
from paychaos.state import FinalState


def check(history: Sequence[Event], state: FinalState) -> list[Violation]:
    found = []
    for sub in state.subscriptions:
        if not sub.active:
            continue
        session = session_of(state, sub)
        if session is None:
            found.append(
                INVARIANT.violation(
                    f"subscription {sub.id} is active but Stripe knows no session for it "
                    f"(session {sub.checkout_session_id!r})",
                    [sub],
                )
            )
        elif not session.paid:
            found.append(
                INVARIANT.violation(
                    f"subscription {sub.id} is active but its session {session.id} is "
                    f"{session.status}/{session.payment_status} in Stripe (service given away)",
                    [sub, session],
                )
            )
    return found


INVARIANT = Invariant(
    id="I2",
    title="no active subscription without a paid session",
    meaning="service given away without payment",
    check=check,
    exercised=any_session_reason,
)
