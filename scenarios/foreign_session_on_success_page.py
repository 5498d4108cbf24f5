"""Another company's user opens a paid customer's success URL, before and after the webhook.

A success URL leaks (shared screen, browser history, a support ticket) or a session id is
guessed. Signed in as their own company, the other user asks validate about it twice
before Stripe's webhook arrives and once after. They must obtain nothing and see nothing
of the purchase (I11); the subscription stays the paying company's (I10).
"""

from paychaos.schedule import Scenario
from paychaos.schedule import step as s

SCENARIO = Scenario(
    name="foreign-session-on-success-page",
    story=__doc__,
    steps=(
        s.checkout("s1", company="c1"),
        s.pay("s1"),
        s.tampered_validate("s1", as_company="c2", times=2),
        s.deliver(),
        s.tampered_validate("s1", as_company="c2"),
        s.validate("s1"),
    ),
)
