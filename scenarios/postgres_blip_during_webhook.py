"""Postgres drops the app's connections while the webhook is being handled.

A failover or a restarted connection pooler: the handler's query fails, the
webhook must answer 5xx (not 2xx) so Stripe retries, and the retry must
fulfil exactly once.
"""

from paychaos.schedule import Scenario
from paychaos.schedule import step as s

SCENARIO = Scenario(
    name="postgres-blip-during-webhook",
    story=__doc__,
    steps=(
        s.checkout("s1"),
        s.pay("s1"),
        s.fault("postgres", "down"),
        s.deliver(),
        s.heal(),
        s.advance_clock(3600),
        s.deliver(),
        s.validate("s1"),
    ),
)
