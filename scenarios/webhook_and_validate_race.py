"""The webhook and the success page's validate call fulfil the same session at the same moment.

Stripe redirects the customer as soon as the payment succeeds, so the success
page's validate and the webhook often arrive together. Forced here with a
failpoint: both are held after reading the session and before inserting the
subscription, then released. Exactly one subscription must result.
"""

from paychaos.schedule import Scenario
from paychaos.schedule import step as s

SCENARIO = Scenario(
    name="webhook-and-validate-race",
    story=__doc__,
    steps=(
        s.checkout("s1"),
        s.pay("s1"),
        s.race("fulfil.before_insert", s.deliver(), s.validate("s1")),
    ),
)
