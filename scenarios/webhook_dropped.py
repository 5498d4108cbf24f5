"""Stripe never manages to deliver checkout.session.completed (every attempt is lost).

A misconfigured endpoint, a firewall, a webhook secret rotated wrongly: the
success page's validate call is then the only path to fulfilment, and it must
activate the subscription on its own.
"""

from paychaos.schedule import Scenario
from paychaos.schedule import step as s

SCENARIO = Scenario(
    name="webhook-dropped",
    story=__doc__,
    steps=(
        s.checkout("s1"),
        s.webhook_policy(action="drop", event_type="checkout.session.completed", attempts="all"),
        s.pay("s1"),
        s.deliver(),
        s.validate("s1"),
    ),
)
