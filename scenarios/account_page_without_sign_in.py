"""A browser where no one is signed in opens a company's account page by its URL.

An account API whose permission check only compares the signed-in company with the one in the
URL lets through a request that names no one at all (the check is skipped when there is no user
to compare). Once company c1's purchase is fulfilled, a browser with no session reads c1's
account page: it must show nothing of c1's subscription or checkout (I11).
"""

from paychaos.scenarios.account_page_of_another_company import SCENARIO as ANOTHER_COMPANY
from paychaos.schedule import Scenario
from paychaos.schedule import step as s

SCENARIO = Scenario(
    name="account-page-without-sign-in",
    story=__doc__,
    # The other company's read, from a browser where no one is signed in.
    steps=(*ANOTHER_COMPANY.steps[:-1], s.tampered_read("c1", as_company=None)),
)
