"""M25: the payment row books Stripe's amount divided by 100.

Bug: Stripe amounts are in the currency's minor units (cents); the app converts to major
units (dollars) into a column every other part of it reads as cents.

Sources: evershopcommerce/evershop#376 (Stripe's amount is an integer of cents, the shop
stored dollars); scottdavenport/craven-cancer-classic#51 (the webhook wrote
``amount_total / 100`` into a cents column).

Harm: revenue, invoices and refunds off by a factor of 100; nothing else notices.
"""

from __future__ import annotations

from typing import Any

from paychaos.reference_app.payments.models import Payment, Subscription
from paychaos.reference_app.payments.variants.correct import CorrectVariant


class AmountInMajorUnits(CorrectVariant):
    name = "mutant:M25"

    def create_records(
        self,
        session: dict[str, Any],
        company_id: int,
        plan_id: int,
        *,
        event_created: int | None = None,
    ) -> tuple[Subscription, Payment]:
        subscription, payment = super().create_records(
            session, company_id, plan_id, event_created=event_created
        )
        if payment.amount is not None:
            payment.amount = payment.amount // 100
            payment.save(update_fields=["amount"])
        return subscription, payment
