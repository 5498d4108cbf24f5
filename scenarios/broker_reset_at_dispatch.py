"""The broker resets every connection as the webhook publishes its tasks.

A Redis failover, a proxy or a NAT dropping idle connections: the publish gets a reset
instead of a refusal (redis-py's ``ConnectionError`` 104, kombu's ``OperationalError`` once its
publish retries are used up; celery/celery#2139 shows the worker side of it). The activation
must not depend on the publish, and its tasks must run once the broker answers again.
"""

from paychaos.schedule import Scenario
from paychaos.schedule import step as s

SCENARIO = Scenario(
    name="broker-reset-at-dispatch",
    story=__doc__,
    steps=(
        s.checkout("s1"),
        s.pay("s1"),
        s.fault("broker", "reset_peer"),
        s.deliver(),
        s.validate("s1"),
        s.heal(),
    ),
)
