"""Telling a company's open browsers that a subscription is active, through Channels and Redis.

``send_to_company`` raises whatever channels-redis raises (redis-py's
``ConnectionError`` when Redis refuses, ``TimeoutError`` after the sender's
socket timeout): deciding what a failure means is the caller's business.
"""

from __future__ import annotations

from typing import Any

from asgiref.sync import async_to_sync
from channels.layers import get_channel_layer

ACTIVATED = "subscription.activated"
SENDER_LAYER = "notify"


def group_name(company_id: int | str) -> str:
    """The Channels group every websocket of a company joins."""
    return f"company_{company_id}"


def activation_message(
    *, company_id: int, subscription_id: int, stripe_subscription_id: str, session_id: str
) -> dict[str, Any]:
    """What the browser receives when a subscription activates."""
    return {
        "type": ACTIVATED,
        "company_id": company_id,
        "subscription_id": subscription_id,
        "stripe_subscription_id": stripe_subscription_id,
        "session_id": session_id,
    }


def send_to_company(company_id: int | str, message: dict[str, Any]) -> None:
    """``group_send`` the message to the company's group; raises on any Redis failure."""
    layer = get_channel_layer(SENDER_LAYER)
    async_to_sync(layer.group_send)(group_name(company_id), {"type": "notify", "message": message})


def ping_redis() -> None:
    """One round trip to the notification Redis; raises when it is not there."""
    layer = get_channel_layer(SENDER_LAYER)

    async def _ping() -> None:
        await layer.connection(0).ping()

    async_to_sync(_ping)()
