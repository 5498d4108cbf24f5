"""What the HTML timeline draws, from a history: lanes, bars and fault windows."""

from __future__ import annotations

from paychaos.history import History
from paychaos.invariants import Violation
from paychaos.report_html import fault_windows, timeline


def test_each_kind_of_fault_is_a_window_until_what_ends_it():
    history = History()
    history.record("nemesis", "fault", {"target": "redis", "fault": "latency", "phase": "on"})
    history.record("nemesis", "process", {"target": "postgres", "action": "pause"})
    history.record("nemesis", "api_fault", {"status": 500, "path": "/v1/checkout/sessions"})
    history.record("nemesis", "failpoint", {"name": "fulfil.after_commit", "action": "crash"})
    history.record("nemesis", "fault", {"target": "redis", "fault": "latency", "phase": "off"})
    history.record("nemesis", "process", {"target": "postgres", "action": "resume"})
    history.record("nemesis", "process", {"target": "redis", "action": "kill"}, kind="fail")
    history.record("nemesis", "heal", {"target": "stripe_api"})
    history.record("nemesis", "failpoint", {"name": "fulfil.after_commit", "action": "off"})
    history.record("nemesis", "process", {"target": "app", "action": "crash"})
    windows = {(w["target"], w["start"], w["end"]) for w in fault_windows(history.events())}
    # Each op is two events (invoke at 2n, completion at 2n+1); a window runs from the
    # invoke that began it to the completion that ended it; a failed op opens nothing;
    # what is never ended lasts to the end of the history (event 19).
    assert windows == {
        ("redis", 0, 9),
        ("postgres", 2, 11),
        ("stripe_api", 4, 15),
        ("app", 6, 17),
        ("app", 18, 19),
    }


def test_bars_lanes_and_the_operations_evidence_names():
    history = History()
    customer = history.invoke("customer:c1", "validate", {"session": "cs_1"})
    history.record("nemesis", "fault", {"target": "redis", "fault": "down", "phase": "on"})
    history.record("stripe", "webhook", {"event_id": "evt_1", "attempt": 1, "status": 500})
    told = customer.fail({"session": "cs_1", "told": "failed"})
    history.invoke("attacker", "forge", {"kind": "replay"})  # never completed
    history.record("nemesis", "heal", {"target": None})
    violations = [
        Violation("I4", "told failed", ({"event": told.index},)),
        Violation("I5", "never acknowledged", ({"kind": "DeliveryAttempt", "event_id": "evt_1", "attempt": 1},)),
        Violation("I1", "state only", ({"kind": "StripeSession", "id": "cs_1"},)),
    ]  # fmt: skip
    data = timeline(history.events(), violations)
    assert data["lanes"] == [
        "customer:c1", "stripe deliveries", "attacker", "nemesis", "service:redis",
    ]  # fmt: skip
    bars = {bar["name"]: bar for bar in data["bars"]}
    assert (bars["validate"]["start"], bars["validate"]["end"]) == (0, 5)
    assert bars["validate"]["outcome"] == "fail" and bars["validate"]["violations"] == [0]
    assert bars["webhook"]["violations"] == [1]
    assert bars["forge"]["outcome"] == "info" and bars["forge"]["t1"] is None
    assert [v["ops"] for v in data["violations"]] == [[0], [bars["webhook"]["op"]], []]
    assert data["windows"] == [{"target": "redis", "label": "redis down", "start": 1, "end": 8}]
