"""One direction of one proxied connection, and the toxics applied to it.

Fast path: with no toxic on the stream, bytes read from one socket are written
to the other inside the same callback (no queue, no task switch), so an idle
proxy costs one read and one write per chunk. When a toxic is present, chunks
go through a queue and one pump task runs them through the toxics in order.
"""

from __future__ import annotations

import asyncio
from collections import deque
from typing import TYPE_CHECKING

from paychaos.faults.toxics.base import Chunk, ToxicRun

if TYPE_CHECKING:
    from paychaos.faults.connection import Connection

# Stop reading from the source once this much data waits behind slow toxics.
_QUEUE_HIGH_WATER = 1 << 20


class Link:
    """Bytes from ``src`` to ``dst`` for one stream ("upstream" or "downstream")."""

    __slots__ = (
        "_dst_writable",
        "_loop",
        "_pump",
        "_reading_paused",
        "connection",
        "direct",
        "dst",
        "dst_paused",
        "eof_delivered",
        "eof_fed",
        "pending",
        "pending_bytes",
        "runs",
        "src",
        "stream",
    )

    def __init__(
        self,
        connection: Connection,
        stream: str,
        src: asyncio.Transport,
        dst: asyncio.Transport,
        runs: list[ToxicRun],
    ) -> None:
        self.connection = connection
        self.stream = stream
        self.src = src
        self.dst = dst
        self.runs = runs
        self.direct = not runs
        self.pending: deque[Chunk] = deque()
        self.pending_bytes = 0
        self.dst_paused = False
        self.eof_fed = False
        self.eof_delivered = False
        self._reading_paused = False
        self._pump: asyncio.Task[None] | None = None
        self._dst_writable = asyncio.Event()
        self._dst_writable.set()
        self._loop = asyncio.get_running_loop()

    # -- input -----------------------------------------------------------

    def feed(self, data: bytes) -> None:
        """Bytes arrived from ``src``."""
        if self.direct:
            self.dst.write(data)
            return
        self._enqueue(Chunk(data, self._loop.time()))

    def feed_eof(self) -> None:
        """``src`` finished sending (or went away); the end passes through the toxics too."""
        if self.eof_fed:
            return
        self.eof_fed = True
        if self.direct:
            self._deliver(Chunk(b"", self._loop.time(), eof=True))
        else:
            self._enqueue(Chunk(b"", self._loop.time(), eof=True))

    # -- toxics, changed while the connection lives ---------------------

    def add_run(self, run: ToxicRun, position: int | None = None) -> None:
        """Start applying a toxic to this stream; later chunks go through it."""
        if position is None:
            self.runs.append(run)
        else:
            self.runs.insert(position, run)
        self.direct = False
        run.start()

    def remove_run(self, name: str) -> int | None:
        """Stop applying the toxic ``name``; chunks it holds move on. Returns its position."""
        for index, run in enumerate(self.runs):
            if run.name == name:
                del self.runs[index]
                run.stop()
                self.direct = not self.runs and self._pump is None and not self.pending
                return index
        return None

    def stop(self) -> None:
        """The connection is closing: cancel the pump and every toxic timer."""
        if self._pump is not None:
            self._pump.cancel()
            self._pump = None
        for run in self.runs:
            for task in list(run.tasks):
                task.cancel()

    # -- backpressure ----------------------------------------------------

    def set_dst_paused(self, paused: bool) -> None:
        """``dst`` asked us to stop (or resume) writing."""
        self.dst_paused = paused
        if paused:
            self._dst_writable.clear()
        else:
            self._dst_writable.set()
        self._sync_reading()

    def _sync_reading(self) -> None:
        should_pause = self.dst_paused or self.pending_bytes > _QUEUE_HIGH_WATER
        if should_pause == self._reading_paused or self.connection.closed:
            return
        self._reading_paused = should_pause
        try:
            if should_pause:
                self.src.pause_reading()
            else:
                self.src.resume_reading()
        except (RuntimeError, AttributeError):
            pass  # the transport is closing

    # -- the slow path ---------------------------------------------------

    def _enqueue(self, chunk: Chunk) -> None:
        self.pending.append(chunk)
        self.pending_bytes += len(chunk.data)
        if self.pending_bytes > _QUEUE_HIGH_WATER:
            self._sync_reading()
        if self._pump is None:
            self._pump = self._loop.create_task(self._run_pump())

    async def _run_pump(self) -> None:
        try:
            while self.pending:
                chunk = self.pending.popleft()
                self.pending_bytes -= len(chunk.data)
                if self._reading_paused:
                    self._sync_reading()
                if self.runs:
                    await self._through(tuple(self.runs), 0, chunk)
                else:
                    self._deliver(chunk)
                if self.dst_paused:
                    await self._dst_writable.wait()
        except Exception:
            # A failing toxic must not wedge the connection: drop it, as a network would.
            self.connection.close()
            raise
        finally:
            self._pump = None
            self.direct = not self.runs and not self.pending

    async def _through(self, runs: tuple[ToxicRun, ...], index: int, chunk: Chunk) -> None:
        # Removed or inactive toxics are skipped; a toxic removed while it holds a
        # chunk hands it on to the rest of the chain as it was when the chunk entered.
        while index < len(runs) and (not runs[index].active or runs[index].removed.is_set()):
            index += 1
        if index == len(runs):
            self._deliver(chunk)
            return
        run = runs[index]
        nxt = index + 1

        async def emit(out: Chunk) -> None:
            await self._through(runs, nxt, out)

        await run.toxic.pipe(chunk, run, emit)

    def _deliver(self, chunk: Chunk) -> None:
        connection = self.connection
        if connection.closed:
            return
        if not chunk.eof:
            if chunk.data:
                self.dst.write(chunk.data)
            return
        self.eof_delivered = True
        connection.stream_ended(self)
