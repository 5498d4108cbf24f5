"""The websocket a company's browser keeps open at ``/ws/companies/{id}/``.

It joins the Channels group ``company_{id}`` and forwards every ``notify``
message as JSON (``{"type": "subscription.activated", ...}``). On connect it
first sends what the active variant replays (``correct``: recent activations).
"""

from __future__ import annotations

from typing import Any

from channels.db import database_sync_to_async
from channels.generic.websocket import AsyncJsonWebsocketConsumer

from reference_app.payments.notifications import group_name
from reference_app.payments.variants.registry import active_variant


class CompanyNotifications(AsyncJsonWebsocketConsumer):
    """One browser tab of one company."""

    async def connect(self) -> None:
        self.company_id = int(self.scope["url_route"]["kwargs"]["company_id"])
        self.group = group_name(self.company_id)
        await self.channel_layer.group_add(self.group, self.channel_name)
        await self.accept()
        for message in await database_sync_to_async(active_variant().replay_for_company)(
            self.company_id
        ):
            await self.send_json(message)

    async def disconnect(self, code: int) -> None:
        group = getattr(self, "group", None)
        if group is not None:
            try:
                await self.channel_layer.group_discard(group, self.channel_name)
            except Exception:  # Redis may be the reason we are disconnecting
                pass

    async def notify(self, event: dict[str, Any]) -> None:
        """Handler for group messages of type ``notify``."""
        await self.send_json(event["message"])
