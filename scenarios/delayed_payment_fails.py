"""A delayed payment method whose money never arrives.

The session completes unpaid, then checkout.session.async_payment_failed
arrives. Activating on checkout.session.completed alone gives the service
away; the app must end with no active subscription and no payment.
"""

from paychaos.schedule import Scenario
from paychaos.schedule import step as s

SCENARIO = Scenario(
    name="delayed-payment-fails",
    story=__doc__,
    steps=(
        s.checkout("s1"),
        s.pay("s1", outcome="delayed"),
        s.deliver(),
        s.validate("s1"),
        s.async_result("s1", succeeded=False),
        s.deliver(),
        s.validate("s1"),
    ),
)
