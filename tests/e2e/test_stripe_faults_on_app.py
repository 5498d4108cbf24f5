"""Each Stripe delivery fault and API fault, and what it does to the reference app (correct).

The emulator misbehaves as Stripe does; the app must keep every promise, and
each test also checks that the fault really happened (the attempt it shaped,
the answer the app gave).
"""

from __future__ import annotations

import pytest

from paychaos.runner import run_scenario
from paychaos.schedule import Scenario
from paychaos.schedule import step as s

COMPLETED = "checkout.session.completed"


def run(env, *steps, variant="correct"):
    env.switch_variant(variant)
    return run_scenario(
        env, Scenario(name="inline", story="A test's schedule.", steps=tuple(steps))
    )


def completed_attempts(result):
    return [d for d in result.state.deliveries if d.event_type == COMPLETED]


def one_subscription(result):
    assert [sub.status for sub in result.state.subscriptions] == ["active"]
    assert len(result.state.payments) == 1


@pytest.mark.parametrize("action", ["bad_signature", "wrong_secret", "stale_timestamp", "unsigned"])
def test_a_tampered_delivery_gets_400_changes_nothing_and_the_honest_retry_fulfils(
    paychaos_env, action
):
    result = run(
        paychaos_env,
        s.checkout("s1"),
        s.webhook_policy(action=action, event_type=COMPLETED, times=1),
        s.pay("s1"),
        s.deliver(),
        s.read_subscription(),
    )
    first = completed_attempts(result)[0]
    assert first.http_status == 400
    status = [e.value for e in result.history if e.name == "read_subscription" and e.type == "ok"]
    assert status[0]["status"] != "active", "a tampered webhook changed the subscription"
    one_subscription(result)
    assert result.kept, result.violations


def test_a_replayed_delivery_changes_nothing(paychaos_env):
    result = run(
        paychaos_env,
        s.checkout("s1"),
        s.webhook_policy(action="replay", event_type=COMPLETED, after=1),
        s.pay("s1"),
        s.deliver(),
        s.checkout("s2"),
        s.pay("s2"),
        s.deliver(),
    )
    assert len([a for a in completed_attempts(result) if a.tampering == "replay"]) >= 1
    assert len(result.state.subscriptions) == 2 and len(result.state.payments) == 2
    assert result.kept, result.violations


def test_a_webhook_dropped_on_every_attempt_is_fulfilled_by_validate(paychaos_env):
    result = run(
        paychaos_env,
        s.checkout("s1"),
        s.webhook_policy(action="drop", event_type=COMPLETED, attempts="all"),
        s.pay("s1"),
        s.deliver(),
        s.validate("s1"),
    )
    assert all(a.dropped for a in completed_attempts(result))
    one_subscription(result)
    assert result.kept, result.violations


@pytest.mark.parametrize("concurrent", [False, True])
def test_duplicates_one_after_another_or_at_once_make_one_subscription(paychaos_env, concurrent):
    result = run(
        paychaos_env,
        s.checkout("s1"),
        s.webhook_policy(action="duplicate", event_type=COMPLETED, copies=3, concurrent=concurrent),
        s.pay("s1"),
        s.deliver(),
    )
    assert len([a for a in completed_attempts(result) if a.acknowledged]) >= 3
    one_subscription(result)
    assert result.kept, result.violations


def test_a_delayed_webhook_lets_validate_fulfil_first_and_then_changes_nothing(paychaos_env):
    result = run(
        paychaos_env,
        s.checkout("s1"),
        s.webhook_policy(action="delay", event_type=COMPLETED, seconds=3600),
        s.pay("s1"),
        s.deliver(),
        s.validate("s1"),
        s.advance_clock(3600),
        s.deliver(),
    )
    assert completed_attempts(result), "the delayed event was never delivered"
    one_subscription(result)
    assert result.kept, result.violations


