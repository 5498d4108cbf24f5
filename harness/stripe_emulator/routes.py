"""The registry of Stripe API routes: adding a resource family is one module plus one line here."""

from __future__ import annotations

from paychaos.stripe_emulator.resources import (
    accounts,
    checkout_sessions,
    customers,
    events,
    invoices,
    payment_intents,
    prices,
    products,
    subscriptions,
    webhook_endpoints,
)
from paychaos.stripe_emulator.routing import Route, Router

ROUTES: list[Route] = [
    *accounts.ROUTES,
    *customers.ROUTES,
    *products.ROUTES,
    *prices.ROUTES,
    *checkout_sessions.ROUTES,
    *subscriptions.ROUTES,
    *payment_intents.ROUTES,
    *invoices.ROUTES,
    *events.ROUTES,
    *webhook_endpoints.ROUTES,
]


def stripe_router() -> Router:
    """A router over every emulated Stripe endpoint."""
    return Router(ROUTES)
