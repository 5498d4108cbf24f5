"""Redis refuses connections while Stripe delivers checkout.session.completed, and stays down.

The original incident: the customer paid $149, the webhook handler's Channels
notification hit "Error 111 connecting to localhost:6379", the handler failed,
the success page said "Payment failed", and Redis stayed down while Stripe
retried. The app must still activate the subscription exactly once and tell
the customer the truth.
"""

from paychaos.schedule import Scenario
from paychaos.schedule import step as s

SCENARIO = Scenario(
    name="redis-down-during-webhook",
    story=__doc__,
    steps=(
        s.checkout("s1"),
        s.pay("s1"),
        s.fault("redis", "down"),
        s.deliver(),
        s.validate("s1"),
        s.retry_webhooks(),
        s.heal(),
    ),
)
