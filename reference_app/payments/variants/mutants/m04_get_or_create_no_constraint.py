"""M4: ``get_or_create`` on a column without a unique constraint.

Bug: fulfilment is ``Subscription.objects.get_or_create(checkout_session_id=...)``
(written out step by step below, so the failpoint can sit inside it).
Django documents that this is race-free only with a unique constraint; without
one, two concurrent callers both create, and every later ``get`` raises
``MultipleObjectsReturned``.

Sources: dj-stripe/dj-stripe#429, #1588; Django ticket 30199.

Harm: two subscriptions and payments for one session; afterwards every
webhook for that session (a retry, a second event) fails with a 500
(``MultipleObjectsReturned``) until Stripe gives up on it.
"""

from __future__ import annotations

from typing import Any

from django.db import IntegrityError, transaction

from paychaos.reference_app.payments.failpoints import failpoint
from paychaos.reference_app.payments.models import Company, Payment, Subscription, SubscriptionPlan
from paychaos.reference_app.payments.variants.base import object_id, session_refs
from paychaos.reference_app.payments.variants.correct import Fulfilment
from paychaos.reference_app.payments.variants.mutants._without_ledger import WithoutLedger


class GetOrCreateNoConstraint(WithoutLedger):
    name = "mutant:M4"

    def fulfil_paid_session(
        self, session: dict[str, Any], *, source: str, event_created: int | None = None
    ) -> Fulfilment:
        company_id, plan_id = session_refs(session)
        with transaction.atomic():
            transaction.on_commit(lambda: failpoint("fulfil.after_commit"))
            plan = SubscriptionPlan.objects.get(pk=plan_id)
            subscription, created = self.get_or_create_subscription(
                session["id"],
                defaults={
                    "company": Company.objects.get(pk=company_id),
                    "plan": plan,
                    "status": Subscription.Status.ACTIVE,
                    "stripe_subscription_id": object_id(session.get("subscription")),
                    "stripe_customer_id": object_id(session.get("customer")),
                    "status_event_created": event_created,
                },
            )
            if created:
                Payment.objects.create(
                    company_id=company_id,
                    subscription=subscription,
                    checkout_session_id=session["id"],
                    amount=session.get("amount_total") or plan.amount,
                    currency=session.get("currency") or plan.currency,
                )
                self.queue_activation(subscription, session["id"])
        return Fulfilment(
            fulfilled=True,
            created=created,
            subscription_id=subscription.id,
            subscription_status=subscription.status,
            company_id=subscription.company_id,
        )

    def get_or_create_subscription(
        self, session_id: str, defaults: dict[str, Any]
    ) -> tuple[Subscription, bool]:
        """``Subscription.objects.get_or_create(checkout_session_id=..., defaults=...)``,
        spelled out step by step (get; create in a savepoint; get again on
        IntegrityError) so the failpoint can sit between its read and its write."""
        try:
            return Subscription.objects.get(checkout_session_id=session_id), False
        except Subscription.DoesNotExist:
            pass
        failpoint("fulfil.before_insert")
        try:
            with transaction.atomic():
                return Subscription.objects.create(checkout_session_id=session_id, **defaults), True
        except IntegrityError:  # never, here: no unique constraint to raise it
            return Subscription.objects.get(checkout_session_id=session_id), False
