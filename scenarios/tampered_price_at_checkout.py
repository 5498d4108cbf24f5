"""The customer edits the checkout request to name a price of one dollar for the pro plan.

The browser sends the checkout call; its user can add or change fields. The session must
charge the plan's own price whatever the body says, so the pro plan granted is the pro
plan paid for (I10).
"""

from paychaos.schedule import Scenario
from paychaos.schedule import step as s

SCENARIO = Scenario(
    name="tampered-price-at-checkout",
    story=__doc__,
    steps=(
        s.tampered_checkout("s1", company="c1", plan="pro", amount=100),
        s.pay("s1"),
        s.deliver(),
        s.validate("s1"),
    ),
)
