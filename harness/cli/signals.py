"""SIGTERM (what CI systems send on cancel) and SIGHUP (a closed terminal) stop a command
the way Ctrl-C does: the ``with`` blocks unwind, every service, proxy, app server and
temporary folder the command started is stopped and removed, and the command exits with
128 + the signal's number, without a traceback.
"""

from __future__ import annotations

import signal
import threading
from types import FrameType

#: The signals that stop a command cleanly, besides SIGINT (Ctrl-C, Python's own).
STOP_SIGNALS = (signal.SIGTERM, signal.SIGHUP)


class Stopped(KeyboardInterrupt):
    """Raised in the main thread when a stop signal arrives; unwinds like Ctrl-C."""

    def __init__(self, signum: int) -> None:
        super().__init__(signal.Signals(signum).name)
        self.signum = signum


_received: int | None = None


def _on_stop_signal(signum: int, frame: FrameType | None) -> None:
    global _received
    if _received is not None:
        return  # already unwinding: a second SIGTERM must not cut the cleanup short
    _received = signum
    raise Stopped(signum)


def received() -> int | None:
    """The stop signal that arrived (SIGTERM or SIGHUP), or None."""
    return _received


def install() -> None:
    """Make SIGTERM and SIGHUP raise :class:`Stopped` in the main thread (once per process)."""
    if threading.current_thread() is not threading.main_thread():
        return
    for sig in STOP_SIGNALS:
        # A signal ignored by whoever started us (``nohup`` for SIGHUP) stays ignored.
        if signal.getsignal(sig) is not signal.SIG_IGN:
            signal.signal(sig, _on_stop_signal)


def stopped_by() -> tuple[int, str]:
    """After an interrupted command: (exit code 128 + signal number, the signal's name)."""
    if _received is not None:
        return 128 + _received, signal.Signals(_received).name
    return 128 + int(signal.SIGINT), "SIGINT (Ctrl-C)"
