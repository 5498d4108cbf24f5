"""Stripe never manages to deliver the event the app fulfils on (every attempt is lost).

For the reference app that is checkout.session.completed; for an app that fulfils on
customer.subscription.created, that one (its adapter's ``traits.fulfils_on``).

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
        s.webhook_policy(action="drop", event_type="$fulfilment", attempts="all"),
        s.pay("s1"),
        s.deliver(),
        s.validate("s1"),
    ),
)
