"""Redis is down from before checkout until after the customer lands on the success page.

A Redis outage that outlasts the purchase (a failed-over cache, a full disk):
nothing that takes money may depend on Redis, and every activation must be
notified once Redis is back.
"""

from paychaos.schedule import Scenario
from paychaos.schedule import step as s

SCENARIO = Scenario(
    name="redis-down-whole-flow",
    story=__doc__,
    steps=(
        s.fault("redis", "down"),
        s.checkout("s1"),
        s.pay("s1"),
        s.deliver(),
        s.validate("s1"),
        s.validate("s1"),
        s.heal(),
    ),
)
