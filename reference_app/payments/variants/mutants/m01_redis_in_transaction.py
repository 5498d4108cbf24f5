"""M1: the Redis call sits in the request path, unguarded, inside the fulfilling transaction.

Bug: ``group_send`` runs inside ``atomic()`` right after the subscription is
written, and its exception is not caught. Redis refused, reset or blackholed
raises redis-py's ``ConnectionError``/``TimeoutError``, the transaction rolls
back, the webhook answers 500 and validate answers 500.

Sources: django/channels_redis#102, #135, #323; celery/celery#4556, #4296;
dimagi/commcare-hq#20851.

Harm: the customer has paid and has no subscription for as long as Redis is
unhealthy (and for good if Stripe's retries run out first); the success page
cannot confirm the payment; a blackholed Redis holds every fulfilment's locks
for the socket timeout.
"""

from __future__ import annotations

from paychaos.reference_app.payments.failpoints import failpoint
from paychaos.reference_app.payments.models import Subscription
from paychaos.reference_app.payments.notifications import activation_message, send_to_company
from paychaos.reference_app.payments.variants.correct import CorrectVariant


class RedisInTransaction(CorrectVariant):
    name = "mutant:M1"

    def queue_activation(self, subscription: Subscription, session_id: str) -> None:
        failpoint("notify.before_send")
        send_to_company(
            subscription.company_id,
            activation_message(
                company_id=subscription.company_id,
                subscription_id=subscription.id,
                stripe_subscription_id=subscription.stripe_subscription_id,
                session_id=session_id,
            ),
        )
