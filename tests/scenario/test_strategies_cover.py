"""Exploration can generate every webhook delivery policy and Stripe API fault the emulator
has, an untrusted browser's edited requests, and checkouts of several plans and companies."""

from __future__ import annotations

from hypothesis import HealthCheck, given, settings

from paychaos.runner.context import PLANS as PRICED_PLANS
from paychaos.strategies import API_FAULTS, DELIVERY_POLICIES, PLANS, schedules
from paychaos.stripe_emulator.faults.api import API_ACTIONS
from paychaos.stripe_emulator.faults.delivery import DELIVERY_ACTIONS


def test_every_delivery_policy_and_api_fault_of_the_emulator_can_be_generated():
    assert {p["action"] for p in DELIVERY_POLICIES} == set(DELIVERY_ACTIONS)
    assert {r["action"] for r in API_FAULTS} == set(API_ACTIONS)


def test_schedules_sell_plans_at_different_prices():
    assert len({PRICED_PLANS[p] for p in PLANS}) == len(PLANS) >= 2


SEEN: dict[str, set] = {
    "do": set(),
    "plans": set(),
    "companies": set(),
    "policies": set(),
    "targets": set(),
}


@settings(
    max_examples=1000, database=None, derandomize=True, suppress_health_check=list(HealthCheck)
)
@given(schedules())
def _collect(schedule):
    for step in schedule.steps:
        SEEN["do"].add(step.do)
        if step.do in ("checkout", "tampered_checkout"):
            SEEN["plans"].add(step.args["plan"])
            SEEN["companies"].add(step.args["company"])
        if step.do == "webhook_policy":
            SEEN["policies"].add(step.args["policy"]["action"])
        if step.do in ("fault", "process"):
            SEEN["targets"].add(step.args["target"])


def test_generated_schedules_reach_every_new_kind_of_step():
    _collect()
    assert {"tampered_validate", "tampered_checkout", "tampered_read"} <= SEEN["do"]
    assert {"webhook_policy", "api_fault", "overtake"} <= SEEN["do"]
    assert SEEN["plans"] == set(PLANS)
    assert len(SEEN["companies"]) >= 2
    assert "twin" in SEEN["policies"]
    assert {"broker", "worker"} <= SEEN["targets"]  # the task side's faults


def test_a_forced_order_comes_before_the_race_so_shrinking_prefers_it():
    from paychaos.strategies import customer_and_stripe_steps

    text = repr(customer_and_stripe_steps(("s1",)))
    assert text.index("success_page_before_webhook") < text.index("race")


@settings(
    max_examples=100, database=None, derandomize=True, suppress_health_check=list(HealthCheck)
)
@given(schedules(untrusted_client=False))
def test_an_app_that_cannot_edit_requests_gets_no_edited_steps(schedule):
    assert not {s.do for s in schedule.steps} & {
        "tampered_validate",
        "tampered_checkout",
        "tampered_read",
    }


AFTER_PAID = {"edited": 0, "read_after_fulfil": 0, "of": 0}


@settings(
    max_examples=300, database=None, derandomize=True, suppress_health_check=list(HealthCheck)
)
@given(schedules(max_steps=10))
def _count_edits_after_payment(schedule):
    AFTER_PAID["of"] += 1
    paid, fulfilled, seen = set(), False, set()
    for step in schedule.steps:
        if step.do == "pay" and step.args["outcome"] == "paid":
            paid.add(step.args["session"])
        elif step.do in ("deliver", "validate") and paid:
            fulfilled = True
        elif step.do == "tampered_validate" and step.args["session"] in paid:
            seen.add("edited")
        elif step.do == "tampered_read" and fulfilled:
            seen.add("read_after_fulfil")
    for key in seen:
        AFTER_PAID[key] += 1


def test_edited_requests_often_come_after_a_payment():
    # An edit matters once the session is paid (and a foreign read once it is fulfilled);
    # drawn from the middle steps alone, a read after a fulfilment came 0 times in 500.
    _count_edits_after_payment()
    assert AFTER_PAID["edited"] >= AFTER_PAID["of"] // 25, AFTER_PAID
    assert AFTER_PAID["read_after_fulfil"] >= AFTER_PAID["of"] // 50, AFTER_PAID


def test_an_edited_request_after_a_payment_shrinks_away():
    from hypothesis import find

    from paychaos.strategies import after_payment_steps

    smallest = find(after_payment_steps("s1", "c1", "basic"), lambda steps: True)
    assert [s.do for s in smallest] == ["tampered_validate"]
    # The edited success URL names the plan the session was not for.
    assert smallest[0].args["plan"] == "pro"
    read = find(after_payment_steps("s1", "c1", "basic"), lambda steps: len(steps) > 1)
    assert [s.do for s in read] == ["tampered_validate", "validate", "tampered_read"]
    assert read[2].args == {"company": "c1", "as_company": "c2"}
    anonymous = find(
        after_payment_steps("s1", "c1", "basic"),
        lambda steps: len(steps) > 1 and steps[-1].args["as_company"] is None,
    )
    assert anonymous[-1].args == {"company": "c1", "as_company": None}  # no one signed in
    plain = find(schedules(), lambda sc: any(s.do == "pay" for s in sc.steps))
    assert not {s.do for s in plain.steps} & {"tampered_validate", "tampered_read"}
