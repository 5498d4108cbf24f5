"""I3: exactly one payment record per paid session, and none for an unpaid one."""

from __future__ import annotations

from collections.abc import Sequence

from paychaos.app.traits import AppTraits
from paychaos.history import Event
from paychaos.invariants import Invariant, Violation
from paychaos.invariants._common import payments_for, unpaid_reason
from paychaos.state import FinalState


def check(history: Sequence[Event], state: FinalState) -> list[Violation]:
    found = []
    known = {s.id for s in state.sessions}
    for session in state.sessions:
        payments = payments_for(state, session)
        if session.paid and len(payments) != 1:
            found.append(
                INVARIANT.violation(
                    f"session {session.id} is paid once but the app recorded "
                    f"{len(payments)} payments for it",
                    [session, *payments],
                )
            )
        elif not session.paid and payments:
            found.append(
                INVARIANT.violation(
                    f"session {session.id} is {session.status}/{session.payment_status} but the "
                    f"app recorded {len(payments)} payment(s) for it",
                    [session, *payments],
                )
            )
    for payment in state.payments:
        if payment.checkout_session_id not in known:
            found.append(
                INVARIANT.violation(
                    f"payment {payment.id} names session {payment.checkout_session_id!r}, "
                    f"which Stripe never created",
                    [payment],
                )
            )
    return found


def _applies(traits: AppTraits) -> str | None:
    return None if traits.records_payments else "the app keeps no payment records"


INVARIANT = Invariant(
    id="I3",
    title="exactly one payment record per paid session",
    meaning="payment recorded twice, or for nothing",
    check=check,
    exercised=unpaid_reason,
    applies=_applies,
)
