"""Data and the constraints the database enforces.

The business tables (Subscription, Payment) keep the shape the incident's app
had: nothing in them stops two rows for one checkout session. That is
deliberate: it is what lets a buggy variant produce the duplicates the
invariants look for. The ``correct`` variant gets its exactly-once guarantee
from ``CheckoutFulfilment`` (unique checkout session id: the idempotency key
every fulfilment path inserts first) and ``ProcessedWebhookEvent`` (unique
event id), both written in the same transaction as the work they guard.
"""

from __future__ import annotations

from django.db import models


class Company(models.Model):
    """A customer company; buys plans, sees its subscriptions."""

    name = models.CharField(max_length=200)
    stripe_customer_id = models.CharField(max_length=255, blank=True, default="")
    created_at = models.DateTimeField(auto_now_add=True)


class SubscriptionPlan(models.Model):
    """A plan sold through one Stripe price."""

    name = models.CharField(max_length=200)
    stripe_price_id = models.CharField(max_length=255, unique=True)
    amount = models.PositiveIntegerField(help_text="minor units (cents)")
    currency = models.CharField(max_length=3, default="usd")
    interval = models.CharField(max_length=10, default="month")


class Subscription(models.Model):
    """A company's subscription, as the app believes it to be."""

    class Status(models.TextChoices):
        ACTIVE = "active"
        PAST_DUE = "past_due"
        UNPAID = "unpaid"
        INCOMPLETE = "incomplete"
        CANCELED = "canceled"

    company = models.ForeignKey(Company, on_delete=models.CASCADE, related_name="subscriptions")
    plan = models.ForeignKey(SubscriptionPlan, on_delete=models.PROTECT)
    status = models.CharField(max_length=20, choices=Status.choices)
    stripe_subscription_id = models.CharField(max_length=255, blank=True, default="", db_index=True)
    stripe_customer_id = models.CharField(max_length=255, blank=True, default="")
    checkout_session_id = models.CharField(max_length=255, blank=True, default="", db_index=True)
    # ``created`` of the last Stripe event applied to ``status``: an older event never wins.
    status_event_created = models.BigIntegerField(null=True, blank=True)
    created_at = models.DateTimeField(auto_now_add=True)
    updated_at = models.DateTimeField(auto_now=True)
    canceled_at = models.DateTimeField(null=True, blank=True)


class Payment(models.Model):
    """Money taken for a checkout session."""

    company = models.ForeignKey(Company, on_delete=models.CASCADE, related_name="payments")
    subscription = models.ForeignKey(
        Subscription, on_delete=models.SET_NULL, null=True, blank=True, related_name="payments"
    )
    checkout_session_id = models.CharField(max_length=255, db_index=True)
    amount = models.PositiveIntegerField(null=True, blank=True)
    currency = models.CharField(max_length=3, default="usd")
    created_at = models.DateTimeField(auto_now_add=True)


class CheckoutFulfilment(models.Model):
    """The idempotency key of fulfilment: one row per fulfilled checkout session.

    Inserted first, in the fulfilling transaction; a concurrent second insert
    waits on the unique index and then fails, so exactly one caller fulfils.
    """

    checkout_session_id = models.CharField(max_length=255, unique=True)
    subscription = models.OneToOneField(Subscription, on_delete=models.SET_NULL, null=True)
    payment = models.OneToOneField(Payment, on_delete=models.SET_NULL, null=True)
    source = models.CharField(max_length=40)
    created_at = models.DateTimeField(auto_now_add=True)


class CanceledStripeSubscription(models.Model):
    """Tombstone: Stripe said this subscription is deleted, whether or not we had it yet.

    A ``customer.subscription.deleted`` that overtakes ``checkout.session.completed``
    leaves one, so the later fulfilment records the subscription as canceled.
    """

    stripe_subscription_id = models.CharField(max_length=255, unique=True)
    event_created = models.BigIntegerField(null=True, blank=True)
    created_at = models.DateTimeField(auto_now_add=True)


class ProcessedWebhookEvent(models.Model):
    """A Stripe event whose effects are committed; its id is never applied twice."""

    event_id = models.CharField(max_length=255, unique=True)
    event_type = models.CharField(max_length=100)
    object_id = models.CharField(max_length=255, blank=True, default="")
    processed_at = models.DateTimeField(auto_now_add=True)


class AuditLog(models.Model):
    """What happened to a checkout session or subscription, in order."""

    action = models.CharField(max_length=60, db_index=True)
    checkout_session_id = models.CharField(max_length=255, blank=True, default="", db_index=True)
    company_id = models.BigIntegerField(null=True, blank=True)
    detail = models.JSONField(default=dict, blank=True)
    created_at = models.DateTimeField(auto_now_add=True)


class NotificationOutbox(models.Model):
    """A notification written with the change it announces; sent after commit, retried later."""

    company_id = models.BigIntegerField(db_index=True)
    kind = models.CharField(max_length=60)
    payload = models.JSONField(default=dict)
    created_at = models.DateTimeField(auto_now_add=True)
    sent_at = models.DateTimeField(null=True, blank=True, db_index=True)
    attempts = models.PositiveIntegerField(default=0)
    last_error = models.TextField(blank=True, default="")
