"""M11: the signature check can be skipped: a request without ``Stripe-Signature`` is trusted.

Bug: a convenience for local testing left in: no signature header means
"parse the payload as is". Anyone who can reach the endpoint can post an event.

Sources: dj-stripe/dj-stripe#1920; django/djangoproject.com#1798.

Harm: a forged ``checkout.session.completed`` grants a subscription nobody
paid for.
"""

from __future__ import annotations

import json
from typing import Any

from paychaos.reference_app.payments.variants.base import InvalidWebhook
from paychaos.reference_app.payments.variants.correct import CorrectVariant


class SkippableSignature(CorrectVariant):
    name = "mutant:M11"

    def verify_webhook(self, payload: bytes, sig_header: str | None) -> dict[str, Any]:
        if not sig_header:
            try:
                event = json.loads(payload)
            except ValueError as exc:
                raise InvalidWebhook(str(exc)) from None
            if isinstance(event, dict) and "id" in event and "type" in event:
                return event
        return super().verify_webhook(payload, sig_header)
