"""The ``Stripe-Signature`` header, exactly as ``stripe.Webhook.construct_event`` verifies it."""

from __future__ import annotations

import hashlib
import hmac


def sign(payload: str, secret: str, timestamp: int) -> str:
    """Hex HMAC-SHA256 of ``"{timestamp}.{payload}"`` keyed with the endpoint secret."""
    message = f"{timestamp}.{payload}".encode()
    return hmac.new(secret.encode(), message, hashlib.sha256).hexdigest()


def signature_header(payload: str, secrets: list[str], timestamp: int) -> str:
    """``t=<unix>,v1=<hex>[,v1=<hex>...]``: one ``v1`` per active secret.

    >>> signature_header("{}", ["whsec_x"], 1800000000).startswith("t=1800000000,v1=")
    True
    """
    parts = [f"t={timestamp}"] + [f"v1={sign(payload, s, timestamp)}" for s in secrets]
    return ",".join(parts)
