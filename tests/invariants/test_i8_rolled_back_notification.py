"""I8's second half: the browser must never be told about a subscription the app does not hold."""

from __future__ import annotations

from dataclasses import replace

from paychaos.fixtures.state import (
    AppPaymentFactory,
    AppSubscriptionFactory,
    NotificationFactory,
    PaidSessionFactory,
    StripeSubscriptionFactory,
)
from paychaos.invariants import check_all
from paychaos.state import FinalState


def purchase(*notified_ids):
    session = PaidSessionFactory(company_id="1")
    sub = AppSubscriptionFactory(
        id="2",
        company_id="1",
        checkout_session_id=session.id,
        stripe_subscription_id=session.subscription_id,
    )
    notes = tuple(
        NotificationFactory(company_id="1", session_id=session.id, subscription_id=n)
        for n in notified_ids
    )
    return FinalState(
        sessions=(session,),
        stripe_subscriptions=(StripeSubscriptionFactory(id=session.subscription_id),),
        subscriptions=(sub,),
        payments=(AppPaymentFactory(checkout_session_id=session.id),),
        notifications=notes,
        observed_companies=frozenset({"1"}),
    )


def test_notification_of_a_rolled_back_subscription_breaks_i8():
    # Row 1 was announced, then its transaction rolled back; the retry saved row 2.
    found = check_all([], purchase(1, 2), only=["I8"])
    assert [v.invariant for v in found] == ["I8"]
    assert "rolled back" in found[0].message and "subscription 1 " in found[0].message


def test_notifications_naming_saved_rows_keep_i8_whatever_the_id_type():
    assert check_all([], purchase(2, "2"), only=["I8"]) == []


def test_a_rolled_back_announcement_counts_even_when_redis_ended_unhealthy():
    state = replace(purchase(1, 2), redis_healthy=False)
    assert [v.invariant for v in check_all([], state, only=["I8"])] == ["I8"]
