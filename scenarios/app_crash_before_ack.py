"""The app server dies after committing the subscription, before answering the webhook.

An OOM kill or a deploy in the worst millisecond: Stripe never sees the 2xx
and retries. The retry must be recognised and must not fulfil twice.
"""

from paychaos.schedule import Scenario
from paychaos.schedule import step as s

SCENARIO = Scenario(
    name="app-crash-before-ack",
    story=__doc__,
    steps=(
        s.checkout("s1"),
        s.pay("s1"),
        s.failpoint("webhook.before_response", "1*crash->off"),
        s.deliver(),
        s.heal(),
        s.advance_clock(3600),
        s.deliver(),
        s.validate("s1"),
    ),
)
