"""Every named scenario against the correct variant, and the original incident against the seed."""

from __future__ import annotations

import pytest

from paychaos.runner import run_scenario
from paychaos.scenarios import all_scenarios, get_scenario


@pytest.mark.parametrize("name", list(all_scenarios()))
def test_correct_keeps_every_promise(paychaos_env, name):
    paychaos_env.switch_variant("correct")
    result = run_scenario(paychaos_env, get_scenario(name), seed=0)
    assert result.kept, [v.message for v in result.violations]


def test_the_original_incident_is_caught(paychaos_env):
    """seed_original under 'Redis down during the webhook': money taken, no subscription (I1),
    and the paying customer told "Payment failed" (I4)."""
    paychaos_env.switch_variant("seed_original")
    try:
        result = run_scenario(paychaos_env, get_scenario("redis-down-during-webhook"), seed=0)
    finally:
        paychaos_env.switch_variant("correct")
    assert {"I1", "I4"} <= set(result.broken)
    told = [v for v in result.violations if v.invariant == "I4"]
    assert "Payment failed" in told[0].message


def test_the_hurried_fix_still_double_fulfils_a_duplicate_delivery(paychaos_env):
    paychaos_env.switch_variant("seed_fix")
    try:
        result = run_scenario(paychaos_env, get_scenario("webhook-delivered-three-times"), seed=0)
    finally:
        paychaos_env.switch_variant("correct")
    assert "I1" in result.broken


def test_same_seed_same_run(paychaos_env):
    paychaos_env.switch_variant("correct")
    scenario = get_scenario("webhook-and-validate-race")
    first = run_scenario(paychaos_env, scenario, seed=5)
    second = run_scenario(paychaos_env, scenario, seed=5)
    assert [s.id for s in first.state.sessions] == [s.id for s in second.state.sessions]
    shape = lambda r: [(e.process, e.type, e.name) for e in r.history if e.name != "webhook"]  # noqa: E731
    assert shape(first) == shape(second)
