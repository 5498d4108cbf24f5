"""M23: validate answers about any session to anyone: no ownership check on the answer.

Bug: fulfilment is right (the session's own company gets the subscription), but the
success endpoint tells any signed-in caller that the session succeeded and which
subscription it granted.

Sources: getpaykit/paykit#202 (review: a checkout session must be checked to be the
customer's own before acting on it); ai-shifu/ai-shifu#2848 (another learner's orders
readable).

Harm: one customer reads another company's purchase (plan, subscription id) from a
shared or guessed success URL.
"""

from __future__ import annotations

from paychaos.reference_app.payments.variants.base import ClientClaims
from paychaos.reference_app.payments.variants.correct import CorrectVariant


class ValidateShowsAnySession(CorrectVariant):
    name = "mutant:M23"

    def may_see(self, company_id: int | None, claims: ClientClaims) -> bool:
        return True
