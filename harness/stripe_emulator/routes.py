"""The registry of Stripe API routes: adding a resource family is one module under
``resources/`` exporting ``ROUTES``, plus its name here (in the order routes are matched)."""

from __future__ import annotations

import importlib

from paychaos.stripe_emulator.routing import Route, Router

MODULES = (
    "accounts",
    "customers",
    "products",
    "prices",
    "checkout_sessions",
    "subscriptions",
    "subscription_billing",
    "payment_methods",
    "charges",
    "refunds",
    "billing_portal_sessions",
    "payment_intents",
    "invoices",
    "events",
    "webhook_endpoints",
)

ROUTES: list[Route] = [
    route
    for name in MODULES
    for route in importlib.import_module(f"paychaos.stripe_emulator.resources.{name}").ROUTES
]


def stripe_router() -> Router:
    """A router over every emulated Stripe endpoint."""
    return Router(ROUTES)
