"""The customers' tabs (the notification observer) behave as a browser tab does."""

from __future__ import annotations

import asyncio
import contextlib
import threading

from websockets.exceptions import ConnectionClosed
from websockets.sync.server import serve

from paychaos.app.observer import NotificationObserver
from paychaos.net import LOOPBACK


def test_a_tab_sends_no_keepalive_pings():
    # A browser tab sends none; a ping the paused app cannot answer would close the tab on
    # its own, and each ping draws from the global ``random`` in the observer's thread.
    def echo(ws) -> None:
        with contextlib.suppress(ConnectionClosed):
            for _ in ws:
                pass

    with serve(echo, LOOPBACK, 0) as server:
        threading.Thread(target=server.serve_forever, daemon=True).start()
        port = server.socket.getsockname()[1]
        observer = NotificationObserver(lambda c: f"ws://{LOOPBACK}:{port}/{c}", lambda c, m: [])
        try:
            assert observer.watch("c1")

            async def coroutines() -> list[str]:
                return [t.get_coro().__qualname__ for t in asyncio.all_tasks()]

            running = asyncio.run_coroutine_threadsafe(coroutines(), observer._loop).result(5)
            assert any("_follow" in name for name in running)  # the tab is there
            assert not [name for name in running if name.rsplit(".", 1)[-1] == "keepalive"]
        finally:
            observer.close()
            server.shutdown()
