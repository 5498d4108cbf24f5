"""A delayed payment method (SEPA, ACH): the session completes unpaid, and the money arrives later.

checkout.session.completed arrives with payment_status "unpaid". The app must
not activate yet, must not tell the customer "failed", and must activate once
checkout.session.async_payment_succeeded arrives.
"""

from paychaos.schedule import Scenario
from paychaos.schedule import step as s

SCENARIO = Scenario(
    name="delayed-payment-succeeds",
    story=__doc__,
    steps=(
        s.checkout("s1"),
        s.pay("s1", outcome="delayed"),
        s.deliver(),
        s.validate("s1"),
        s.async_result("s1", succeeded=True),
        s.deliver(),
        s.validate("s1"),
    ),
)
