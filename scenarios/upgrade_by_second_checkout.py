"""A company on the basic plan upgrades by buying the pro plan, then cancels basic.

Checkout-based apps often upgrade this way: a new session for the new plan, then the old
subscription ends. Each session must be granted exactly the plan it charged for, to the
company that paid (I10); the old one stays canceled (I7).
"""

from paychaos.schedule import Scenario
from paychaos.schedule import step as s

SCENARIO = Scenario(
    name="upgrade-by-second-checkout",
    story=__doc__,
    steps=(
        s.checkout("s1", company="c1", plan="basic"),
        s.pay("s1"),
        s.deliver(),
        s.validate("s1"),
        *s.change_plan("s1", "s2", company="c1", plan="pro"),
        s.read_subscription("c1"),
    ),
)
