"""The success page fulfils while Stripe's webhook is on its way: a forced order, not a race.

The webhook reaches the app first but is held just before it fulfils; meanwhile the
customer's success page calls validate, which fulfils the session; then the webhook goes
on. It must find the session fulfilled: one subscription, one payment (I1, I3). Unlike
webhook-and-validate-race, the order is the same on every run.
"""

from paychaos.schedule import Scenario
from paychaos.schedule import step as s

SCENARIO = Scenario(
    name="success-page-before-webhook",
    story=__doc__,
    steps=(s.checkout("s1"), s.pay("s1"), s.success_page_before_webhook("s1")),
)
