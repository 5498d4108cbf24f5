"""A company cancels its subscription, then buys again.

The second purchase is a new Checkout Session for the same company: it must end in its
own active subscription, while the canceled one stays canceled (I1, I7) and each session
has its one payment at its own price (I3, I10).
"""

from paychaos.schedule import Scenario
from paychaos.schedule import step as s

SCENARIO = Scenario(
    name="buy-again-after-cancel",
    story=__doc__,
    steps=(
        s.checkout("s1", company="c1", plan="pro"),
        s.pay("s1"),
        s.deliver(),
        s.validate("s1"),
        s.cancel("s1"),
        s.deliver(),
        s.checkout("s2", company="c1", plan="pro"),
        s.pay("s2"),
        s.success_page_before_webhook("s2"),
        s.read_subscription("c1"),
    ),
)
