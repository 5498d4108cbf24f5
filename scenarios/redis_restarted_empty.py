"""Redis is killed and restarts empty while the customer's browser waits for the activation.

After a restart without persistence, Channels group membership is gone:
group_send succeeds and reaches nobody. The activation notification can
vanish silently unless the app re-joins its groups or re-sends state.
"""

from paychaos.schedule import Scenario
from paychaos.schedule import step as s

SCENARIO = Scenario(
    name="redis-restarted-empty",
    story=__doc__,
    steps=(
        s.checkout("s1"),
        s.process("redis", "restart"),
        s.pay("s1"),
        s.deliver(),
        s.validate("s1"),
    ),
)
