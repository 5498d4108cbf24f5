"""Two situations the named scenarios do not stage, aimed at how drf-stripe-subscription works.

``[tool.paychaos] scenarios`` in this folder's pyproject.toml adds them to ``paychaos run``
(and ``examples/dj_stripe`` puts dj-stripe to the same two): ``paychaos run
created-after-updated returning-customer`` runs just these.
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
