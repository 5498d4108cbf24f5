"""Two companies buy different plans at the same time.

Company c1 buys pro and company c2 buys basic; both pay, and c1's webhook is held before it
fulfils while both success pages fulfil their own sessions. Each company must get its own
plan and only its own (I1, I10), and neither may read the other's account (I11).
"""

from paychaos.schedule import Scenario
from paychaos.schedule import step as s

SCENARIO = Scenario(
    name="two-companies-at-once",
    story=__doc__,
    steps=(
        s.checkout("s1", company="c1", plan="pro"),
        s.checkout("s2", company="c2", plan="basic"),
        s.pay("s1"),
        s.pay("s2"),
        s.overtake("fulfil.before_insert", s.deliver(), s.validate("s2"), s.validate("s1")),
        s.tampered_read("c1", as_company="c2"),
        s.tampered_validate("s1", as_company="c2"),
    ),
)
