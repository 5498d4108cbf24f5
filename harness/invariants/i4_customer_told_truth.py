"""I4: the customer is never told "failed" for a session Stripe calls paid; after heal, validate says success.

Judged on the history: every ``validate`` completion carries ``told``, what
the app's success page shows the customer for that answer (an HTTP error
included, as the page's own code would render it).
"""

from __future__ import annotations

from collections.abc import Sequence

from paychaos.history import Event, completions
from paychaos.invariants import Invariant, Violation
from paychaos.invariants._common import ended_in_stripe, unpaid_reason
from paychaos.state import FinalState


def check(history: Sequence[Event], state: FinalState) -> list[Violation]:
    found = []
    paid = {s.id for s in state.sessions if s.paid}
    last_told: dict[str, Event] = {}
    for event in completions(history, "validate"):
        session_id = event.value.get("session")
        if session_id not in paid:
            continue
        told = event.value.get("told")
        if told == "failed":
            found.append(
                INVARIANT.violation(
                    f'the customer was told "Payment failed" for session {session_id}, '
                    f"which Stripe calls paid",
                    [event],
                )
            )
        if told is not None:
            last_told[session_id] = event
    ended = {s.id for s in state.sessions if ended_in_stripe(state, s)}
    for session_id, event in last_told.items():
        # A subscription the customer or Stripe has since ended is no longer a success to
        # show; saying "Payment failed" for it is still a lie (above), as I1 judges it too.
        if session_id in ended:
            continue
        if event.value.get("after_heal") and event.value.get("told") != "success":
            found.append(
                INVARIANT.violation(
                    f"after heal, validate still tells the customer "
                    f"{event.value.get('told')!r} for paid session {session_id}",
                    [event],
                )
            )
    return found


def _exercised(history: Sequence[Event], state: FinalState) -> str | None:
    reason = unpaid_reason(history, state)
    if reason:
        return reason
    paid = {s.id for s in state.sessions if s.paid}
    if not any(e.value.get("session") in paid for e in completions(history, "validate")):
        return "the success page never asked about a paid session"
    return None


INVARIANT = Invariant(
    id="I4",
    title='the customer is never told "failed" for a paid session; after heal, validate says success',
    meaning='paying customer told "Payment failed"',
    check=check,
    exercised=_exercised,
)
