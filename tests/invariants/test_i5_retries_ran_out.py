"""I5 and an outage that outlasts Stripe's retries: an event whose every attempt came while the
app's database or server was out is not held against the app (Stripe never put it to the app
once faults healed); one refused while Redis was down, or after the heal, still is. Hand-made
histories and final states, in the order a run records them."""

from __future__ import annotations

from paychaos.fixtures.state import DeliveryAttemptFactory, PaidSessionFactory
from paychaos.history import History
from paychaos.invariants import check_all
from paychaos.state import FinalState

RETRIES = 3  # test mode: three retries after the first attempt, then Stripe stops


def refused(attempt: int):
    return DeliveryAttemptFactory(event_id="evt_1", attempt=attempt, http_status=503)


def record_attempt(history: History, attempt: int, status: int = 503) -> None:
    history.record(
        "stripe",
        "webhook",
        {"event_id": "evt_1", "attempt": attempt, "status": status, "delivered": status == 200},
    )


def run(fault: dict, *, heal_before_last: bool = False):
    """Every attempt of evt_1 refused with ``fault`` on; Stripe gives up; heal at the end."""
    history = History()
    history.record("nemesis", fault.pop("name"), fault)
    for attempt in range(1, RETRIES + 2):
        if heal_before_last and attempt == RETRIES + 1:
            history.record("nemesis", "heal", {"target": None})
        record_attempt(history, attempt)
        history.record("stripe", "advance_clock", {"seconds": 86400, "now": attempt * 86400})
    history.record("nemesis", "heal", {"target": None})
    deliveries = tuple(refused(a) for a in range(1, RETRIES + 2))
    return history.events(), FinalState(sessions=(PaidSessionFactory(),), deliveries=deliveries)


def i5(events, state):
    return [v.invariant for v in check_all(events, state, only=["I5"])]


def test_retries_run_out_while_postgres_is_down_are_not_held_against_the_app():
    down = {"name": "fault", "target": "postgres", "fault": "down", "params": {}, "phase": "on"}
    assert i5(*run(down)) == []
    reset = {"name": "fault", "target": "postgres", "fault": "reset_peer", "phase": "on"}
    assert i5(*run(reset)) == []


def test_retries_run_out_while_the_app_is_down_are_not_held_against_it():
    assert i5(*run({"name": "process", "target": "app", "action": "crash"})) == []
    crash = {"name": "failpoint", "action": "1*crash->off"}
    assert i5(*run(crash)) == []


def test_a_refusal_once_the_outage_healed_is_still_broken():
    down = {"name": "fault", "target": "postgres", "fault": "down", "params": {}, "phase": "on"}
    assert i5(*run(down, heal_before_last=True)) == ["I5"]


def test_a_partial_heal_of_postgres_ends_its_outage():
    history = History()
    history.record("nemesis", "fault", {"target": "postgres", "fault": "down", "phase": "on"})
    record_attempt(history, 1)
    history.record("nemesis", "fault", {"target": "postgres", "fault": "down", "phase": "off"})
    history.record("nemesis", "heal", {"target": "postgres"})
    record_attempt(history, 2)
    deliveries = (refused(1), refused(2))
    assert i5(history.events(), FinalState(deliveries=deliveries)) == ["I5"]


def test_faults_an_app_rides_through_excuse_nothing():
    # Refusing a webhook because Redis (or the broker, or Stripe's API) is down is the bug.
    for fault in (
        {"name": "fault", "target": "redis", "fault": "down", "phase": "on"},
        {"name": "fault", "target": "broker", "fault": "blackhole", "phase": "on"},
        {"name": "fault", "target": "postgres", "fault": "latency", "phase": "on"},
        {"name": "process", "target": "redis", "action": "pause"},
        {"name": "process", "target": "postgres", "action": "terminate_backends"},
        {"name": "api_fault", "action": "error", "status": 500},
    ):
        assert i5(*run(dict(fault))) == ["I5"], fault


def test_attempts_the_history_does_not_place_are_judged_as_before():
    state = FinalState(deliveries=tuple(refused(a) for a in range(1, RETRIES + 2)))
    assert i5([], state) == ["I5"]


def test_same_history_same_verdict():
    down = {"name": "fault", "target": "postgres", "fault": "down", "params": {}, "phase": "on"}
    verdicts = {tuple(i5(*run(dict(down)))) for _ in range(5)}
    assert verdicts == {()}
