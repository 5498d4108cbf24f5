"""A fault switched on or off, as the history records it."""

from __future__ import annotations

from collections.abc import Callable, Mapping
from dataclasses import dataclass, field
from typing import Any, Literal

Phase = Literal["on", "off"]


@dataclass(frozen=True)
class NemesisOp:
    """One network fault turned on or off at ``time`` (``time.monotonic()``).

    ``target`` is the proxy name ("redis"), ``fault`` the fault name
    ("down", "latency", "blackhole", ...), ``params`` its settings.
    """

    target: str
    fault: str
    params: Mapping[str, Any] = field(default_factory=dict)
    phase: Phase = "on"
    time: float = 0.0

    def to_dict(self) -> dict[str, Any]:
        """Plain JSON-ready form."""
        return {
            "target": self.target,
            "fault": self.fault,
            "params": dict(self.params),
            "phase": self.phase,
            "time": self.time,
        }


Recorder = Callable[[NemesisOp], None]
