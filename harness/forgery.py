"""Forged webhooks: what an attacker (or a stale replay) POSTs to the app's endpoint.

Each kind says how the ``Stripe-Signature`` header is made; every kind is one the app must
refuse. The runner records what the app answered; I6 judges it.
"""

from __future__ import annotations

import json
import secrets
import time
from collections.abc import Callable
from typing import Any

import requests

from paychaos.errors import ConfigError
from paychaos.stripe_emulator.webhooks.signing import signature_header

# kind -> the signature headers for (body, the endpoint's real secret, now); None: no header.
Signer = Callable[[str, str, int], str | None]
FORGERY_KINDS: dict[str, Signer] = {
    "bad_signature": lambda body, secret, now: f"t={now},v1={secrets.token_hex(32)}",
    "wrong_secret": lambda body, secret, now: signature_header(body, ["whsec_attacker"], now),
    "stale": lambda body, secret, now: signature_header(body, [secret], now - 3600),
    "unsigned": lambda body, secret, now: None,
}


def forged_event(
    session_id: str,
    event_type: str,
    company_id: str,
    metadata: dict[str, Any],
    api_version: str,
) -> dict[str, Any]:
    """An event about ``session_id`` that Stripe never sent, shaped like the real one's object
    (a Checkout Session, a subscription or an invoice, after the event type), in the API
    version of the endpoint it is posted to, as a genuine event to that endpoint would be.

    The attacker who started this checkout knows its metadata: it is copied, so the app can
    only refuse the forgery for the right reason (its signature), not for missing fields.
    """
    now = int(time.time())
    return {
        "id": f"evt_forged_{secrets.token_hex(6)}",
        "object": "event",
        "type": event_type,
        "created": now,
        "livemode": False,
        "api_version": api_version,
        "pending_webhooks": 1,
        "request": {"id": None, "idempotency_key": None},
        "data": {"object": _forged_object(event_type, session_id, company_id, metadata, now)},
    }


def forged_subscription_id(session_id: str) -> str:
    """The Stripe subscription id a forgery about ``session_id`` claims."""
    return f"sub_forged_{session_id[-12:]}"


def _forged_object(
    event_type: str, session_id: str, company_id: str, metadata: dict[str, Any], now: int
) -> dict[str, Any]:
    meta = {**metadata, "company_id": company_id}
    subscription = forged_subscription_id(session_id)
    if event_type.startswith("customer.subscription."):
        return {
            "id": subscription,
            "object": "subscription",
            "customer": "cus_forged",
            "status": "active",
            "cancel_at_period_end": False,
            "created": now,
            "current_period_start": now,
            "current_period_end": now + 30 * 86400,
            "metadata": meta,
            "items": {
                "object": "list",
                "data": [],
                "has_more": False,
                "url": "/v1/subscription_items",
            },
        }
    if event_type.startswith("invoice."):
        return {
            "id": f"in_forged_{session_id[-12:]}",
            "object": "invoice",
            "customer": "cus_forged",
            "subscription": subscription,
            "status": "paid",
            "paid": True,
            "amount_paid": 14900,
            "currency": "usd",
            "metadata": meta,
        }
    return {
        "id": session_id,
        "object": "checkout.session",
        "mode": "subscription",
        "status": "complete",
        "payment_status": "paid",
        "customer": "cus_forged",
        "subscription": subscription,
        "amount_total": 14900,
        "currency": "usd",
        "client_reference_id": company_id,
        "metadata": meta,
    }


def post_forged_webhook(
    kind: str, url: str, event: dict[str, Any], secret: str
) -> tuple[int | None, str | None]:
    """POST ``event`` signed the ``kind`` way; returns (HTTP status, transport error)."""
    signer = FORGERY_KINDS.get(kind)
    if signer is None:
        raise ConfigError(
            f"unknown forgery kind {kind!r}", hint=f"one of: {', '.join(FORGERY_KINDS)}"
        )
    body = json.dumps(event)
    headers = {"Content-Type": "application/json"}
    signature = signer(body, secret, int(time.time()))
    if signature is not None:
        headers["Stripe-Signature"] = signature
    try:
        response = requests.post(url, data=body.encode(), headers=headers, timeout=10)
    except requests.RequestException as exc:
        return None, str(exc)
    return response.status_code, None
