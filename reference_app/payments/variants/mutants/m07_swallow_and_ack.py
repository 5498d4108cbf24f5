"""M7: the webhook swallows any exception and answers 200.

Bug: ``except Exception: log; return 200``. A database error (or any other)
mid-handler rolls the work back, but Stripe is told the event was handled.

Sources: webrenew/unicon#42; mysociety/alaveteli#8773.

Harm: Stripe stops retrying an event whose work never happened; unless the
customer happens to reload the success page, they have paid and have no
subscription, for good.
"""

from __future__ import annotations

import logging

from paychaos.reference_app.payments.failpoints import failpoint
from paychaos.reference_app.payments.variants.base import InvalidWebhook, Reply
from paychaos.reference_app.payments.variants.correct import CorrectVariant

log = logging.getLogger("paychaos.reference_app.payments.mutants")


class SwallowAndAck(CorrectVariant):
    name = "mutant:M7"

    def receive_webhook(self, payload: bytes, sig_header: str | None) -> Reply:
        try:
            event = self.verify_webhook(payload, sig_header)
        except InvalidWebhook as exc:
            return Reply(400, {"error": "invalid webhook", "detail": str(exc)})
        try:
            reply = self.process_event(event)
        except Exception as exc:
            log.error("webhook %s failed (acknowledged anyway): %s", event["id"], exc)
            reply = Reply(200, {"received": True})
        failpoint("webhook.before_response")
        self.drain_if_due()
        return reply
