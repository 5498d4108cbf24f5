"""``seed_original``: the payments code as it was when customers were charged and told "failed".

What ARCHITECTURE.md describes, kept as it was:

- The ``checkout.session.completed`` handler creates the subscription and the
  payment and sends the Channels notification (``group_send`` through Redis)
  inside one transaction. When Redis refuses the connection, redis-py raises
  ``ConnectionError`` ("Error 111 connecting to ..."), the transaction rolls
  back and the webhook answers 500.
- Validate's fallback ("webhook not processed, creating subscription
  manually") runs the same code and fails the same way; it answers
  ``{"status": "failed"}`` with a 500, and the success page shows
  "Payment failed" for a session Stripe calls paid.

What the description does not say, written the way such code usually is
(assumptions, so the harness shows their consequences too):

- "Already processed?" is ``filter(...).exists()`` on the subscription table,
  then an insert; no event-id dedupe, no unique key (the webhook and validate,
  or two deliveries of one event, can both pass the check).
- ``payment_status`` is not checked on ``checkout.session.completed``; other
  event types (async payment, subscription deleted/updated) are acknowledged
  and ignored.
- A Stripe error in validate answers ``failed``; an unpaid session answers ``pending``.
- Notifications use the app's configured Redis timeouts (with redis-py 7's
  defaults a blackholed Redis would hang the request instead).

Expected to break under Redis faults: I1 (paid, no subscription while the
webhook keeps failing), I4 (told "failed"), I5 (webhook 500 until Redis is
back), I8; and, without Redis faults, I1/I3 under concurrent duplicates or a
webhook/validate race, I2 for an unpaid (delayed) payment.
"""

from __future__ import annotations

import logging
from typing import Any

import stripe
from django.db import transaction

from paychaos.reference_app.payments import stripe_api
from paychaos.reference_app.payments.failpoints import failpoint
from paychaos.reference_app.payments.models import Company, Payment, Subscription, SubscriptionPlan
from paychaos.reference_app.payments.notifications import activation_message, send_to_company
from paychaos.reference_app.payments.variants.base import (
    NO_CLAIMS,
    ClientClaims,
    InvalidWebhook,
    Reply,
    Variant,
    object_id,
    session_refs,
)

log = logging.getLogger("paychaos.reference_app.payments.seed_original")


class SeedOriginalVariant(Variant):
    """The incident's code: fulfilment and notification share one transaction."""

    name = "seed_original"

    def receive_webhook(self, payload: bytes, sig_header: str | None) -> Reply:
        try:
            event = self.verify_webhook(payload, sig_header)
        except InvalidWebhook as exc:
            return Reply(400, {"error": f"Invalid signature: {exc}"})
        try:
            if event["type"] == "checkout.session.completed":
                self.handle_checkout_completed(event["data"]["object"])
        except Exception as exc:
            log.exception("Webhook handler failed")
            return Reply(500, {"error": str(exc)})
        failpoint("webhook.before_response")
        return Reply(200, {"received": True})

    @transaction.atomic
    def handle_checkout_completed(self, session: dict[str, Any]) -> Subscription:
        """Create subscription and payment, then notify, all in one transaction."""
        existing = Subscription.objects.filter(checkout_session_id=session["id"]).first()
        if existing is not None:
            return existing
        subscription = self.create_subscription(session)
        # The work that follows a payment, queued the way the incident's code queued it.
        self.dispatch_activation_tasks(subscription, session["id"], session.get("amount_total"))
        failpoint("notify.before_send")
        send_to_company(
            subscription.company_id,
            activation_message(
                company_id=subscription.company_id,
                subscription_id=subscription.id,
                stripe_subscription_id=subscription.stripe_subscription_id,
                session_id=session["id"],
            ),
        )
        return subscription

    def create_subscription(self, session: dict[str, Any]) -> Subscription:
        """The subscription and its payment, as active."""
        company_id, plan_id = session_refs(session)
        company = Company.objects.get(pk=company_id)
        plan = SubscriptionPlan.objects.get(pk=plan_id)
        failpoint("fulfil.before_insert")
        return insert_active_subscription(company, plan, session)

    def validate_session(self, session_id: str, claims: ClientClaims = NO_CLAIMS) -> Reply:
        try:
            session = stripe_api.retrieve_session(session_id)
        except stripe.StripeError as exc:
            return Reply(400, {"status": "failed", "session_id": session_id, "error": str(exc)})
        failpoint("checkout.after_session_read")
        if session.get("payment_status") != "paid":
            return Reply(200, {"status": "pending", "session_id": session_id})
        subscription = Subscription.objects.filter(checkout_session_id=session_id).first()
        if subscription is None:
            log.warning("Webhook not processed, creating subscription manually for %s", session_id)
            try:
                subscription = self.handle_checkout_completed(session)
            except Exception as exc:
                log.exception("Manual subscription creation failed")
                return Reply(500, {"status": "failed", "session_id": session_id, "error": str(exc)})
        return Reply(
            200,
            {"status": "success", "session_id": session_id, "subscription_id": subscription.id},
        )


def insert_active_subscription(
    company: Company, plan: SubscriptionPlan, session: dict[str, Any]
) -> Subscription:
    """The seeds' insert: an active subscription and its payment, with no uniqueness anywhere."""
    subscription = Subscription.objects.create(
        company=company,
        plan=plan,
        status=Subscription.Status.ACTIVE,
        stripe_subscription_id=object_id(session.get("subscription")),
        stripe_customer_id=object_id(session.get("customer")),
        checkout_session_id=session["id"],
    )
    Payment.objects.create(
        company=company,
        subscription=subscription,
        checkout_session_id=session["id"],
        amount=session.get("amount_total") or plan.amount,
        currency=session.get("currency") or plan.currency,
    )
    return subscription
