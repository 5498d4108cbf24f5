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
