"""A company on the pro plan downgrades by buying the basic plan, then cancels pro.

The upgrade's way down: a new session for the cheaper plan, then the old subscription ends.
An app that keeps the dearer plan's grant, or books the new payment at the old price, gives
away what it was not paid for; each session must be granted exactly the plan it charged
(I10), and the old one stays canceled (I7).
"""

from paychaos.schedule import Scenario
from paychaos.schedule import step as s

SCENARIO = Scenario(
    name="downgrade-by-second-checkout",
    story=__doc__,
    steps=(
        s.checkout("s1", company="c1", plan="pro"),
        s.pay("s1"),
        s.deliver(),
        s.validate("s1"),
        *s.change_plan("s1", "s2", company="c1", plan="basic"),
        s.read_subscription("c1"),
    ),
)
