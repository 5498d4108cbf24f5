"""Two situations the named scenarios do not stage, put to dj-stripe: both broke
drf-stripe-subscription (``examples/drf_stripe_subscription``).

Run them with ``python library_scenarios.py`` from this folder (paychaos's venv), or through
``tests/examples/test_dj_stripe.py``.
"""

from __future__ import annotations

from paychaos.schedule import Scenario
from paychaos.schedule import step as s

CREATED_AFTER_UPDATED = Scenario(
    name="created-after-updated",
    story=(
        "A delayed payment settles; Stripe's customer.subscription.created (incomplete) is held"
        " up and arrives after customer.subscription.updated (active). The stale created must"
        " not take the paid subscription away."
    ),
    steps=(
        s.checkout("s1"),
        s.webhook_policy(
            action="hold", event_type="customer.subscription.created", after=1, times=1
        ),
        s.pay("s1", outcome="delayed"),
        s.deliver(),
        s.async_result("s1", succeeded=True),
        s.deliver(),
        s.retry_webhooks(),
        s.validate("s1"),
    ),
)

RETURNING_CUSTOMER = Scenario(
    name="returning-customer",
    story=(
        "A customer who already subscribed once checks out again (another plan). The second"
        " checkout must reach Stripe."
    ),
    steps=(
        s.checkout("s1"),
        s.pay("s1"),
        s.deliver(),
        s.validate("s1"),
        s.checkout("s2", plan="basic"),
        s.pay("s2"),
        s.deliver(),
        s.validate("s2"),
    ),
)

SCENARIOS = (CREATED_AFTER_UPDATED, RETURNING_CUSTOMER)


if __name__ == "__main__":
    import json
    import sys

    from paychaos.app.config import find_config, load_adapter
    from paychaos.environment import Environment, EnvironmentOptions
    from paychaos.runner import run_scenario

    with Environment(EnvironmentOptions(), adapter=load_adapter(find_config())) as env:
        for scenario in SCENARIOS:
            result = run_scenario(env, scenario)
            verdicts = {v.invariant: str(v.verdict) for v in result.verdicts}
            print(scenario.name, json.dumps(verdicts))
            for violation in result.violations:
                print("  ", violation.invariant, violation.message)
            for event in result.history:
                if event.name == "checkout" and event.type == "fail":
                    print("   checkout failed:", event.value.get("error"))
    sys.exit(0)
