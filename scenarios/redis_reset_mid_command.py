"""Redis connections are reset (TCP RST) mid-command while the payment is processed.

A Redis failover or a load balancer idle timeout kills connections in flight:
redis-py raises ConnectionError (104) from group_send. Fulfilment must not care.
"""

from paychaos.schedule import Scenario
from paychaos.schedule import step as s

SCENARIO = Scenario(
    name="redis-reset-mid-command",
    story=__doc__,
    steps=(
        s.checkout("s1"),
        s.pay("s1"),
        s.fault("redis", "reset_peer"),
        s.deliver(),
        s.validate("s1"),
        s.heal(),
    ),
)
