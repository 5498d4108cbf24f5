"""I10 and I11 against the real reference app: an edited browser gets nothing it did not pay
for and sees nothing of another company's purchase on ``correct``, and each mutant that
trusts the client is caught by the promise its bug breaks, and by no older one."""

from __future__ import annotations

import pytest

from paychaos.runner import run_scenario
from paychaos.scenarios import get_scenario

OLD_PROMISES = {f"I{n}" for n in range(1, 9)}


@pytest.mark.parametrize(
    ("scenario", "mutant", "promise"),
    [
        ("tampered-plan-on-success-page", "M21", "I10"),
        ("foreign-session-on-success-page", "M22", "I10"),
        ("foreign-session-on-success-page", "M23", "I11"),
        ("tampered-price-at-checkout", "M24", "I10"),
        ("account-page-of-another-company", "M25", "I10"),
        ("account-page-of-another-company", "M26", "I11"),
        ("account-page-without-sign-in", "M16", "I11"),
    ],
)
def test_the_promise_catches_the_mutant_that_trusts_the_client(
    paychaos_env, scenario, mutant, promise
):
    paychaos_env.switch_variant(f"mutant:{mutant}")
    try:
        result = run_scenario(paychaos_env, get_scenario(scenario), seed=0)
    finally:
        paychaos_env.switch_variant("correct")
    assert promise in result.broken, [v.message for v in result.violations]
    assert not set(result.broken) & OLD_PROMISES, result.broken  # I1-I8 never saw it
    assert result.verdict_of(promise).verdict == "broken"


def test_correct_answers_an_edited_browser_with_nothing(paychaos_env):
    paychaos_env.switch_variant("correct")
    result = run_scenario(paychaos_env, get_scenario("foreign-session-on-success-page"), seed=0)
    assert result.kept, [v.message for v in result.violations]
    assert result.verdict_of("I11").verdict == "kept"
    asks = [e for e in result.history if e.name == "tampered_validate" and e.type != "invoke"]
    assert len(asks) == 3 and all(e.value["http_status"] == 404 for e in asks)
    assert all("subscription_id" not in (e.value.get("body") or {}) for e in asks)
    # The paying company got the subscription, and only it.
    buyer = next(
        e.value["company_id"] for e in result.history if e.name == "checkout" and e.type == "ok"
    )
    assert [s.company_id for s in result.state.subscriptions] == [buyer]
