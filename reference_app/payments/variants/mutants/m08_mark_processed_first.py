"""M8: the event is marked processed before, and outside, the transaction that does the work.

Bug: the event id is committed as processed first; the work runs in a second
transaction. When the work fails, the mark stays, and Stripe's retry is
answered "duplicate" without doing anything.

Source: dj-stripe/dj-stripe#832 (fixed by #887).

Harm: one database blip during the webhook loses the event for good: paid,
no subscription, no retry.
"""

from __future__ import annotations

from typing import Any

from django.db import transaction

from paychaos.reference_app.payments.variants.base import Reply
from paychaos.reference_app.payments.variants.correct import CorrectVariant


class MarkProcessedFirst(CorrectVariant):
    name = "mutant:M8"

    def process_event(self, event: dict[str, Any]) -> Reply:
        handler = self.event_handlers().get(event["type"])
        if handler is None:
            return Reply(200, {"received": True, "ignored": True})
        if not self.claim_event(event):  # committed on its own
            return Reply(200, {"received": True, "duplicate": True})
        with transaction.atomic():
            result = handler(event)
        return Reply(200, {"received": True, **result})
