"""I9: after heal, every activation's tasks ran and did their work exactly once, and none ran
for an activation that rolled back.

Judged on the effects the app's tasks left in its database (one row per run that did its
work), read once the worker had run everything queued. For every subscription active at the
end, each task the app names (``traits.task_kinds``) must have left exactly one effect for its
checkout session: none is a lost task (the account never provisioned, the receipt never sent),
two are a task run twice (a redelivery, a republish, two activations of one payment). An
effect naming a subscription the app does not hold is a task run for work that rolled back
(a receipt for a payment that is not there).

A subscription that is no longer active is judged for doubles and phantoms only: from the
final state alone, one canceled before it was ever active cannot be told apart.
"""

from __future__ import annotations

from collections import Counter
from collections.abc import Sequence

from paychaos.app.traits import AppTraits
from paychaos.history import Event
from paychaos.invariants import Invariant, Violation
from paychaos.state import FinalState


def check(history: Sequence[Event], state: FinalState) -> list[Violation]:
    if not state.task_kinds:
        return []
    found: list[Violation] = []
    held = {str(sub.id) for sub in state.subscriptions}
    for effect in state.task_effects:
        if effect.subscription_id is not None and effect.subscription_id not in held:
            found.append(
                INVARIANT.violation(
                    f"task {effect.kind} ran for subscription {effect.subscription_id} "
                    f"(session {effect.checkout_session_id}), which the app does not hold: "
                    "its work was done for an activation that rolled back",
                    [effect],
                )
            )
    counts = Counter((e.kind, e.checkout_session_id) for e in state.task_effects)
    sessions = {sub.checkout_session_id: sub for sub in state.subscriptions}
    for session_id, sub in sessions.items():
        if session_id is None:
            continue
        for kind in state.task_kinds:
            n = counts.get((kind, session_id), 0)
            effects = [
                e
                for e in state.task_effects
                if e.kind == kind and e.checkout_session_id == session_id
            ]
            if n > 1:
                found.append(
                    INVARIANT.violation(
                        f"task {kind} did its work {n} times for session {session_id}: "
                        "the customer got it more than once",
                        [sub, *effects],
                    )
                )
            elif n == 0 and sub.active and state.tasks_settled:
                found.append(
                    INVARIANT.violation(
                        f"subscription {sub.id} (session {session_id}) is active but task "
                        f"{kind} never did its work: it was never queued, or lost",
                        [sub],
                    )
                )
    return found


def _applies(traits: AppTraits) -> str | None:
    return None if traits.task_kinds else "the app runs no tasks after an activation"


def _exercised(history: Sequence[Event], state: FinalState) -> str | None:
    if not (state.task_effects or any(sub.active for sub in state.subscriptions)):
        return "no subscription was activated, so no task was due"
    if not state.tasks_settled:
        # A task not done yet may be lost or only late: the main half went unjudged.
        done = {(e.kind, e.checkout_session_id) for e in state.task_effects}
        if any(
            (kind, sub.checkout_session_id) not in done
            for sub in state.subscriptions
            if sub.active and sub.checkout_session_id is not None
            for kind in state.task_kinds
        ):
            return (
                "the worker never finished what was queued, so whether every activation's "
                "tasks ran could not be judged"
            )
    return None


INVARIANT = Invariant(
    id="I9",
    title="every activation's tasks ran exactly once, and none for work that rolled back",
    meaning="the account was never provisioned or the receipt never sent, or sent twice, "
    "or sent for a payment that was rolled back",
    check=check,
    exercised=_exercised,
    applies=_applies,
)
