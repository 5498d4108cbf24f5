"""The webhook fulfils while the success page's validate is on its way: a forced order.

The success page asks validate first, but validate is held just before it fulfils;
meanwhile Stripe's webhook fulfils the session; then validate goes on. It must find the
session fulfilled and say so: one subscription, one payment, "Payment successful"
(I1, I3, I4).
"""

from paychaos.schedule import Scenario
from paychaos.schedule import step as s

SCENARIO = Scenario(
    name="webhook-before-success-page",
    story=__doc__,
    steps=(s.checkout("s1"), s.pay("s1"), s.webhook_before_success_page("s1")),
)
