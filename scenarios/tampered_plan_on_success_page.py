"""The customer pays for the basic plan, then edits the success URL to name the pro plan.

Success URLs often carry more than the session id (the plan, an upgrade flag), and the
browser's user can edit them. Whatever the URL names, what is granted must be what the
session charged: the basic plan (I10). The edited call comes before the webhook, so the
success page is what fulfils.
"""

from paychaos.schedule import Scenario
from paychaos.schedule import step as s

SCENARIO = Scenario(
    name="tampered-plan-on-success-page",
    story=__doc__,
    steps=(
        s.checkout("s1", plan="basic"),
        s.pay("s1"),
        s.tampered_validate("s1", plan="pro"),
        s.deliver(),
        s.validate("s1"),
    ),
)
