"""Small builders shared by the emulator tests."""

from __future__ import annotations

from typing import Any


def recurring_price(client: Any, amount: int = 1500) -> Any:
    """A product with a monthly price."""
    product = client.v1.products.create({"name": "Pro plan"})
    return client.v1.prices.create(
        {
            "currency": "usd",
            "unit_amount": amount,
            "product": product.id,
            "recurring": {"interval": "month"},
        }
    )


def one_time_price(client: Any, amount: int = 2500) -> Any:
    """A product with a one-time price."""
    product = client.v1.products.create({"name": "Lifetime pass"})
    return client.v1.prices.create(
        {"currency": "eur", "unit_amount": amount, "product": product.id}
    )


def subscription_session(client: Any, price: Any | None = None, **extra: Any) -> Any:
    """An open subscription-mode Checkout Session."""
    price = price or recurring_price(client)
    params = {
        "mode": "subscription",
        "line_items": [{"price": price.id, "quantity": 1}],
        "success_url": "http://127.0.0.1/success?session_id={CHECKOUT_SESSION_ID}",
        "cancel_url": "http://127.0.0.1/cancel",
        "metadata": {"company_id": "7"},
        **extra,
    }
    return client.v1.checkout.sessions.create(params)


def payment_session(client: Any, **extra: Any) -> Any:
    """An open payment-mode Checkout Session."""
    price = one_time_price(client)
    params = {
        "mode": "payment",
        "line_items": [{"price": price.id, "quantity": 2}],
        "success_url": "http://127.0.0.1/success",
        **extra,
    }
    return client.v1.checkout.sessions.create(params)


def webhook_endpoint(client: Any, url: str, events: list[str] | None = None) -> Any:
    """A webhook endpoint for ``url`` (all events by default); carries ``secret``."""
    return client.v1.webhook_endpoints.create({"url": url, "enabled_events": events or ["*"]})
