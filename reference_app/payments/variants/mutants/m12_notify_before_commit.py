"""M12: the notification is dispatched before the transaction commits.

Bug: the outbox is drained inside the fulfilling transaction (instead of in
``on_commit``), so the browser hears "activated" before the subscription is
committed, and also when the transaction then rolls back.

Sources: celery/celery#9617; dj-stripe's webhook docs (use ``on_commit``).

Harm: the customer is told their subscription is active when nothing was
saved (a failure after the dispatch rolls it back); a fast consumer that
reads the row finds nothing.
"""

from __future__ import annotations

from paychaos.reference_app.payments.models import NotificationOutbox, Subscription
from paychaos.reference_app.payments.notifications import ACTIVATED, activation_message
from paychaos.reference_app.payments.variants.correct import CorrectVariant


class NotifyBeforeCommit(CorrectVariant):
    name = "mutant:M12"

    def queue_activation(self, subscription: Subscription, session_id: str) -> None:
        NotificationOutbox.objects.create(
            company_id=subscription.company_id,
            kind=ACTIVATED,
            payload=activation_message(
                company_id=subscription.company_id,
                subscription_id=subscription.id,
                stripe_subscription_id=subscription.stripe_subscription_id,
                session_id=session_id,
            ),
        )
        self.drain_if_due()  # inside the transaction
