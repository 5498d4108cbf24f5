"""I10 (what was paid for is what was granted) and I11 (no one sees or obtains another
company's purchase) fire on purpose-made bad states and histories, and stay quiet on good ones."""

from __future__ import annotations

from dataclasses import replace

from paychaos.app.traits import AppTraits
from paychaos.fixtures.state import (
    AppPaymentFactory,
    AppSubscriptionFactory,
    PaidSessionFactory,
)
from paychaos.history import History
from paychaos.invariants import check_all
from paychaos.runner import judge
from paychaos.state import FinalState


def ids(violations):
    return sorted({v.invariant for v in violations})


def bought(company_id="1", price="price_pro"):
    """Company ``company_id`` checked out one session for ``price`` and it was fulfilled."""
    session = PaidSessionFactory(company_id=company_id, price_ids=(price,))
    history = History()
    history.invoke(f"customer:{company_id}", "checkout", {"session": "s1"}).ok(
        {"session": session.id, "company_id": company_id}
    )
    state = FinalState(
        sessions=(session,),
        subscriptions=(
            AppSubscriptionFactory(
                company_id=company_id, checkout_session_id=session.id, plan_price_id=price
            ),
        ),
        payments=(AppPaymentFactory(checkout_session_id=session.id, company_id=company_id),),
    )
    return history, state


def test_i10_keeps_a_purchase_granted_as_paid():
    history, state = bought()
    assert check_all(history.events(), state, only=["I10"]) == []


def test_i10_fires_when_the_plan_granted_is_not_the_price_charged():
    history, state = bought(price="price_basic")
    wrong = replace(
        state, subscriptions=(replace(state.subscriptions[0], plan_price_id="price_pro"),)
    )
    violations = check_all(history.events(), wrong, only=["I10"])
    assert ids(violations) == ["I10"] and "price_basic" in violations[0].message


def test_i10_fires_when_the_subscription_belongs_to_another_company():
    history, state = bought(company_id="1")
    # The session's metadata (what an app trusting the client wrote) says company 2 too:
    # the harness's checkout op is the truth.
    session = replace(state.sessions[0], company_id="2")
    sub = replace(state.subscriptions[0], company_id="2")
    wrong = replace(state, sessions=(session,), subscriptions=(sub,))
    violations = check_all(history.events(), wrong, only=["I10"])
    assert ids(violations) == ["I10"] and "company 1 checked out" in violations[0].message


def test_i10_fires_when_the_payment_row_books_another_amount_or_currency():
    history, state = bought()
    for changes in ({"amount": 149}, {"currency": "eur"}):
        wrong = replace(state, payments=(replace(state.payments[0], **changes),))
        assert ids(check_all(history.events(), wrong, only=["I10"])) == ["I10"]


def test_i10_compares_nothing_the_adapter_does_not_read():
    history, state = bought(price="price_basic")
    unread = replace(
        state,
        subscriptions=(replace(state.subscriptions[0], plan_price_id=None),),
        payments=(replace(state.payments[0], amount=None, currency=None),),
    )
    assert check_all(history.events(), unread, only=["I10"]) == []


def test_i10_is_not_exercised_without_a_paid_and_granted_session():
    history, state = bought()
    verdicts = judge(
        history.events(), replace(state, subscriptions=(), payments=()), (), AppTraits()
    )
    i10 = next(v for v in verdicts if v.invariant == "I10")
    assert i10.verdict == "not exercised"


def foreign_ask(history, state, body, told):
    """Company 2's browser asks about company 1's session."""
    session = state.sessions[0]
    history.invoke("customer:c2", "tampered_validate", {"session": session.id}).ok(
        {"session": session.id, "signed_in_id": "2", "told": told, "body": body}
    )


def test_i11_keeps_a_foreign_ask_answered_with_nothing():
    history, state = bought()
    foreign_ask(history, state, {"status": "failed", "reason": "unknown_session"}, "failed")
    traits = AppTraits(untrusted_client=True)
    assert check_all(history.events(), state, only=["I11"]) == []
    verdicts = judge(history.events(), state, (), traits)
    assert next(v for v in verdicts if v.invariant == "I11").verdict == "kept"


def test_i11_fires_when_a_foreign_browser_is_shown_the_purchase():
    history, state = bought()
    foreign_ask(history, state, {"status": "success", "subscription_id": 7}, "success")
    violations = check_all(history.events(), state, only=["I11"])
    assert ids(violations) == ["I11"] and "subscription_id" in violations[0].message


