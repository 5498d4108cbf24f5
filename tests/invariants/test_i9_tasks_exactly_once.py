"""I9: every activation's tasks did their work exactly once, and none for rolled-back work."""

from __future__ import annotations

from dataclasses import replace

from paychaos.app.traits import AppTraits
from paychaos.fixtures.state import AppSubscriptionFactory, PaidSessionFactory, TaskEffectFactory
from paychaos.invariants import check_all, invariants
from paychaos.runner import judge, run_unexercised
from paychaos.state import FinalState
from paychaos.verdicts import Verdict

KINDS = ("provision_account", "send_receipt")


def activation(*effects, status="active", settled=True):
    session = PaidSessionFactory(company_id="1")
    sub = AppSubscriptionFactory(
        id="7", company_id="1", checkout_session_id=session.id, status=status
    )
    return FinalState(
        sessions=(session,),
        subscriptions=(sub,),
        task_kinds=KINDS,
        task_effects=tuple(
            TaskEffectFactory(kind=k, checkout_session_id=session.id, subscription_id=s)
            for k, s in effects
        ),
        tasks_settled=settled,
    )


def i9(state):
    return [v for v in check_all([], state, only=["I9"])]


def test_each_task_once_for_the_activation_keeps_i9():
    assert i9(activation(("provision_account", "7"), ("send_receipt", "7"))) == []


def test_a_lost_task_breaks_i9_naming_it():
    found = i9(activation(("provision_account", "7")))
    assert [v.invariant for v in found] == ["I9"]
    assert "send_receipt never did its work" in found[0].message


def test_a_task_run_twice_breaks_i9():
    found = i9(activation(("provision_account", "7"), ("send_receipt", "7"), ("send_receipt", "7")))
    assert len(found) == 1 and "send_receipt did its work 2 times" in found[0].message


def test_a_task_for_a_rolled_back_subscription_breaks_i9_even_when_counts_match():
    # The receipt left for subscription 6, rolled back; the retry's subscription 7 got none of
    # its own, but the count per session is one: only the subscription id shows it.
    found = i9(activation(("provision_account", "7"), ("send_receipt", "6")))
    assert len(found) == 1 and "rolled back" in found[0].message
    assert found[0].evidence[0]["subscription_id"] == "6"


def test_missing_work_is_not_held_against_a_worker_that_never_went_idle_or_a_canceled_sub():
    assert i9(activation(("provision_account", "7"), settled=False)) == []
    assert i9(activation(("provision_account", "7"), status="canceled")) == []
    # ... but a double is a double, whatever the subscription's status
    twice = activation(*[("provision_account", "7")] * 2, ("send_receipt", "7"), status="canceled")
    assert len(i9(twice)) == 1


def test_i9_is_not_exercised_when_the_worker_never_went_idle_with_work_missing():
    """Not settled and a task not done: lost or only late, no one can tell, so the verdict is
    "not exercised" (it read "kept" as soon as any task had left an effect)."""
    traits = AppTraits(task_kinds=KINDS)
    late = activation(("provision_account", "7"), settled=False)
    (verdict,) = [v for v in judge([], late, (), traits) if v.invariant == "I9"]
    assert verdict.verdict is Verdict.NOT_EXERCISED and "never finished" in verdict.reason
    # All work done: the promise was judged in full even though the wait ended early.
    done = activation(("provision_account", "7"), ("send_receipt", "7"), settled=False)
    (verdict,) = [v for v in judge([], done, (), traits) if v.invariant == "I9"]
    assert verdict.verdict is Verdict.KEPT


def test_i9_is_na_without_a_task_side_and_not_exercised_without_an_activation():
    traits = AppTraits()
    state = activation()
    verdicts = {v.invariant: v for v in judge([], state, (), traits)}
    assert verdicts["I9"].verdict is Verdict.NOT_APPLICABLE
    nothing = replace(state, subscriptions=())
    assert (
        invariants()["I9"].exercised([], nothing)
        == "no subscription was activated, so no task was due"
    )
    assert invariants()["I9"].exercised([], state) is None


def test_breaking_a_worker_the_app_does_not_have_is_not_exercised():
    from paychaos.history import Event

    event = Event(
        index=0, op=0, process="nemesis", type="info", name="process",
        value={"target": "worker", "action": "kill", "absent": True}, time=0.0,
    )  # fmt: skip
    state = activation()
    assert "task broker or worker" in (run_unexercised([event], state, AppTraits()) or "")
    assert run_unexercised([event], state, AppTraits(task_kinds=KINDS)) is None
