"""M2: "already fulfilled?" is an ``exists()`` check, then an insert, with no unique key.

Bug: the fulfilment key row is replaced by
``Subscription.objects.filter(checkout_session_id=...).exists()``; two callers
that check before either inserts both go on to create.

Source: dj-stripe/dj-stripe#1239.

Harm: the webhook and the success page's validate, arriving together, make two
subscriptions and two payment records for one payment (double counting,
double provisioning, refunds by hand).
"""

from __future__ import annotations

from paychaos.reference_app.payments.failpoints import failpoint
from paychaos.reference_app.payments.models import CheckoutFulfilment, Subscription
from paychaos.reference_app.payments.variants.mutants._without_ledger import WithoutLedger


class ExistsThenInsert(WithoutLedger):
    name = "mutant:M2"

    def claim_fulfilment(self, key: str, source: str) -> CheckoutFulfilment | None:
        if Subscription.objects.filter(checkout_session_id=key).exists():
            return None
        failpoint("fulfil.before_insert")  # checked, not yet inserted
        return CheckoutFulfilment(checkout_session_id=key, source=source)  # never saved