def test_i11_fires_when_a_foreign_browser_obtains_the_subscription():
    history, state = bought()
    foreign_ask(history, state, {"status": "pending"}, "pending")
    stolen = replace(state.subscriptions[0], company_id="2")
    violations = check_all(history.events(), replace(state, subscriptions=(stolen,)), only=["I11"])
    assert ids(violations) == ["I11"] and "obtained" in violations[0].message


def test_i11_is_na_for_an_adapter_that_cannot_edit_requests_and_unexercised_without_a_foreign_ask():
    history, state = bought()
    verdicts = {v.invariant: v for v in judge(history.events(), state, (), AppTraits())}
    assert verdicts["I11"].verdict == "n/a"
    verdicts = {
        v.invariant: v for v in judge(history.events(), state, (), AppTraits(untrusted_client=True))
    }
    assert verdicts["I11"].verdict == "not exercised"


def test_a_foreign_ask_or_forgery_the_app_never_answered_exercises_nothing():
    """The app was down: the edited validate and the forged webhook got no answer, so I11 and
    I6 were not put to it (they read "not exercised", never "kept")."""
    history, state = bought()
    session = state.sessions[0]
    history.invoke("customer:c2", "tampered_validate", {"session": session.id}).info(
        {"session": session.id, "signed_in_id": "2", "told": None, "http_status": None}
    )
    history.invoke("attacker", "forge", {"kind": "unsigned", "session": session.id}).info(
        {"kind": "unsigned", "session": session.id, "error": "connection refused"}
    )
    traits = AppTraits(untrusted_client=True)
    verdicts = {v.invariant: v.verdict for v in judge(history.events(), state, (), traits)}
    assert verdicts["I11"] == "not exercised" and verdicts["I6"] == "not exercised"
    answered = History()
    answered.invoke("attacker", "forge", {"kind": "unsigned", "session": session.id}).ok(
        {"kind": "unsigned", "session": session.id, "http_status": 400}
    )
    verdicts = {v.invariant: v.verdict for v in judge(answered.events(), state, (), traits)}
    assert verdicts["I6"] == "kept"


def foreign_read(history, shown):
    history.invoke("customer:c2", "tampered_read", {"company": "c1"}).ok(
        {"company_id": "1", "signed_in_id": "2", "http_status": 200, **shown}
    )


def test_i11_keeps_an_account_page_refused_to_another_company():
    history, state = bought()
    foreign_read(history, {"http_status": 404, "status": None, "session": None})
    assert check_all(history.events(), state, only=["I11"]) == []
    verdicts = judge(history.events(), state, (), AppTraits(untrusted_client=True))
    assert next(v for v in verdicts if v.invariant == "I11").verdict == "kept"


def test_i11_fires_when_another_company_reads_the_account_page():
    history, state = bought()
    foreign_read(history, {"status": "active", "session": state.sessions[0].id})
    violations = check_all(history.events(), state, only=["I11"])
    assert ids(violations) == ["I11"] and "account page" in violations[0].message


def test_i6_fires_when_a_genuine_delivery_replayed_past_the_tolerance_is_accepted():
    history = History()
    history.invoke("attacker", "replay_genuine", {"tolerance": 2}).ok(
        {"tolerance": 2, "event_id": "evt_1", "age": 4, "http_status": 200}
    )
    assert ids(check_all(history.events(), FinalState(), only=["I6"])) == ["I6"]
    refused = History()
    refused.invoke("attacker", "replay_genuine", {"tolerance": 2}).ok(
        {"tolerance": 2, "event_id": "evt_1", "age": 4, "http_status": 400}
    )
    assert check_all(refused.events(), FinalState(), only=["I6"]) == []


def test_i5_does_not_blame_refusals_before_stripe_dropped_every_later_attempt():
    from paychaos.fixtures.state import DeliveryAttemptFactory

    refused = DeliveryAttemptFactory(event_id="evt_1", http_status=None, error="connection refused")
    dropped = DeliveryAttemptFactory(event_id="evt_1", attempt=2, http_status=None, dropped=True)
    assert check_all([], FinalState(deliveries=(refused, dropped)), only=["I5"]) == []
    # Refused and never tried again is still broken.
    assert ids(check_all([], FinalState(deliveries=(refused,)), only=["I5"])) == ["I5"]
