"""I5: every webhook event is eventually acknowledged with 2xx once faults heal.

Judged on the emulator's delivery attempts. Attempts the emulator tampered
with on purpose (forged, stale, ...) or dropped before they reached the app do
not count either way: the promise is about honest deliveries. An event whose last
attempt Stripe dropped (a delivery policy that drops every attempt) was never put to the
app once faults healed, so its earlier refusals are not held against it.
"""

from __future__ import annotations

from collections import defaultdict
from collections.abc import Sequence

from paychaos.history import Event, completions
from paychaos.invariants import Invariant, Violation
from paychaos.state import DeliveryAttempt, FinalState


def check(history: Sequence[Event], state: FinalState) -> list[Violation]:
    honest: dict[tuple[str, str], list[DeliveryAttempt]] = defaultdict(list)
    last_dropped: dict[tuple[str, str], bool] = {}
    for attempt in state.deliveries:
        if attempt.tampering is not None:
            continue
        key = (attempt.event_id, attempt.endpoint)
        last_dropped[key] = attempt.dropped
        if not attempt.dropped:
            honest[key].append(attempt)
    found = []
    for (event_id, endpoint), attempts in honest.items():
        if last_dropped.get((event_id, endpoint)):
            continue  # Stripe's last word never reached the app
        if not any(a.acknowledged for a in attempts):
            last = attempts[-1]
            answer = last.http_status if last.http_status is not None else last.error
            body = f" {last.response_body.strip()[:200]!r}" if last.response_body.strip() else ""
            # What the app logged while it refused (recorded with the attempts by the runner).
            logs = [
                e
                for e in completions(history, "webhook")
                if e.value.get("event_id") == event_id and e.value.get("app_log")
            ]
            found.append(
                INVARIANT.violation(
                    f"{last.event_type} event {event_id} was never acknowledged: "
                    f"{len(attempts)} attempt(s), last answered {answer}{body}",
                    [*attempts, *logs[-1:]],
                )
            )
    return found


def _exercised(history: Sequence[Event], state: FinalState) -> str | None:
    return None if state.deliveries else "Stripe delivered no webhook to the app"


INVARIANT = Invariant(
    id="I5",
    title="every webhook event is eventually acknowledged with 2xx once faults heal",
    meaning="webhook never acknowledged: Stripe retries, then gives up",
    check=check,
    exercised=_exercised,
)
