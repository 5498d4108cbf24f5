"""The registry of Stripe API routes: adding a resource family is one module plus one line here."""

from __future__ import annotations

from paychaos.stripe_emulator.resources import (
    billing_portal_sessions,
    charges,
    checkout_sessions,
    customers,
    events,
    invoices,
    payment_intents,
    payment_methods,
    prices,
    products,
    refunds,
    subscription_billing,
    subscriptions,
    webhook_endpoints,
)
from paychaos.stripe_emulator.routing import Route, Router

ROUTES: list[Route] = [
    *customers.ROUTES,
    *products.ROUTES,
    *prices.ROUTES,
    *checkout_sessions.ROUTES,
    *subscriptions.ROUTES,
    *subscription_billing.ROUTES,
    *payment_methods.ROUTES,
    *charges.ROUTES,
    *refunds.ROUTES,
    *billing_portal_sessions.ROUTES,
    *payment_intents.ROUTES,
    *invoices.ROUTES,
    *events.ROUTES,
    *webhook_endpoints.ROUTES,
]


def stripe_router() -> Router:
    """A router over every emulated Stripe endpoint."""
    return Router(ROUTES)
