"""The customer abandons Checkout (the card is declined) and the session expires.

checkout.session.expired must leave no subscription and no payment, and the
success page must not claim success.
"""

from paychaos.schedule import Scenario
from paychaos.schedule import step as s

SCENARIO = Scenario(
    name="session-expired-unpaid",
    story=__doc__,
    steps=(
        s.checkout("s1"),
        s.pay("s1", outcome="declined"),
        s.expire("s1"),
        s.deliver(),
        s.validate("s1"),
    ),
)
