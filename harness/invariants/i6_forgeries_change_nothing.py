"""I6: forged, unsigned, stale or replayed webhooks change nothing.

A delivery the app must refuse (bad or missing signature, wrong secret, a
timestamp older than the tolerance) must not be answered 2xx, and no
subscription may exist for a session that only a forgery spoke of.
A fresh replay of a genuine delivery cannot be told apart by its signature;
for it, "changes nothing" is I1 and I3's business (no second subscription or
payment). A genuine delivery replayed byte for byte after its signature outlived the
app's tolerance (``replay_genuine``) must be refused.
"""

from __future__ import annotations

from collections.abc import Sequence

from paychaos.history import Event, completions
from paychaos.invariants import Invariant, Violation
from paychaos.state import FinalState


def _is_2xx(status: object) -> bool:
    return isinstance(status, int) and 200 <= status < 300


def check(history: Sequence[Event], state: FinalState) -> list[Violation]:
    found = []
    forged_sessions: dict[str, Event] = {}
    for event in completions(history, "forge"):
        if event.value.get("session"):
            forged_sessions[event.value["session"]] = event
        # Every forgery is one the app must refuse: none is signed with the endpoint's secret
        # inside the tolerance.
        if _is_2xx(event.value.get("http_status")):
            found.append(
                INVARIANT.violation(
                    f"the app accepted a {event.value.get('kind')} webhook "
                    f"({event.value.get('event_type')}) with {event.value.get('http_status')}",
                    [event],
                )
            )
    for event in completions(history, "replay_genuine"):
        age, tolerance = event.value.get("age"), event.value.get("tolerance")
        late = isinstance(age, int) and isinstance(tolerance, int) and age > tolerance
        if late and _is_2xx(event.value.get("http_status")):
            found.append(
                INVARIANT.violation(
                    f"the app accepted a genuine delivery of event {event.value.get('event_id')} "
                    f"replayed {age}s after it was signed, past its {tolerance}s tolerance, "
                    f"with {event.value.get('http_status')}",
                    [event],
                )
            )
    for attempt in state.deliveries:
        if attempt.must_reject and attempt.acknowledged:
            found.append(
                INVARIANT.violation(
                    f"the app accepted a {attempt.tampering} delivery of {attempt.event_type} "
                    f"event {attempt.event_id} with {attempt.http_status}",
                    [attempt],
                )
            )
    paid = {s.id for s in state.sessions if s.paid}
    forged_subs = {
        e.value["subscription"]: e
        for e in completions(history, "forge")
        if e.value.get("subscription")
    }
    for sub in state.subscriptions:
        origin = forged_sessions.get(sub.checkout_session_id or "") or forged_subs.get(
            sub.stripe_subscription_id or ""
        )
        if origin is not None and sub.active and sub.checkout_session_id not in paid:
            found.append(
                INVARIANT.violation(
                    f"a forged webhook created active subscription {sub.id} for session "
                    f"{sub.checkout_session_id}",
                    [origin, sub],
                )
            )
    return found


def _exercised(history: Sequence[Event], state: FinalState) -> str | None:
    # A forgery that got no answer (the app was down) was never put to the app.
    if any(e.type == "ok" for e in completions(history, "forge")):
        return None
    if any(a.must_reject for a in state.deliveries):
        return None
    if any(e.type == "ok" for e in completions(history, "replay_genuine")):
        return None
    return "no forged, unsigned or stale webhook reached the app"


INVARIANT = Invariant(
    id="I6",
    title="forged, unsigned, stale or replayed webhooks change nothing",
    meaning="a forged or stale webhook was accepted",
    check=check,
    exercised=_exercised,
)
