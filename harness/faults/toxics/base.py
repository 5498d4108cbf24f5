"""What every toxic shares: the chunk it sees, its per-connection run, its attribute checks.

A toxic is one kind of fault with a few integer attributes and one behaviour,
``pipe``: given a chunk of one stream of one connection, pass it on (``emit``),
later, in pieces, or never. Toxics never touch sockets directly; they ask their
``ToxicRun`` to close or reset the connection, so the same toxic works on either
stream.
"""

from __future__ import annotations

import asyncio
import random
from collections.abc import Awaitable, Callable, Mapping
from dataclasses import dataclass
from typing import Any, ClassVar, Protocol


@dataclass(frozen=True, slots=True)
class Chunk:
    """Bytes read from one side of a connection, with the loop time they arrived.

    ``eof`` marks the end of the stream (then ``data`` is empty): toxics see
    closes too, so ``slow_close`` can delay one and ``timeout`` can hold one.
    """

    data: bytes
    arrived: float
    eof: bool = False


Emit = Callable[[Chunk], Awaitable[None]]


class ConnectionControl(Protocol):
    """What a toxic may do to the connection it runs on."""

    def close(self) -> None:
        """Close both sides normally (FIN)."""

    def reset(self) -> None:
        """Close both sides with a TCP reset (RST)."""


class InvalidAttribute(ValueError):
    """An attribute is unknown, not an integer, or negative (the API answers 400)."""


class Toxic:
    """One fault kind. Subclasses set ``type_name`` and ``defaults`` and override ``pipe``.

    Attributes are non-negative integers, as in Toxiproxy; unknown names are
    rejected rather than ignored so that a typo cannot silently disable a fault.
    """

    type_name: ClassVar[str]
    defaults: ClassVar[dict[str, int]] = {}

    def __init__(self, attributes: Mapping[str, Any] | None = None) -> None:
        self.attributes = self.check_attributes(attributes or {})

    @classmethod
    def check_attributes(cls, given: Mapping[str, Any]) -> dict[str, int]:
        """Return the full attribute dict (defaults filled in) or raise ``InvalidAttribute``."""
        if not isinstance(given, Mapping):
            raise InvalidAttribute("attributes must be a JSON object")
        values = dict(cls.defaults)
        for key, value in given.items():
            if key not in cls.defaults:
                known = ", ".join(cls.defaults) or "none"
                raise InvalidAttribute(
                    f"unknown attribute {key!r} for toxic type {cls.type_name!r} (known: {known})"
                )
            if isinstance(value, bool) or not isinstance(value, int):
                raise InvalidAttribute(f"attribute {key!r} must be an integer, got {value!r}")
            if value < 0:
                raise InvalidAttribute(f"attribute {key!r} must not be negative, got {value}")
            values[key] = value
        return values

    def attach(self, run: ToxicRun) -> None:
        """Called when this toxic starts applying to one stream of one connection."""

    async def pipe(self, chunk: Chunk, run: ToxicRun, emit: Emit) -> None:
        """Pass ``chunk`` on; the default toxic changes nothing."""
        await emit(chunk)


class ToxicRun:
    """One toxic applied to one stream of one connection.

    Holds the per-connection random source (seeded by proxy, toxic and
    connection index), whether the toxic is active for this connection (its
    ``toxicity`` roll), per-connection state, and the ``removed`` signal that
    interrupts every wait when the toxic is deleted or updated.
    """

    __slots__ = ("active", "connection", "name", "removed", "rng", "state", "tasks", "toxic")

    def __init__(
        self,
        name: str,
        toxic: Toxic,
        connection: ConnectionControl,
        rng: random.Random,
        toxicity: float,
    ) -> None:
        self.name = name
        self.toxic = toxic
        self.connection = connection
        self.rng = rng
        self.active = toxicity >= 1.0 or rng.random() < toxicity
        self.removed = asyncio.Event()
        self.state: dict[str, Any] = {}
        self.tasks: set[asyncio.Task[None]] = set()

    def start(self) -> None:
        """Let the toxic set up timers for this connection (only when active)."""
        if self.active:
            self.toxic.attach(self)

    def spawn(self, coro: Awaitable[None]) -> None:
        """Run a background job (a timer) that dies with this run."""
        task = asyncio.ensure_future(coro)
        self.tasks.add(task)
        task.add_done_callback(self.tasks.discard)

    def stop(self) -> None:
        """The toxic was removed: wake every waiter, cancel timers."""
        self.removed.set()
        for task in list(self.tasks):
            task.cancel()

    async def sleep(self, seconds: float) -> bool:
        """Sleep unless the toxic is removed first; True when the full time passed."""
        return await self.sleep_until(asyncio.get_running_loop().time() + seconds)

    async def _wait_removed(self, seconds: float) -> bool:
        try:
            await asyncio.wait_for(self.removed.wait(), seconds)
        except TimeoutError:
            return True
        return False

    async def sleep_until(self, when: float) -> bool:
        """Sleep until loop time ``when`` unless removed first; never wakes early.

        libuv timers (uvloop) have millisecond resolution and can fire a fraction of a
        millisecond before the deadline, which would make a 150 ms latency 149.9 ms.
        """
        loop = asyncio.get_running_loop()
        while True:
            remaining = when - loop.time()
            if remaining <= 0:
                return not self.removed.is_set()
            if not await self._wait_removed(remaining):
                return False
