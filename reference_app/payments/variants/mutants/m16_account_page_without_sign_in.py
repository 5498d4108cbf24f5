"""M16: the account page answers a browser where no one is signed in: the permission check
compares the signed-in company with the URL's only when there is someone signed in.

Bug: ``may_read_company`` lets a request with no user through ("no one to compare"), as an
API left on anonymous read access does.

Sources: monzo/response#42 (with anonymous read permissions anyone could see the data; the
API now demands an authenticated user); FreeFeed/freefeed-server#176 (a user's subscriptions
readable by anonymous visitors).

Harm: anyone, without an account, reads every company's subscription and checkout session
ids by counting up the URL.
"""

from __future__ import annotations

from paychaos.reference_app.payments.variants.base import ClientClaims
from paychaos.reference_app.payments.variants.correct import CorrectVariant


class AccountPageWithoutSignIn(CorrectVariant):
    name = "mutant:M16"

    def may_read_company(self, company_id: int, claims: ClientClaims) -> bool:
        signed_in = claims.signed_in_company
        return signed_in is None or signed_in == company_id
