"""M26: the account page shows any company's subscriptions: the company id in the URL is
trusted (an insecure direct object reference).

Bug: ``/api/companies/{id}/subscription/`` answers for whatever id the URL names, never
checking that the signed-in user belongs to that company.

Sources: ai-shifu/ai-shifu#2848 (a fix so a learner can no longer read another learner's
orders); filiksyos/gitreverse#85 (a checkout looked up for any authenticated caller).

Harm: any customer reads every other company's plan, subscription and checkout session ids
by counting up the URL.
"""

from __future__ import annotations

from paychaos.reference_app.payments.variants.base import ClientClaims
from paychaos.reference_app.payments.variants.correct import CorrectVariant


class AccountPageOfAnyCompany(CorrectVariant):
    name = "mutant:M26"

    def may_read_company(self, company_id: int, claims: ClientClaims) -> bool:
        return True
