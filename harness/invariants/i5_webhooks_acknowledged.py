"""I5: every webhook event is eventually acknowledged with 2xx once faults heal.

Judged on the emulator's delivery attempts. Attempts the emulator tampered
with on purpose (forged, stale, ...) or dropped before they reached the app do
not count either way: the promise is about honest deliveries. An event whose last
attempt Stripe dropped (a delivery policy that drops every attempt) was never put to the
app once faults healed, so its earlier refusals are not held against it.

Likewise an event whose every honest attempt came while the app could not record anything:
its own database unreachable (a Postgres fault other than latency, Postgres stopped or
killed) or its server down (crashed, or a crash failpoint armed). Stripe retries a failed
delivery a bounded number of times (three retries over a few hours in test mode, up to three
days live) and then stops; an outage that outlasts them leaves an event Stripe never put to
the app once faults healed, and answering 5xx while nothing can be stored is what an app
should do. The outage is read from the history, where each attempt is recorded in order
with the nemesis's faults and heals, so the verdict depends on the schedule, not on timing;
an attempt the history does not place is judged as before. Faults an app can ride through
(Redis, the broker, the worker, Stripe's API, latency) excuse nothing: refusing a webhook
because Redis is down is a bug (M1). What an excused event carried is still judged: a paid
session the app lost with it breaks I1, and so on.
"""

from __future__ import annotations

from collections import defaultdict
from collections.abc import Sequence

from paychaos.history import Event, completions
from paychaos.invariants import Invariant, Violation
from paychaos.state import DeliveryAttempt, FinalState

# Network faults after which the app's database still answers, only slower.
SLOW_ONLY = frozenset({"latency", "bandwidth", "slow_close", "slicer"})


def _outage_change(event: Event, down: set[str]) -> None:
    """Apply one nemesis op to ``down``: the parts acknowledging needs that are out."""
    value = event.value
    target = value.get("target")
    if event.name == "heal":
        if target is None:
            down.clear()
        else:
            down.discard(str(target))
    elif event.name == "fault" and target == "postgres":
        if value.get("phase") == "off":
            down.discard("postgres")
        elif value.get("fault") not in SLOW_ONLY:
            down.add("postgres")
    elif event.name == "process" and target in ("postgres", "app"):
        action = value.get("action")
        if action in ("stop", "kill", "crash"):
            down.add(str(target))
        elif action in ("start", "restart"):
            down.discard(str(target))
    elif event.name == "failpoint" and "crash" in str(value.get("action", "")):
        down.add("app")


def attempts_by_outage(
    history: Sequence[Event],
) -> tuple[set[tuple[str, int]], set[tuple[str, int]]]:
    """(event id, attempt number) of the webhook attempts the history recorded while the app's
    database or server was out, and of those recorded while neither was. A genuine replay
    re-sends an earlier attempt's bytes: it places no attempt."""
    down: set[str] = set()
    during: set[tuple[str, int]] = set()
    otherwise: set[tuple[str, int]] = set()
    for event in history:
        if event.type != "ok":
            continue
        if event.process == "nemesis":
            _outage_change(event, down)
        elif event.process == "stripe" and event.name == "webhook":
            if event.value.get("policy") == "replay":
                continue
            key = (str(event.value.get("event_id")), int(event.value.get("attempt", 1)))
            (during if down else otherwise).add(key)
    return during, otherwise


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
    during_outage, otherwise = attempts_by_outage(history)
    found = []
    for (event_id, endpoint), attempts in honest.items():
        if last_dropped.get((event_id, endpoint)):
            continue  # Stripe's last word never reached the app
        placed = {(a.event_id, a.attempt) for a in attempts}
        if placed <= during_outage and not placed & otherwise:
            continue  # Stripe's retries ran out while nothing could be recorded
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
