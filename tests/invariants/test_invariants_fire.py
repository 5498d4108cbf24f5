"""Each invariant fires on a purpose-made bad history or state, and stays quiet on a good one."""

from __future__ import annotations

import pytest

from paychaos.fixtures.state import (
    AppPaymentFactory,
    AppSubscriptionFactory,
    DeliveryAttemptFactory,
    NotificationFactory,
    PaidSessionFactory,
    StripeSubscriptionFactory,
    UnpaidSessionFactory,
)
from paychaos.history import History, load_history
from paychaos.invariants import check_all, invariants
from paychaos.state import FinalState


def ids(violations):
    return sorted({v.invariant for v in violations})


def good_purchase():
    """One paid session, fulfilled once, notified, its webhook acknowledged."""
    session = PaidSessionFactory(company_id="1")
    sub = AppSubscriptionFactory(
        company_id="1",
        checkout_session_id=session.id,
        stripe_subscription_id=session.subscription_id,
    )
    return FinalState(
        sessions=(session,),
        stripe_subscriptions=(StripeSubscriptionFactory(id=session.subscription_id),),
        subscriptions=(sub,),
        payments=(AppPaymentFactory(checkout_session_id=session.id),),
        deliveries=(DeliveryAttemptFactory(),),
        notifications=(NotificationFactory(company_id="1", session_id=session.id),),
        observed_companies=frozenset({"1"}),
    )


def test_registry_holds_every_promise_in_order():
    numbers = [int(i[1:]) for i in invariants()]
    assert numbers == list(range(1, len(numbers) + 1))
    assert set(range(1, 12)) <= set(numbers)


def test_a_good_purchase_breaks_nothing():
    history = History()
    history.invoke("customer:1", "validate", {"session": "x"}).ok(
        {"session": "x", "told": "success"}
    )
    assert check_all(history.events(), good_purchase()) == []


def test_i1_fires_when_a_paid_session_has_no_subscription():
    state = good_purchase()
    broken = FinalState(**{**state.__dict__, "subscriptions": ()})
    violations = check_all([], broken, only=["I1"])
    assert ids(violations) == ["I1"]
    assert violations[0].evidence[0]["id"] == state.sessions[0].id


def test_i1_fires_on_two_active_subscriptions_for_one_session():
    state = good_purchase()
    twin = AppSubscriptionFactory(checkout_session_id=state.sessions[0].id)
    broken = FinalState(**{**state.__dict__, "subscriptions": (*state.subscriptions, twin)})
    assert ids(check_all([], broken, only=["I1"])) == ["I1"]


def test_i1_leaves_a_session_canceled_in_stripe_to_i7():
    state = good_purchase()
    canceled = StripeSubscriptionFactory(id=state.sessions[0].subscription_id, status="canceled")
    ok = FinalState(**{**state.__dict__, "subscriptions": (), "stripe_subscriptions": (canceled,)})
    assert check_all([], ok, only=["I1"]) == []


def test_i2_fires_on_an_active_subscription_for_an_unpaid_session():
    session = UnpaidSessionFactory()
    sub = AppSubscriptionFactory(checkout_session_id=session.id)
    assert ids(
        check_all([], FinalState(sessions=(session,), subscriptions=(sub,)), only=["I2"])
    ) == ["I2"]


def test_i2_fires_on_a_subscription_stripe_never_heard_of():
    sub = AppSubscriptionFactory(checkout_session_id="cs_invented")
    assert ids(check_all([], FinalState(subscriptions=(sub,)), only=["I2"])) == ["I2"]


def test_i3_fires_on_a_second_payment_and_on_a_payment_for_an_unpaid_session():
    state = good_purchase()
    double = FinalState(
        **{
            **state.__dict__,
            "payments": (
                *state.payments,
                AppPaymentFactory(checkout_session_id=state.sessions[0].id),
            ),
        }
    )
    assert ids(check_all([], double, only=["I3"])) == ["I3"]
    unpaid = UnpaidSessionFactory()
    wrong = FinalState(
        sessions=(unpaid,), payments=(AppPaymentFactory(checkout_session_id=unpaid.id),)
    )
    assert ids(check_all([], wrong, only=["I3"])) == ["I3"]


def test_i4_fires_when_a_paid_customer_is_told_failed():
    state = good_purchase()
    sid = state.sessions[0].id
    history = History()
    history.invoke("customer:1", "validate", {"session": sid}).ok(
        {"session": sid, "told": "failed"}
    )
    violations = check_all(history.events(), state, only=["I4"])
    assert ids(violations) == ["I4"]
    assert violations[0].evidence[0]["name"] == "validate"


def test_i4_fires_when_validate_still_says_pending_after_heal():
    state = good_purchase()
    sid = state.sessions[0].id
    history = History()
    history.record(
        "customer:1", "validate", {"session": sid, "told": "pending", "after_heal": True}
    )
    assert ids(check_all(history.events(), state, only=["I4"])) == ["I4"]


def test_i4_allows_pending_before_heal():
    state = good_purchase()
    sid = state.sessions[0].id
    history = History()
    history.record("customer:1", "validate", {"session": sid, "told": "pending"})
    history.record(
        "customer:1", "validate", {"session": sid, "told": "success", "after_heal": True}
    )
    assert check_all(history.events(), state, only=["I4"]) == []


