"""Activation notifications of the correct variant through a real Redis and the real consumer."""

from __future__ import annotations

import json

import pytest
from asgiref.sync import async_to_sync, sync_to_async
from channels.layers import get_channel_layer
from django.test import Client
from websockets.sync.client import connect as ws_connect

from paychaos.reference_app.payments.models import NotificationOutbox
from paychaos.reference_app.payments.notifications import group_name
from paychaos.reference_app.payments.variants.registry import get_variant
from tests.reference_app.conftest import HARNESS_AUTH
from tests.reference_app.stripe_events import checkout_session

pytestmark = pytest.mark.django_db(transaction=True)


def test_activation_held_while_redis_is_down_is_sent_by_the_drain_once_redis_is_back(
    catalog, request
):
    company, plan = catalog
    session = checkout_session(company.id, plan.id)
    get_variant("correct").fulfil(session, source="webhook")  # Redis is a closed port here
    assert NotificationOutbox.objects.get().sent_at is None

    request.getfixturevalue("redis_url")  # Redis comes back
    layer = get_channel_layer()

    async def listen_then_drain():
        channel = await layer.new_channel()
        await layer.group_add(group_name(company.id), channel)
        drained = await sync_to_async(Client().post)(
            "/api/_internal/notifications/drain/", **HARNESS_AUTH
        )
        message = await layer.receive(channel)
        return drained.json(), message

    drained, message = async_to_sync(listen_then_drain)()
    assert drained == {"sent": 1, "pending": 0, "error": None}
    assert message["message"]["type"] == "subscription.activated"
    assert message["message"]["session_id"] == session["id"]
    assert NotificationOutbox.objects.get().sent_at is not None


def test_connected_websocket_receives_the_activation_through_redis(catalog, app_server):
    company, plan = catalog
    session = checkout_session(company.id, plan.id)
    with ws_connect(f"{app_server.ws_url}/ws/companies/{company.id}/", open_timeout=5) as ws:
        # The consumer joins its group before accepting: once open, it is listening.
        get_variant("correct").fulfil(session, source="webhook")
        # Its replay (read from the database just after the handshake) may also
        # carry this activation; the live one is the message without "replayed".
        live = None
        while live is None:
            message = json.loads(ws.recv(timeout=5))
            if not message.get("replayed"):
                live = message
    assert live["type"] == "subscription.activated"
    assert live["session_id"] == session["id"]


def test_websocket_connecting_later_gets_the_activation_replayed(catalog, app_server):
    company, plan = catalog
    session = checkout_session(company.id, plan.id)
    get_variant("correct").fulfil(session, source="webhook")
    with ws_connect(f"{app_server.ws_url}/ws/companies/{company.id}/", open_timeout=5) as ws:
        message = json.loads(ws.recv(timeout=5))
    assert message["session_id"] == session["id"] and message["replayed"] is True


def test_websocket_opened_while_redis_is_down_gets_the_replay_then_a_close_to_retry(
    catalog, app_server_without_redis
):
    from websockets.exceptions import ConnectionClosed

    company, plan = catalog
    session = checkout_session(company.id, plan.id)
    get_variant("correct").fulfil(session, source="webhook")
    url = f"{app_server_without_redis.ws_url}/ws/companies/{company.id}/"
    with ws_connect(url, open_timeout=5) as ws:
        message = json.loads(ws.recv(timeout=5))
        try:
            ws.recv(timeout=5)
            raise AssertionError("the socket should have been closed")
        except ConnectionClosed as closed:
            code = closed.rcvd.code if closed.rcvd else None
    assert message["session_id"] == session["id"] and message["replayed"] is True
    assert code == 1011


def test_failure_right_after_commit_keeps_the_activation_owed_until_the_drain(
    catalog, request, monkeypatch
):
    from paychaos.reference_app.payments.variants import correct as correct_module

    def fail(name: str) -> None:
        if name == "fulfil.after_commit":
            raise RuntimeError("process died after commit")

    monkeypatch.setattr(correct_module, "failpoint", fail)
    company, plan = catalog
    session = checkout_session(company.id, plan.id)
    request.getfixturevalue("redis_url")  # Redis is fine; the process is what fails
    with pytest.raises(RuntimeError, match="after commit"):
        get_variant("correct").fulfil(session, source="webhook")
    assert NotificationOutbox.objects.get().sent_at is None  # committed, not yet sent
    drained = Client().post("/api/_internal/notifications/drain/", **HARNESS_AUTH).json()
    assert drained == {"sent": 1, "pending": 0, "error": None}
