"""The websocket a company's browser keeps open at ``/ws/companies/{id}/``.

It joins the Channels group ``company_{id}`` and forwards every ``notify``
message as JSON (``{"type": "subscription.activated", ...}``). On connect it
first sends what the active variant replays (``correct``: recent activations).
When Redis cannot be reached at connect, it still sends the replay, then
closes with 1011 so the browser reconnects later (a socket that cannot hear
its group would otherwise look alive and stay silent).

The same holds later: a Redis that restarted empty has forgotten every group,
yet a consumer whose receive loop never saw the restart (another consumer of
the process took the connection error, or the pooled connection reconnected
quietly) stays open and hears nothing more. Every ``WS_GROUP_CHECK_INTERVAL``
seconds the consumer checks that it is still a member of its group; when it
is not, or Redis does not answer, it closes with 1011 and the browser's
reconnect brings the replay and a fresh membership.
"""

from __future__ import annotations

import asyncio
import contextlib
import logging
from typing import Any

from channels.db import database_sync_to_async
from channels.generic.websocket import AsyncJsonWebsocketConsumer
from django.conf import settings

from paychaos.reference_app.payments.notifications import group_name
from paychaos.reference_app.payments.variants.registry import active_variant

log = logging.getLogger("paychaos.reference_app.payments.consumers")

# The close code that tells the browser to come back (the server could not serve it now).
RETRY_LATER = 1011


class CompanyNotifications(AsyncJsonWebsocketConsumer):
    """One browser tab of one company."""

    async def __call__(self, scope: Any, receive: Any, send: Any) -> None:
        # However the consumer ends (a disconnect, or its receive loop failing on Redis),
        # its membership watch ends with it.
        try:
            await super().__call__(scope, receive, send)
        finally:
            watch = getattr(self, "_watch", None)
            if watch is not None:
                watch.cancel()

    async def connect(self) -> None:
        self.company_id = int(self.scope["url_route"]["kwargs"]["company_id"])
        self.group: str | None = group_name(self.company_id)
        self._watch: asyncio.Task[None] | None = None
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
            await self.close(code=RETRY_LATER)
            return
        interval = settings.PAYMENTS.ws_group_check_interval
        if interval > 0:
            self._watch = asyncio.ensure_future(self._watch_membership(interval))

    async def disconnect(self, code: int) -> None:
        watch = getattr(self, "_watch", None)
        if watch is not None:
            watch.cancel()
        group = getattr(self, "group", None)
        if group is not None:
            try:
                await self.channel_layer.group_discard(group, self.channel_name)
            except Exception:  # Redis may be the reason we are disconnecting
                pass

    async def notify(self, event: dict[str, Any]) -> None:
        """Handler for group messages of type ``notify``."""
        await self.send_json(event["message"])

    async def _watch_membership(self, interval: float) -> None:
        """Close (1011) once this socket can no longer hear its group."""
        while True:
            await asyncio.sleep(interval)
            try:
                member = await self._in_group()
            except asyncio.CancelledError:
                raise
            except Exception as exc:  # Redis unreachable: nothing reaches this socket now
                reason = f"Redis did not answer ({type(exc).__name__}: {exc})"
            else:
                if member:
                    continue
                reason = "it is no longer in its group (Redis restarted empty?)"
            log.warning("websocket for company %s closes: %s", self.company_id, reason)
            self.group = None  # nothing to discard: the membership is gone or unreachable
            with contextlib.suppress(Exception):
                await self.close(code=RETRY_LATER)
            return

    async def _in_group(self) -> bool:
        """Whether Redis still lists this consumer's channel in its group.

        channels-redis keeps a group as a sorted set of channel names and has no public
        query for membership; the key and shard are the ones its ``group_add`` writes.
        """
        layer = self.channel_layer
        group = group_name(self.company_id)
        connection = layer.connection(layer.consistent_hash(group))
        score = await connection.zscore(layer._group_key(group), self.channel_name)
        return score is not None
