"""M9: ``checkout.session.completed`` fulfils without looking at ``payment_status``.

Bug: "completed" is taken to mean "paid". With a delayed payment method (SEPA,
ACH) the session completes ``unpaid``; the money may never arrive
(``checkout.session.async_payment_failed``).

Source: Stripe's "Fulfill orders" guide.

Harm: subscriptions handed out for payments that later fail: service given
away, and a customer told "active" who owes money.
"""

from __future__ import annotations

from typing import Any

from paychaos.reference_app.payments.variants.correct import CorrectVariant


class IgnorePaymentStatus(CorrectVariant):
    name = "mutant:M9"

    def on_session_completed(self, event: dict[str, Any]) -> dict[str, Any]:
        session = event["data"]["object"]
        result = self.fulfil_paid_session(
            session, source="webhook", event_created=event.get("created")
        )
        return {"fulfilled": result.fulfilled, "created": result.created}
