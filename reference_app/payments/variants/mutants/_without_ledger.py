"""Shared by the mutants that drop the fulfilment key and dedupe on the business tables.

Not a bug by itself: it only reads the result from ``Subscription`` instead of
``CheckoutFulfilment``. Each mutant adds its own way of (not) deduplicating.
"""

from __future__ import annotations

from paychaos.reference_app.payments.models import CheckoutFulfilment, Payment, Subscription
from paychaos.reference_app.payments.variants.correct import CorrectVariant, Fulfilment


class WithoutLedger(CorrectVariant):
    """``correct`` minus the ``CheckoutFulfilment`` row; results read from ``Subscription``."""

    def record_fulfilment(
        self, ledger: CheckoutFulfilment, subscription: Subscription, payment: Payment
    ) -> None:
        return None

    def existing_fulfilment(self, key: str) -> Fulfilment:
        sub = Subscription.objects.filter(checkout_session_id=key).order_by("id").first()
        return Fulfilment(
            fulfilled=True,
            created=False,
            subscription_id=sub.id if sub else None,
            subscription_status=sub.status if sub else None,
            company_id=sub.company_id if sub else None,
        )

    def fulfilment_of(self, session_id: str) -> Fulfilment | None:
        if not Subscription.objects.filter(checkout_session_id=session_id).exists():
            return None
        return self.existing_fulfilment(session_id)
