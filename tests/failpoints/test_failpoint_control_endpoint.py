"""The failpoint control endpoint over real HTTP (uvicorn), driven by FailpointClient."""

from __future__ import annotations

import asyncio
import os
import subprocess
import sys
import threading
import time
from collections.abc import Iterator
from concurrent.futures import ThreadPoolExecutor

import pytest
import requests
import uvicorn

from paychaos.failpoints import (
    ENABLE_ENV,
    TOKEN_ENV,
    FailpointActionError,
    FailpointClient,
    FailpointError,
    clear_all_failpoints,
    failpoint,
    failpoint_urlpatterns,
    handle_control_request,
    new_failpoint_token,
    with_failpoint_control,
)
from paychaos.net import free_port, wait_for_port

POINT = "orders.before_write"
written: list[str] = []


def _write_order(label: str) -> str:
    # Stands in for a Django sync view: runs in a worker thread, pauses in the middle.
    failpoint(POINT)
    written.append(label)
    return label


async def orders_app(scope, receive, send) -> None:
    """A tiny ASGI app: ``GET /orders/<label>`` writes an order, past a failpoint."""
    label = scope["path"].rsplit("/", 1)[-1]
    result = await asyncio.to_thread(_write_order, label)
    await send({"type": "http.response.start", "status": 200, "headers": []})
    await send({"type": "http.response.body", "body": result.encode()})


@pytest.fixture(scope="module")
def app_server() -> Iterator[tuple[str, str]]:
    """The orders app with failpoint control on, under uvicorn on loopback."""
    token = new_failpoint_token()
    with pytest.MonkeyPatch.context() as patch:
        patch.setenv(ENABLE_ENV, "1")
        patch.setenv(TOKEN_ENV, token)
        port = free_port()
        config = uvicorn.Config(
            with_failpoint_control(orders_app),
            host="127.0.0.1",
            port=port,
            lifespan="off",
            log_level="warning",
        )
        server = uvicorn.Server(config)
        thread = threading.Thread(target=server.run, daemon=True)
        thread.start()
        assert wait_for_port("127.0.0.1", port, timeout=10)
        try:
            yield f"http://127.0.0.1:{port}", token
        finally:
            clear_all_failpoints()
            server.should_exit = True
            thread.join(10)


@pytest.fixture
def client(app_server) -> Iterator[FailpointClient]:
    url, token = app_server
    fp = FailpointClient(url, token)
    written.clear()
    yield fp
    fp.clear_all()


def test_two_paused_requests_are_released_in_a_chosen_order_every_time(client, app_server):
    url = app_server[0]
    with ThreadPoolExecutor(max_workers=2) as pool:
        for _ in range(100):
            written.clear()
            client.set(POINT, "pause(10000)")
            first = pool.submit(lambda: requests.get(url + "/orders/A", timeout=10).text)
            client.wait_until_hit(POINT, count=1)
            second = pool.submit(lambda: requests.get(url + "/orders/B", timeout=10).text)
            client.wait_until_hit(POINT, count=2)
            assert written == []
            assert client.release(POINT, count=1) == 1
            assert first.result(10) == "A"
            assert not second.done() and written == ["A"]
            assert client.release(POINT, count=1) == 1
            assert second.result(10) == "B"
            assert written == ["A", "B"]


def test_client_sets_reads_and_clears_failpoints(client):
    client.set(POINT, "1*raise(builtins.RuntimeError)->off")
    assert client.list() == {
        POINT: {
            "name": POINT,
            "action": "1*raise(builtins.RuntimeError)->off",
            "hits": 0,
            "paused": 0,
        }
    }
    assert client.hits(POINT) == 0
    client.clear(POINT)
    assert client.list() == {}
    with pytest.raises(TimeoutError):
        client.wait_until_hit(POINT, timeout=0.05)


def test_malformed_action_is_a_400_with_the_problem(client, app_server):
    with pytest.raises(FailpointActionError, match="unknown task 'pase'"):
        client.set(POINT, "pase")
    url, token = app_server
    response = requests.put(
        f"{url}/__failpoints/{POINT}",
        data="2*sleep(x)",
        headers={"Authorization": f"Bearer {token}"},
        timeout=5,
    )
    assert response.status_code == 400
    assert "sleep milliseconds must be a number" in response.json()["error"]
    assert client.list() == {}


