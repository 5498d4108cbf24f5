"""Stripe-shaped sessions and events, signed the way Stripe signs them."""

from __future__ import annotations

import hashlib
import hmac
import itertools
import json
import time
from typing import Any

_ids = itertools.count(1)


def checkout_session(
    company_id: int,
    plan_id: int,
    *,
    payment_status: str = "paid",
    status: str = "complete",
    session_id: str | None = None,
    subscription_id: str | None = None,
) -> dict[str, Any]:
    n = next(_ids)
    return {
        "id": session_id or f"cs_test_{n:06d}",
        "object": "checkout.session",
        "mode": "subscription",
        "status": status,
        "payment_status": payment_status,
        "customer": f"cus_{n:06d}",
        "subscription": subscription_id or f"sub_{n:06d}",
        "amount_total": 14900,
        "currency": "usd",
        "client_reference_id": f"company-{company_id}",
        "metadata": {"company_id": str(company_id), "plan_id": str(plan_id)},
    }


def event(
    event_type: str, obj: dict[str, Any], *, created: int | None = None, event_id: str | None = None
) -> dict[str, Any]:
    return {
        "id": event_id or f"evt_{next(_ids):06d}",
        "object": "event",
        "type": event_type,
        "created": created if created is not None else int(time.time()),
        "livemode": False,
        "data": {"object": obj},
    }


def sign(payload: bytes, secret: str, *, timestamp: int | None = None) -> str:
    """``Stripe-Signature``: ``t=<unix>,v1=<HMAC-SHA256(secret, "<t>.<body>")>``."""
    t = int(time.time()) if timestamp is None else timestamp
    mac = hmac.new(secret.encode(), f"{t}.".encode() + payload, hashlib.sha256).hexdigest()
    return f"t={t},v1={mac}"


def encode(evt: dict[str, Any]) -> bytes:
    return json.dumps(evt).encode()
