"""Stripe retries the webhook while its first attempt is still being handled.

The first attempt is held just before it fulfils, past Stripe's patience (a 1 s timeout
here), so Stripe counts it failed and sends the same event again an hour later, while the
first is still running. The app must end with one subscription and one payment, and every
event acknowledged (I1, I3, I5).
"""

from paychaos.schedule import Scenario
from paychaos.schedule import step as s

SCENARIO = Scenario(
    name="webhook-retry-while-running",
    story=__doc__,
    steps=(s.checkout("s1"), s.pay("s1"), *s.webhook_retry_while_running(), s.validate("s1")),
)