def test_a_cancel_delivered_before_the_completion_leaves_no_active_subscription(paychaos_env):
    """Reordered: customer.subscription.deleted arrives before checkout.session.completed."""
    result = run(
        paychaos_env,
        s.checkout("s1"),
        s.webhook_policy(action="hold", event_type=COMPLETED, after=1),
        s.pay("s1"),
        s.cancel("s1"),
        s.deliver(),
    )
    order = [d.event_type for d in result.state.deliveries if d.acknowledged]
    assert order.index("customer.subscription.deleted") < order.index(COMPLETED)
    assert not [sub for sub in result.state.subscriptions if sub.active]
    assert result.kept, result.violations


def test_an_endpoint_timeout_after_the_app_committed_is_retried_without_a_second_fulfilment(
    paychaos_env,
):
    result = run(
        paychaos_env,
        s.checkout("s1"),
        s.webhook_policy(action="timeout", event_type=COMPLETED, times=1),
        s.pay("s1"),
        s.deliver(),
    )
    attempts = completed_attempts(result)
    assert attempts[0].http_status is None and attempts[0].error
    one_subscription(result)
    assert result.kept, result.violations


def test_two_distinct_events_for_the_same_change_make_one_subscription(paychaos_env):
    result = run(
        paychaos_env,
        s.checkout("s1"),
        s.webhook_policy(action="twin", event_type=COMPLETED),
        s.pay("s1"),
        s.deliver(),
    )
    assert len({a.event_id for a in completed_attempts(result)}) == 2
    one_subscription(result)
    assert result.kept, result.violations


@pytest.mark.parametrize(
    "rule",
    [
        {"action": "error", "status": 500},
        {"action": "error", "status": 429, "type": "rate_limit_error"},
        {"action": "hang"},
        {"action": "reset"},
    ],
    ids=["500", "429", "hang", "reset"],
)
def test_stripe_failing_on_session_retrieve_makes_validate_say_pending_not_failed(
    paychaos_env, rule
):
    result = run(
        paychaos_env,
        s.checkout("s1"),
        s.pay("s1"),
        s.api_fault(method="GET", path="/v1/checkout/sessions/*", **rule),
        s.validate("s1"),
    )
    told = [e.value["told"] for e in result.history if e.name == "validate" and e.type != "invoke"]
    assert told[0] == "pending", told
    assert told[-1] == "success"  # after heal
    assert result.kept, result.violations


def test_stripe_latency_on_session_retrieve_still_validates(paychaos_env):
    result = run(
        paychaos_env,
        s.checkout("s1"),
        s.pay("s1"),
        s.api_fault(method="GET", path="/v1/checkout/sessions/*", action="latency", seconds=0.2),
        s.validate("s1"),
    )
    told = [e.value["told"] for e in result.history if e.name == "validate" and e.type != "invoke"]
    assert told[0] == "success"
    assert result.kept, result.violations


def test_stripe_failing_on_checkout_create_leaves_no_session_and_no_subscription(paychaos_env):
    result = run(
        paychaos_env,
        s.api_fault(method="POST", path="/v1/checkout/sessions", action="error", status=500),
        s.checkout("s1"),
        s.pay("s1"),
        s.validate("s1"),
    )
    checkout = [e for e in result.history if e.name == "checkout" and e.type != "invoke"]
    assert checkout[0].type == "fail"
    assert result.state.subscriptions == ()
    assert result.kept, result.violations


@pytest.mark.parametrize(
    "action", [{"action": "error", "status": 500}, {"action": "hang", "seconds": 2}]
)
def test_a_cancel_during_an_api_fault_is_not_a_harness_crash(paychaos_env, action):
    # Exploration drew these: the cancel step (Stripe acting on its own) reads the session
    # back; the harness's own calls skip the faults injected for the app, so it goes through.
    result = run(
        paychaos_env,
        s.checkout("s1"),
        s.pay("s1"),
        s.api_fault(**action, method="GET", path="/v1/checkout/sessions/*"),
        s.cancel("s1"),
    )
    (cancel,) = [e for e in result.history if e.name == "cancel" and e.type != "invoke"]
    assert cancel.type == "ok", cancel.value
    assert result.kept
