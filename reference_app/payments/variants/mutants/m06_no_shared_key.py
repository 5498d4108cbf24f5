"""M6: the webhook and the success page both fulfil, with no key they share.

Bug: each entry point deduplicates only against itself (the webhook by its
key, validate by its own), so whichever comes second does not see the first
and fulfils again.

Sources: Stripe's "Fulfill orders" guide (fulfil from both, idempotently);
laravel/cashier-stripe#1307; saleor/saleor#14648.

Harm: every purchase where both the webhook and the success page report the
payment gets two subscriptions and two payments: double counting, double emails.
"""

from __future__ import annotations

from paychaos.reference_app.payments.variants.correct import CorrectVariant


class NoSharedKey(CorrectVariant):
    name = "mutant:M6"

    def fulfilment_key(self, session_id: str, source: str) -> str:
        return f"{source}:{session_id}"
