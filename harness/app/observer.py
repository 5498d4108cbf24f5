"""Real websocket clients, one per company, that record every notification the app sends.

They stand in for the customers' open browser tabs. Each reconnects when the
app drops it (a Redis outage can end the consumer), so what it sees is what a
browser that keeps retrying would see.
"""

from __future__ import annotations

import asyncio
import concurrent.futures
import contextlib
import json
import threading
import time
from collections.abc import Callable
from typing import Any

import websockets

from paychaos.state import Notification

Parser = Callable[[str, dict[str, Any]], list[Notification]]


class NotificationObserver:
    """Owns an event loop thread and one reconnecting websocket client per watched company."""

    def __init__(self, url_for: Callable[[str], str | None], parse: Parser) -> None:
        self._url_for = url_for
        self._parse = parse
        self._loop = asyncio.new_event_loop()
        self._thread = threading.Thread(
            target=self._loop.run_forever, name="paychaos-ws", daemon=True
        )
        self._thread.start()
        self._tasks: dict[str, concurrent.futures.Future[None]] = {}
        self._connected: dict[str, asyncio.Event] = {}
        # Guards what the tabs saw and which are open; notified on every change, so waiting
        # for a notification or a reconnection wakes on the event itself, not on a poll.
        self._changed = threading.Condition()
        self._seen: list[Notification] = []
        self._open: set[str] = set()  # companies whose tab is connected right now
        self._t0 = time.monotonic()

    def watch(self, company_id: str, timeout: float = 3.0) -> bool:
        """Open a browser tab for ``company_id``; True once its websocket is connected."""
        url = self._url_for(company_id)
        if url is None or company_id in self._tasks:
            return url is not None
        ready = threading.Event()
        self._tasks[company_id] = asyncio.run_coroutine_threadsafe(
            self._follow(company_id, url, ready), self._loop
        )
        return ready.wait(timeout)

    @property
    def companies(self) -> frozenset[str]:
        return frozenset(self._tasks)

    def notifications(self) -> tuple[Notification, ...]:
        with self._changed:
            return tuple(self._seen)

    def forget(self) -> None:
        """Close every tab and forget what was seen (between runs)."""
        futures = list(self._tasks.values())
        self._tasks.clear()
        with self._changed:
            self._open.clear()
        for future in futures:
            future.cancel()
        if futures:
            concurrent.futures.wait(futures, timeout=2)
        with self._changed:
            self._seen.clear()

    def wait_connected(self, timeout: float = 3.0) -> bool:
        """Block until every watched tab is connected again (after an outage closed them)."""
        with self._changed:
            return self._changed.wait_for(lambda: set(self._tasks) <= self._open, timeout)

    def wait_for(
        self, predicate: Callable[[tuple[Notification, ...]], bool], timeout: float
    ) -> bool:
        with self._changed:
            return self._changed.wait_for(lambda: predicate(tuple(self._seen)), timeout)

    def close(self) -> None:
        self.forget()
        with contextlib.suppress(Exception):
            asyncio.run_coroutine_threadsafe(_cancel_everything(), self._loop).result(timeout=2)
        self._loop.call_soon_threadsafe(self._loop.stop)
        self._thread.join(timeout=2)
        with contextlib.suppress(RuntimeError):
            self._loop.close()

    async def _follow(self, company_id: str, url: str, ready: threading.Event) -> None:
        backoff = 0.02
        while True:
            try:
                # No keepalive pings: a browser tab sends none, a ping unanswered while the
                # app is paused would close the tab on its own, and each ping draws from the
                # global ``random`` (under Hypothesis, which seeds it, in another thread).
                async with websockets.connect(
                    url, open_timeout=2, close_timeout=0.2, ping_interval=None
                ) as ws:
                    ready.set()
                    self._mark_open(company_id, True)
                    backoff = 0.02
                    try:
                        async for raw in ws:
                            self._record(company_id, raw)
                    finally:
                        self._mark_open(company_id, False)
            except asyncio.CancelledError:
                raise
            except Exception:
                pass
            await asyncio.sleep(backoff)
            backoff = min(backoff * 2, 0.25)

    def _record(self, company_id: str, raw: str | bytes) -> None:
        try:
            message = json.loads(raw)
        except ValueError:
            return
        if not isinstance(message, dict):
            return
        found = self._parse(company_id, message)
        now = round(time.monotonic() - self._t0, 6)
        with self._changed:
            self._seen.extend(
                Notification(n.company_id, n.kind, n.session_id, n.subscription_id, now)
                for n in found
            )
            self._changed.notify_all()

    def _mark_open(self, company_id: str, connected: bool) -> None:
        with self._changed:
            if connected:
                self._open.add(company_id)
            else:
                self._open.discard(company_id)
            self._changed.notify_all()


async def _cancel_everything() -> None:
    """Cancel what the websocket library still runs (keepalives) so nothing dies pending."""
    tasks = [t for t in asyncio.all_tasks() if t is not asyncio.current_task()]
    for task in tasks:
        task.cancel()
    await asyncio.gather(*tasks, return_exceptions=True)
