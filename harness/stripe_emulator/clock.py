"""The emulator clock: unix seconds that move only when advanced, never with real time."""

from __future__ import annotations

import time


class EmulatorClock:
    """Unix time as the emulator sees it.

    It starts at ``epoch`` (default: the wall clock when the emulator starts, so
    signatures it makes pass ``stripe.Webhook.construct_event``'s freshness
    check) and changes only through :meth:`advance`.

    >>> clock = EmulatorClock(epoch=1_800_000_000)
    >>> clock.advance(60)
    1800000060
    """

    def __init__(self, epoch: int | None = None) -> None:
        self.configured_epoch = epoch
        self.epoch = int(time.time()) if epoch is None else int(epoch)
        self._now = self.epoch

    def now(self) -> int:
        """Current emulator time in unix seconds."""
        return self._now

    def advance(self, seconds: int) -> int:
        """Move the clock forward by ``seconds`` (>= 0); returns the new time."""
        if seconds < 0:
            raise ValueError("the emulator clock only moves forward")
        self._now += int(seconds)
        return self._now

    def advance_to(self, when: int) -> int:
        """Move the clock forward to ``when`` if that lies ahead; returns the new time."""
        self._now = max(self._now, int(when))
        return self._now

    def reset(self) -> None:
        """Back to the configured epoch (or to the wall clock now, when none was configured)."""
        self.epoch = int(time.time()) if self.configured_epoch is None else self.configured_epoch
        self._now = self.epoch