def test_wrong_or_missing_token_is_refused(app_server):
    url, _ = app_server
    with pytest.raises(FailpointError, match="401"):
        FailpointClient(url, "not-the-token").set(POINT, "crash")
    assert requests.get(f"{url}/__failpoints/", timeout=5).status_code == 401


def test_non_loopback_clients_are_refused(app_server, monkeypatch):
    _, token = app_server
    status, body = handle_control_request(
        "PUT", POINT, {}, b"crash", "192.0.2.7", f"Bearer {token}"
    )
    assert status == 403 and "loopback" in body["error"]
    sent: list[dict] = []

    async def receive():
        return {"type": "http.request", "body": b"crash", "more_body": False}

    async def send(message):
        sent.append(message)

    scope = {
        "type": "http",
        "method": "PUT",
        "path": f"/__failpoints/{POINT}",
        "query_string": b"",
        "headers": [(b"authorization", f"Bearer {token}".encode())],
        "client": ("192.0.2.7", 40000),
    }
    asyncio.run(with_failpoint_control(orders_app)(scope, receive, send))
    assert sent[0]["status"] == 403


def test_control_is_off_unless_enabled(monkeypatch):
    monkeypatch.delenv(ENABLE_ENV, raising=False)
    status, _ = handle_control_request("GET", "", {}, b"", "127.0.0.1", "Bearer x")
    assert status == 404
    assert failpoint_urlpatterns() == []
    monkeypatch.setenv(ENABLE_ENV, "1")
    monkeypatch.delenv(TOKEN_ENV, raising=False)
    with pytest.raises(FailpointError, match=TOKEN_ENV):
        failpoint_urlpatterns()


DJANGO_SCRIPT = """
import django, json
from django.conf import settings
settings.configure(ROOT_URLCONF=__name__, ALLOWED_HOSTS=["*"], DEBUG=False,
                   MIDDLEWARE=["django.middleware.csrf.CsrfViewMiddleware"])
django.setup()
from paychaos.failpoints import failpoint_urlpatterns
urlpatterns = failpoint_urlpatterns()
from django.test import Client
auth = {"HTTP_AUTHORIZATION": "Bearer tok"}
c = Client()
print(c.put("/__failpoints/x", data="2*sleep(1)", content_type="text/plain", **auth).status_code)
print(c.put("/__failpoints/x", data="nope", content_type="text/plain", **auth).status_code)
print(c.get("/__failpoints/x", **auth).json()["action"])
print(c.get("/__failpoints/x").status_code)
print(c.get("/__failpoints/x", REMOTE_ADDR="203.0.113.9", **auth).status_code)
"""


def test_django_view_mounts_through_failpoint_urlpatterns():
    env = {ENABLE_ENV: "1", TOKEN_ENV: "tok"}
    result = subprocess.run(
        [sys.executable, "-c", DJANGO_SCRIPT],
        capture_output=True,
        text=True,
        timeout=60,
        env={**os.environ, **env},
    )
    assert result.stdout.split() == ["200", "400", "2*sleep(1)", "401", "403"], result.stderr


def test_wait_returns_as_soon_as_the_hit_happens(client, app_server):
    url = app_server[0]
    client.set(POINT, "off")
    started = time.perf_counter()
    threading.Timer(0.1, lambda: requests.get(url + "/orders/late", timeout=5)).start()
    assert client.wait_until_hit(POINT, count=1, timeout=5) == 1
    assert time.perf_counter() - started < 2


def test_an_error_says_whether_the_app_answered(app_server):
    """Heal restarts an app whose failpoints it could not clear: it must tell an app that
    answered (an error status: no failpoints to clear there) from one it could not reach
    (an armed crash may still be waiting)."""
    url, _ = app_server
    with pytest.raises(FailpointError) as refused:
        FailpointClient(url, "not-the-token").clear_all()
    assert refused.value.answered is True
    nobody = f"http://127.0.0.1:{free_port()}"
    with pytest.raises(FailpointError) as unreached:
        FailpointClient(nobody, "tok").clear_all()
    assert unreached.value.answered is False
