"""No worker is running when the customer pays; it starts ten minutes of Stripe's time later.

A deploy that brings the web tier up before the workers, a worker pool scaled to zero, a
crash loop: the tasks wait in the broker. Nothing may be lost while they wait, and nothing
may run twice when the worker finally starts.
"""

from paychaos.schedule import Scenario
from paychaos.schedule import step as s

SCENARIO = Scenario(
    name="worker-started-late",
    story=__doc__,
    steps=(
        s.process("worker", "stop"),
        s.checkout("s1"),
        s.pay("s1"),
        s.deliver(),
        s.validate("s1"),
        s.advance_clock(600),
        s.process("worker", "start"),
    ),
)
