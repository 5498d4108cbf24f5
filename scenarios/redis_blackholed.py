"""Redis is blackholed: packets vanish, nothing is refused, every call waits for its timeout.

Slow is worse than down: a refused connection fails in a millisecond, a
blackholed one holds the webhook handler until the socket timeout (forever
with redis-py 7's defaults). With the app's real timeouts, the webhook must
still be acknowledged and the customer told the truth.
"""

from paychaos.schedule import Scenario
from paychaos.schedule import step as s

SCENARIO = Scenario(
    name="redis-blackholed",
    story=__doc__,
    steps=(
        s.checkout("s1"),
        s.pay("s1"),
        s.fault("redis", "blackhole"),
        s.deliver(),
        s.validate("s1"),
        s.heal(),
    ),
    # The app's own production timeouts, not the harness's short ones.
    app_env={"REDIS_SOCKET_TIMEOUT": "1.0", "REDIS_CONNECT_TIMEOUT": "1.0"},
)
