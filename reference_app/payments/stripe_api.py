"""The app's only door to Stripe: one ``StripeClient`` with explicit timeouts and retries."""

from __future__ import annotations

import functools
from typing import Any

import requests
import stripe
from django.conf import settings


@functools.cache
def stripe_client() -> stripe.StripeClient:
    """The process's Stripe client, pointed at ``STRIPE_API_BASE``.

    The requests session ignores proxy environment variables: the harness
    routes the Stripe API through its own fault proxy by URL, and a stray
    ``HTTP_PROXY`` must not reroute it.
    """
    cfg = settings.PAYMENTS
    session = requests.Session()
    session.trust_env = False
    http = stripe.RequestsClient(
        timeout=(cfg.stripe_connect_timeout, cfg.stripe_timeout), session=session
    )
    return stripe.StripeClient(
        cfg.stripe_secret_key,
        base_addresses={"api": cfg.stripe_api_base},
        http_client=http,
        max_network_retries=cfg.stripe_max_network_retries,
    )


def to_plain(obj: Any) -> dict[str, Any]:
    """A Stripe object as plain dicts and lists (what a webhook payload also looks like)."""
    return obj.to_dict() if hasattr(obj, "to_dict") else dict(obj)


def retrieve_session(session_id: str) -> dict[str, Any]:
    """The Checkout Session as Stripe sees it now; raises ``stripe.StripeError`` subclasses."""
    return to_plain(stripe_client().v1.checkout.sessions.retrieve(session_id))


def create_price(name: str, amount: int, currency: str, interval: str) -> str:
    """Create a product and a recurring price for a new plan; return the price id."""
    client = stripe_client()
    product = client.v1.products.create(params={"name": name})
    price = client.v1.prices.create(
        params={
            "product": product.id,
            "unit_amount": amount,
            "currency": currency,
            "recurring": {"interval": interval},
        }
    )
    return str(price.id)


def create_checkout_session(
    *, company_id: int, plan_id: int, line_item: dict[str, Any], customer_id: str, base_url: str
) -> dict[str, Any]:
    """Create a subscription-mode Checkout Session for one company and plan, charging
    ``line_item`` (``{"price", "quantity"}``)."""
    params: dict[str, Any] = {
        "mode": "subscription",
        "line_items": [line_item],
        "success_url": f"{base_url}/payments/success/?session_id={{CHECKOUT_SESSION_ID}}",
        "cancel_url": f"{base_url}/payments/cancel/",
        "client_reference_id": f"company-{company_id}",
        "metadata": {"company_id": str(company_id), "plan_id": str(plan_id)},
    }
    if customer_id:
        params["customer"] = customer_id
    return to_plain(stripe_client().v1.checkout.sessions.create(params=params))  # type: ignore[arg-type]
