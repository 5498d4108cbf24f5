"""A database error ends the webhook's transaction after the customer has already closed the tab.

Stripe's fulfilment guide warns that customers close the browser before the
redirect, so the success page may never ask; the webhook is then the only
path to the subscription. A Postgres error at the worst moment (a
serialization failure or a failover as the fulfilment commits) must roll the
work back, answer 5xx so Stripe retries, and leave nothing the customer was
told about that was not saved; the retry must fulfil exactly once.
"""

from paychaos.schedule import Scenario
from paychaos.schedule import step as s

SCENARIO = Scenario(
    name="db-error-customer-gone",
    story=__doc__,
    steps=(
        s.checkout("s1"),
        s.pay("s1"),
        s.leave("s1"),
        s.failpoint(
            "fulfil.before_commit",
            "1*raise(django.db.utils.OperationalError, could not serialize access)->off",
        ),
        s.deliver(),
        s.advance_clock(3600),
        s.deliver(),
    ),
)
