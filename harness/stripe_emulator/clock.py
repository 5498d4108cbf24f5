"""The emulator clock: unix seconds that move only when advanced, never with real time."""

from __future__ import annotations

import time

#: The longest one advance may be: Stripe's test clocks refuse more than two years ahead
#: (less with subscriptions: two of the shortest interval), and each renewal in the span
#: is an invoice and events the emulator must make and keep.
MAX_ADVANCE_SECONDS = 2 * 366 * 86400
#: The last second the emulator's dates can represent (9999-12-31T23:59:59Z).
LATEST_TIME = 253_402_300_799


def advance_problem(now: int, seconds: int) -> str | None:
    """Why the clock cannot move ``seconds`` forward from ``now``, or None if it can."""
    if seconds < 0:
        return "the emulator clock only moves forward"
    if seconds > MAX_ADVANCE_SECONDS:
        return (
            f"cannot advance the clock by {seconds} s at once: at most {MAX_ADVANCE_SECONDS} s "
            "(two years), as Stripe's test clocks; advance in several steps"
        )
    if now + seconds > LATEST_TIME:
        return f"cannot advance the clock past the year 9999 (unix time {LATEST_TIME})"
    return None


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
        """Move the clock forward by ``seconds`` (see :func:`advance_problem`); returns the new
        time. ValueError beyond the bounds."""
        problem = advance_problem(self._now, int(seconds))
        if problem:
            raise ValueError(problem)
        self._now += int(seconds)
        return self._now

    def advance_to(self, when: int) -> int:
        """Move the clock forward to ``when`` if that lies ahead; returns the new time."""
        self._now = max(self._now, min(int(when), LATEST_TIME))
        return self._now

    def reset(self) -> None:
        """Back to the configured epoch (or to the wall clock now, when none was configured)."""
        self.epoch = int(time.time()) if self.configured_epoch is None else self.configured_epoch
        self._now = self.epoch
