"""A forced step's wait for its failpoint starts when its request leaves for the app.

A browser's page calls the app only once it has loaded; on a busy machine that can take
longer than the wait for the failpoint, and a race that held one of its two steps tested no
race ("not exercised"). Counted in polls of the failpoint, not in seconds.
"""

from __future__ import annotations

import threading

from paychaos.runner.actions import _held


class _Failpoint:
    """Hit on poll ``hit_at`` (never if None); the step's request leaves on poll ``sent_at``."""

    def __init__(self, sent: threading.Event, sent_at: int, hit_at: int | None):
        self.polls = 0
        self.sent, self.sent_at, self.hit_at = sent, sent_at, hit_at

    def wait_until_hit(self, name: str, count: int, timeout: float) -> None:
        self.polls += 1
        if self.polls == self.sent_at:
            self.sent.set()
        if self.hit_at is not None and self.polls >= self.hit_at:
            return
        raise TimeoutError


def _alive() -> threading.Thread:
    thread = threading.Thread(target=threading.Event().wait, args=(5,), daemon=True)
    thread.start()
    return thread


def test_a_page_still_loading_is_waited_for_however_long_it_takes():
    # No time at all is left after the send: only the poll that saw the send can still hit.
    sent = threading.Event()
    fp = _Failpoint(sent, sent_at=200, hit_at=200)
    assert _held(fp, "fulfil.before_insert", 1, _alive(), sent, timeout=0.0) is True
    assert fp.polls == 200  # the 199 polls before the page's call left did not count


def test_after_the_send_the_wait_is_bounded():
    sent = threading.Event()
    fp = _Failpoint(sent, sent_at=3, hit_at=None)
    assert _held(fp, "fulfil.before_insert", 1, _alive(), sent, timeout=0.0) is False
    assert fp.polls == 3


def test_a_step_that_ended_without_reaching_the_failpoint_is_not_waited_for():
    sent = threading.Event()
    done = threading.Thread(target=lambda: None)
    done.start()
    done.join()
    fp = _Failpoint(sent, sent_at=10**9, hit_at=None)
    assert _held(fp, "fulfil.before_insert", 1, done, sent) is False
    assert fp.polls == 1
