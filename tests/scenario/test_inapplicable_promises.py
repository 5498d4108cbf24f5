"""Scenarios meet the app as it is: n/a promises are not judged, a checkout that failed leaves
its part of the schedule untested, and a policy on the fulfilment covers each event of it."""

from __future__ import annotations

from types import SimpleNamespace

from paychaos.app.traits import AppTraits
from paychaos.history import Event, History
from paychaos.invariants import check_all
from paychaos.runner import applicable, judge, run_unexercised
from paychaos.runner.actions import run_step
from paychaos.runner.context import RunContext
from paychaos.schedule.step import webhook_policy
from paychaos.state import FinalState, StripeSession
from paychaos.verdicts import Verdict


def test_an_app_without_payment_rows_is_not_checked_for_them():
    paid = StripeSession("cs_test_1", "complete", "paid", subscription_id="sub_1")
    state = FinalState(sessions=(paid,))
    traits = AppTraits(records_payments=False, notifies_browsers=False)
    assert "I3" in {v.invariant for v in check_all([], state)}  # the checker alone would report it
    ids = applicable(traits)
    assert "I3" not in ids and "I8" not in ids and "I1" in ids
    violations = tuple(check_all([], state, only=ids))
    assert "I3" not in {v.invariant for v in violations}
    verdicts = {v.invariant: v.verdict for v in judge([], state, violations, traits)}
    assert verdicts["I3"] is Verdict.NOT_APPLICABLE
    assert applicable(traits, only=["I1", "I3"]) == ["I1"]


def test_a_second_checkout_that_failed_leaves_the_run_unexercised():
    state = FinalState(sessions=(StripeSession("cs_test_1", "complete", "paid"),))
    failed = Event(
        index=0, op=0, process="customer:c1", type="fail", name="checkout",
        value={"session": "s2", "error": "HTTP 500"}, time=0.0,
    )  # fmt: skip
    assert run_unexercised([failed], state) == "the customer could not check out: HTTP 500"


def test_a_policy_on_a_two_event_fulfilment_keeps_a_rule_for_each(paychaos_emulator_control):
    """An app that fulfils on two events gets the scenario's drop for both, not the last only."""
    traits = AppTraits(
        fulfils_on=("customer.subscription.created", "customer.subscription.updated")
    )
    env = SimpleNamespace(app=SimpleNamespace(traits=traits), emulator=SimpleNamespace(
        control=paychaos_emulator_control
    ))  # fmt: skip
    ctx = RunContext(env=env, history=History(None), seed=0)  # type: ignore[arg-type]
    run_step(ctx, webhook_policy(action="drop", event_type="$fulfilment", attempts="all"))
    rules = paychaos_emulator_control.delivery_policies()
    assert sorted(rule["event_type"] for rule in rules) == list(traits.fulfils_on)


def test_an_edited_request_the_adapter_cannot_send_leaves_the_run_unexercised():
    """On an app whose adapter sends no edited browser requests, a scenario about one reads
    "not exercised", never "kept" for the plain purchase left over."""
    from paychaos.schedule.step import tampered_read

    env = SimpleNamespace(app=SimpleNamespace(traits=AppTraits(untrusted_client=False)))
    ctx = RunContext(env=env, history=History(None), seed=0)  # type: ignore[arg-type]
    run_step(ctx, tampered_read(company="c1", as_company="c2"))
    paid = FinalState(sessions=(StripeSession("cs_test_1", "complete", "paid"),))
    why = run_unexercised(ctx.history.events(), paid)
    assert why is not None and "traits.untrusted_client" in why and "tampered_read" in why
    # The same read by an adapter that can send it is the scenario's subject, exercised.
    assert run_unexercised([], paid) is None
