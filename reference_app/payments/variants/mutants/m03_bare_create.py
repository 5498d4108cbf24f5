"""M3: an effect that is not idempotent: a payment row is created on every fulfil call.

Bug: the payment is recorded with a bare ``create()`` whenever a paid session
is reported, also when the session was fulfilled already (the key guards only
the subscription).

Sources: wasp-lang/open-saas#688; Couchers-org/couchers#1664.

Harm: the webhook after the success page's validate (the normal order when
the webhook is slow) records the same payment twice: revenue reports,
invoices and refunds are wrong.
"""

from __future__ import annotations

from paychaos.reference_app.payments.models import Payment, Subscription
from paychaos.reference_app.payments.variants.correct import CorrectVariant, Fulfilment


class BareCreate(CorrectVariant):
    name = "mutant:M3"

    def existing_fulfilment(self, key: str) -> Fulfilment:
        result = super().existing_fulfilment(key)
        sub = Subscription.objects.filter(pk=result.subscription_id).first()
        if sub is not None:
            payment = sub.payments.order_by("id").first()
            Payment.objects.create(
                company_id=sub.company_id,
                subscription=sub,
                checkout_session_id=sub.checkout_session_id,
                amount=payment.amount if payment else None,
            )
        return result
