"""Stripe delivers the event the app fulfils on three times, concurrently.

(checkout.session.completed for the reference app; see ``traits.fulfils_on``.)

Stripe delivers at least once; retries after a slow answer and its own
duplicates arrive together. Three deliveries must still make one
subscription and one payment.
"""

from paychaos.schedule import Scenario
from paychaos.schedule import step as s

SCENARIO = Scenario(
    name="webhook-delivered-three-times",
    story=__doc__,
    steps=(
        s.checkout("s1"),
        s.webhook_policy(action="duplicate", event_type="$fulfilment", copies=3, concurrent=True),
        s.pay("s1"),
        s.deliver(),
        s.validate("s1"),
    ),
)
