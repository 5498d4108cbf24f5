"""A customer changes the company id in their account page's URL to another company's.

Company ids are small integers; counting up the URL is the oldest attack there is. Once
company c1's purchase is fulfilled, company c2's user reads c1's account page: it must show
nothing of c1's subscription or checkout (I11).
"""

from paychaos.schedule import Scenario
from paychaos.schedule import step as s

SCENARIO = Scenario(
    name="account-page-of-another-company",
    story=__doc__,
    steps=(
        s.checkout("s1", company="c1"),
        s.pay("s1"),
        s.deliver(),
        s.validate("s1"),
        s.tampered_read("c1", as_company="c2"),
    ),
)