def test_i4_asks_no_success_for_a_subscription_the_customer_has_since_canceled():
    """Judged the way I1 is: once Stripe ended the subscription, the page need not say success,
    but "Payment failed" for a session that was paid is still a lie."""
    state = good_purchase()
    sid = state.sessions[0].id
    canceled = StripeSubscriptionFactory(id=state.sessions[0].subscription_id, status="canceled")
    ended = FinalState(**{**state.__dict__, "stripe_subscriptions": (canceled,)})
    history = History()
    history.record(
        "customer:1", "validate", {"session": sid, "told": "pending", "after_heal": True}
    )
    assert check_all(history.events(), ended, only=["I4"]) == []
    history.record("customer:1", "validate", {"session": sid, "told": "failed", "after_heal": True})
    assert ids(check_all(history.events(), ended, only=["I4"])) == ["I4"]


def test_i5_fires_when_an_event_is_never_acknowledged():
    failing = (
        DeliveryAttemptFactory(event_id="evt_x", attempt=1, http_status=500),
        DeliveryAttemptFactory(event_id="evt_x", attempt=2, http_status=None, error="timeout"),
    )
    assert ids(check_all([], FinalState(deliveries=failing), only=["I5"])) == ["I5"]


def test_i5_ignores_tampered_and_dropped_attempts():
    attempts = (
        DeliveryAttemptFactory(event_id="evt_y", http_status=400, tampering="bad_signature"),
        DeliveryAttemptFactory(event_id="evt_z", http_status=None, dropped=True),
    )
    assert check_all([], FinalState(deliveries=attempts), only=["I5"]) == []


def test_i6_fires_when_a_forged_webhook_is_accepted():
    history = History()
    history.record(
        "attacker",
        "forge",
        {"kind": "bad_signature", "event_type": "checkout.session.completed", "http_status": 200},
    )
    assert ids(check_all(history.events(), FinalState(), only=["I6"])) == ["I6"]


def test_i6_fires_when_a_stale_delivery_is_accepted():
    attempt = DeliveryAttemptFactory(tampering="stale", must_reject=True, http_status=200)
    assert ids(check_all([], FinalState(deliveries=(attempt,)), only=["I6"])) == ["I6"]


def test_i6_accepts_a_fresh_replay_answered_2xx():
    attempt = DeliveryAttemptFactory(tampering="replay", http_status=200)
    assert check_all([], FinalState(deliveries=(attempt,)), only=["I6"]) == []


def test_i7_fires_when_a_canceled_subscription_is_active_again():
    state = good_purchase()
    canceled = StripeSubscriptionFactory(id=state.sessions[0].subscription_id, status="canceled")
    broken = FinalState(**{**state.__dict__, "stripe_subscriptions": (canceled,)})
    assert ids(check_all([], broken, only=["I7"])) == ["I7"]


def test_i7_fires_on_a_status_going_from_canceled_back_to_active():
    history = History()
    history.record("customer:1", "read_subscription", {"session": "cs_1", "status": "canceled"})
    history.record("customer:1", "read_subscription", {"session": "cs_1", "status": "active"})
    assert ids(check_all(history.events(), FinalState(), only=["I7"])) == ["I7"]


def test_i8_fires_when_an_activation_is_never_notified():
    state = good_purchase()
    silent = FinalState(**{**state.__dict__, "notifications": ()})
    assert ids(check_all([], silent, only=["I8"])) == ["I8"]


def test_i8_promises_nothing_while_redis_is_still_down():
    state = good_purchase()
    silent = FinalState(**{**state.__dict__, "notifications": (), "redis_healthy": False})
    assert check_all([], silent, only=["I8"]) == []


def test_history_round_trips_through_json_lines(tmp_path):
    path = tmp_path / "history.jsonl"
    history = History(path)
    pending = history.invoke("customer:1", "validate", {"session": "cs_1"})
    pending.info({"session": "cs_1", "error": "timeout"})
    history.close()
    events = load_history(path)
    assert [(e.type, e.op, e.name) for e in events] == [
        ("invoke", 0, "validate"),
        ("info", 0, "validate"),
    ]


def test_a_history_op_cannot_complete_twice():
    pending = History().invoke("p", "x")
    pending.ok()
    with pytest.raises(RuntimeError):
        pending.fail()


def test_a_malformed_history_line_names_its_line(tmp_path):
    path = tmp_path / "h.jsonl"
    path.write_text('{"index": 0}\n')
    with pytest.raises(ValueError, match=r"h\.jsonl:1"):
        load_history(path)


def test_i6_fires_when_a_forged_subscription_event_made_a_subscription():
    """A forgery aimed at an app that fulfils on customer.subscription.* names a subscription
    id; an active row carrying it came from the forgery, whatever its session."""
    from paychaos.forgery import forged_event, forged_subscription_id

    event = forged_event("cs_test_forged_x", "customer.subscription.created", "1", {}, "2020-08-27")
    assert event["api_version"] == "2020-08-27"  # the endpoint's, as a genuine event's
    assert event["data"]["object"]["object"] == "subscription"
    assert event["data"]["object"]["id"] == forged_subscription_id("cs_test_forged_x")
    history = History()
    history.record(
        "attacker",
        "forge",
        {
            "kind": "bad_signature",
            "session": "cs_test_forged_x",
            "subscription": forged_subscription_id("cs_test_forged_x"),
            "http_status": 400,
        },
    )
    sub = AppSubscriptionFactory(
        company_id="1",
        checkout_session_id=None,
        stripe_subscription_id=forged_subscription_id("cs_test_forged_x"),
    )
    assert ids(check_all(history.events(), FinalState(subscriptions=(sub,)), only=["I6"])) == ["I6"]
