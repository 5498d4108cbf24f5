"""M13: the post-activation tasks are dispatched inside the fulfilling transaction.

Bug: ``.delay()`` runs before the transaction commits (no outbox, no ``on_commit``); a
broker failure is caught, so only the order is wrong. A failure after the dispatch rolls the
activation back, and the worker runs the tasks anyway: the receipt of a payment the app does
not hold is mailed, an account is provisioned for a subscription that was never saved.

Sources: celery/celery#9617 (the race, in Celery's own guide); saleor/saleor#5457 and
getsentry/sentry#89284 (tasks racing the transaction, fixed with ``on_commit``).
"""

from __future__ import annotations

import logging

from paychaos.reference_app.payments.models import Subscription
from paychaos.reference_app.payments.variants.correct import CorrectVariant

log = logging.getLogger("paychaos.reference_app.payments.mutants")


class DispatchBeforeCommit(CorrectVariant):
    name = "mutant:M13"

    def queue_activation_tasks(
        self, subscription: Subscription, session_id: str, amount: int | None
    ) -> None:
        try:
            self.dispatch_activation_tasks(subscription, session_id, amount)  # inside atomic()
        except Exception as exc:
            log.warning("tasks for %s not queued: %s", session_id, exc)
