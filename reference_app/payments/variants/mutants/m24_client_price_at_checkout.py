"""M24: checkout charges the price the client sends, not the plan's.

Bug: the checkout endpoint builds the line item from an amount in the request
(``price_data``, an ad-hoc price) when one is given, instead of the plan's own Stripe price.

Sources: asamassekou10/ship-safe#17 (checkout used ``price_data`` ad-hoc prices instead of
the plan's price id); juanarrietabusiness-pixel/tommalopty#7 (the payment webhook never
compares the amount charged with the order's).

Harm: a customer edits the request body, pays one cent, and is granted the full plan.
"""

from __future__ import annotations

from typing import Any

from paychaos.reference_app.payments.models import SubscriptionPlan
from paychaos.reference_app.payments.variants.base import ClientClaims
from paychaos.reference_app.payments.variants.correct import CorrectVariant


class ClientPriceAtCheckout(CorrectVariant):
    name = "mutant:M24"

    def checkout_line_item(self, price_id: str, claims: ClientClaims) -> dict[str, Any]:
        if claims.amount is None:
            return super().checkout_line_item(price_id, claims)
        plan = SubscriptionPlan.objects.get(stripe_price_id=price_id)
        return {
            "price_data": {
                "currency": plan.currency,
                "unit_amount": claims.amount,
                "recurring": {"interval": plan.interval},
                "product_data": {"name": plan.name},
            },
            "quantity": 1,
        }
