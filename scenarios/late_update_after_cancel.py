"""A subscription's late ``updated`` event arrives after its ``deleted`` event.

Stripe does not guarantee that events arrive in the order they were created.
A customer pays by a delayed method; when it settles, Stripe's
``customer.subscription.updated`` (incomplete -> active) is held up in
delivery, the customer cancels at once, and ``customer.subscription.deleted``
arrives first. The stale update must not bring the canceled subscription back.
"""

from paychaos.schedule import Scenario
from paychaos.schedule import step as s

SCENARIO = Scenario(
    name="late-update-after-cancel",
    story=__doc__,
    steps=(
        s.checkout("s1"),
        s.pay("s1", outcome="delayed"),
        s.deliver(),
        s.webhook_policy(
            action="hold", event_type="customer.subscription.updated", after=10, times=1
        ),
        s.async_result("s1", succeeded=True),
        s.deliver(),
        s.validate("s1"),
        s.cancel("s1"),
        s.deliver(),
        s.retry_webhooks(),
        s.read_subscription("c1"),
    ),
)
