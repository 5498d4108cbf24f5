"""Every event type the emulator emits, for checks made before anything starts.

A replay file naming an event type (a forged event's ``event_type``, a delivery policy's
``event_type`` glob) is checked against this list up front; a test keeps it equal to the
types the emulator's code emits.
"""

from __future__ import annotations

EVENT_TYPES: tuple[str, ...] = (
    "billing_portal.session.created",
    "charge.refunded",
    "charge.succeeded",
    "checkout.session.async_payment_failed",
    "checkout.session.async_payment_succeeded",
    "checkout.session.completed",
    "checkout.session.expired",
    "customer.created",
    "customer.deleted",
    "customer.subscription.created",
    "customer.subscription.deleted",
    "customer.subscription.updated",
    "customer.updated",
    "invoice.created",
    "invoice.finalized",
    "invoice.paid",
    "invoice.payment_failed",
    "invoice.payment_succeeded",
    "invoice.updated",
    "payment_intent.payment_failed",
    "payment_intent.succeeded",
    "payment_method.attached",
    "payment_method.detached",
    "payment_method.updated",
    "price.created",
    "price.updated",
    "product.created",
    "product.updated",
    "refund.created",
)
