"""M14: ``.delay()`` after commit, unguarded and not retried.

Bug: the tasks are dispatched in ``transaction.on_commit`` straight to the broker (no outbox,
no retry, not ``robust``). With the broker down the publish raises after the activation is
committed: the webhook answers 500, Stripe's retry finds the event already processed, and the
tasks are never queued again. The account is never provisioned, no receipt leaves.

Sources: celery/celery#4556, #4296 (``.delay()`` raising ``OperationalError`` when the broker is
unreachable); dimagi/commcare-hq#20851.
"""

from __future__ import annotations

from django.db import transaction

from paychaos.reference_app.payments.models import Subscription
from paychaos.reference_app.payments.variants.correct import CorrectVariant


class UnguardedDelay(CorrectVariant):
    name = "mutant:M14"

    def queue_activation_tasks(
        self, subscription: Subscription, session_id: str, amount: int | None
    ) -> None:
        transaction.on_commit(
            lambda: self.dispatch_activation_tasks(subscription, session_id, amount)
        )
