"""The history: every client op, nemesis op and emulator delivery of a run, as events.

A run appends events here and nowhere else; checkers read it back. The shape
follows Jepsen's: each operation is an ``invoke`` followed by one completion,
``ok`` (it happened), ``fail`` (it certainly did not) or ``info`` (unknown
outcome: a timeout, a dropped connection). Unknown outcomes are recorded as
such, never guessed.

>>> history = History()
>>> op = history.invoke("customer:c1", "validate", {"session": "cs_1"})
>>> op.ok({"told": "success"})
>>> [e.type for e in history]
['invoke', 'ok']
"""

from __future__ import annotations

import json
import threading
import time
from collections.abc import Iterator, Sequence
from dataclasses import asdict, dataclass, field
from pathlib import Path
from typing import Any, Literal

EventType = Literal["invoke", "ok", "fail", "info"]
EVENT_TYPES: tuple[str, ...] = ("invoke", "ok", "fail", "info")


@dataclass(frozen=True)
class Event:
    """One line of the history.

    ``index`` is the position in the history; ``op`` pairs an invoke with its
    completion (both carry the same ``op``); ``time`` is monotonic seconds
    since the history began.
    """

    index: int
    op: int
    process: str
    type: EventType
    name: str
    value: dict[str, Any]
    time: float

    def to_json(self) -> str:
        return json.dumps(asdict(self), sort_keys=True, default=str)

    @classmethod
    def from_dict(cls, raw: dict[str, Any]) -> Event:
        if raw.get("type") not in EVENT_TYPES:
            raise ValueError(f"history event has unknown type {raw.get('type')!r}")
        return cls(
            index=int(raw["index"]),
            op=int(raw["op"]),
            process=str(raw["process"]),
            type=raw["type"],
            name=str(raw["name"]),
            value=dict(raw.get("value") or {}),
            time=float(raw["time"]),
        )


@dataclass
class PendingOp:
    """An invoked operation waiting for its completion; complete it exactly once."""

    history: History
    op: int
    process: str
    name: str
    value: dict[str, Any]
    _done: bool = field(default=False, repr=False)

    def _complete(self, kind: EventType, value: dict[str, Any] | None) -> Event:
        if self._done:
            raise RuntimeError(f"operation {self.name!r} #{self.op} completed twice")
        self._done = True
        return self.history._append(self.op, self.process, kind, self.name, value or {})

    def ok(self, value: dict[str, Any] | None = None) -> Event:
        """The operation happened, with this result."""
        return self._complete("ok", value)

    def fail(self, value: dict[str, Any] | None = None) -> Event:
        """The operation certainly did not take effect."""
        return self._complete("fail", value)

    def info(self, value: dict[str, Any] | None = None) -> Event:
        """The outcome is unknown (timeout, connection lost mid-request)."""
        return self._complete("info", value)


class History:
    """An append-only, thread-safe list of events, optionally mirrored to a JSON-lines file."""

    def __init__(self, path: Path | None = None) -> None:
        self._events: list[Event] = []
        self._lock = threading.Lock()
        self._next_op = 0
        self._t0 = time.monotonic()
        self._file = path.open("w", encoding="utf-8") if path else None
        self.path = path

    def _append(
        self, op: int, process: str, kind: EventType, name: str, value: dict[str, Any]
    ) -> Event:
        with self._lock:
            event = Event(
                index=len(self._events),
                op=op,
                process=process,
                type=kind,
                name=name,
                value=value,
                time=round(time.monotonic() - self._t0, 6),
            )
            self._events.append(event)
            if self._file:
                self._file.write(event.to_json() + "\n")
            return event

    def invoke(self, process: str, name: str, value: dict[str, Any] | None = None) -> PendingOp:
        """Record the start of an operation; complete the returned handle with ok/fail/info."""
        with self._lock:
            op = self._next_op
            self._next_op += 1
        value = value or {}
        self._append(op, process, "invoke", name, value)
        return PendingOp(self, op, process, name, value)

    def record(
        self, process: str, name: str, value: dict[str, Any] | None = None, kind: EventType = "ok"
    ) -> Event:
        """Record an instantaneous operation (invoke and completion at once)."""
        pending = self.invoke(process, name, value)
        return pending._complete(kind, value)

    def close(self) -> None:
        if self._file:
            self._file.close()
            self._file = None

    def __iter__(self) -> Iterator[Event]:
        return iter(list(self._events))

    def __len__(self) -> int:
        return len(self._events)

    def events(self) -> list[Event]:
        return list(self._events)


def completions(events: Sequence[Event], name: str | None = None) -> list[Event]:
    """The completion events (ok/fail/info), optionally only those of one operation name."""
    return [e for e in events if e.type != "invoke" and (name is None or e.name == name)]


def load_history(path: Path) -> list[Event]:
    """Read a history written as JSON lines; a malformed line names its line number."""
    events = []
    for lineno, line in enumerate(path.read_text(encoding="utf-8").splitlines(), 1):
        if not line.strip():
            continue
        try:
            events.append(Event.from_dict(json.loads(line)))
        except (ValueError, KeyError, TypeError) as exc:
            raise ValueError(f"{path}:{lineno}: not a history event ({exc})") from exc
    return events
