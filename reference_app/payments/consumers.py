"""The websocket a company's browser keeps open at ``/ws/companies/{id}/``.

It joins the Channels group ``company_{id}`` and forwards every ``notify``
message as JSON (``{"type": "subscription.activated", ...}``). On connect it
first sends what the active variant replays (``correct``: recent activations).
When Redis cannot be reached at connect, it still sends the replay, then
closes with 1011 so the browser reconnects later (a socket that cannot hear
its group would otherwise look alive and stay silent).
"""

from __future__ import annotations

import logging
from typing import Any

from channels.db import database_sync_to_async
from channels.generic.websocket import AsyncJsonWebsocketConsumer

from paychaos.reference_app.payments.notifications import group_name
from paychaos.reference_app.payments.variants.registry import active_variant

log = logging.getLogger("paychaos.reference_app.payments.consumers")


class CompanyNotifications(AsyncJsonWebsocketConsumer):
    """One browser tab of one company."""

    async def connect(self) -> None:
        self.company_id = int(self.scope["url_route"]["kwargs"]["company_id"])
        self.group: str | None = group_name(self.company_id)
        try:
            await self.channel_layer.group_add(group_name(self.company_id), self.channel_name)
            joined = True
        except Exception as exc:  # Redis refused, reset or timed out
            log.warning("websocket for company %s cannot join its group: %s", self.company_id, exc)
            self.group, joined = None, False
        await self.accept()
        for message in await database_sync_to_async(active_variant().replay_for_company)(
            self.company_id
        ):
            await self.send_json(message)
        if not joined:
            await self.close(code=1011)

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
