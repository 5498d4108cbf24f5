"""Shadow validation: every API request the emulator answers is also sent to a stripe-mock.

stripe-mock checks requests against Stripe's published OpenAPI description, so a
request it refuses that the emulator took (or the other way round) is a place
where the emulator's idea of "what Stripe accepts" is wrong. Turned on by
``PAYCHAOS_STRIPE_MOCK_URL`` (or ``StripeEmulator(shadow_url=...)``); when off,
nothing here runs.

The emulator's event loop only queues a copy of each request; a worker thread
sends it on and compares, so the emulator's answers and their timing do not
depend on stripe-mock. The comparison is about validation only: stripe-mock
keeps no state, so the emulator's answers that depend on its objects (no such
price, an idempotency conflict, a declined card) are not compared.
"""

from __future__ import annotations

import http.client
import json
import threading
import time
from collections import deque
from dataclasses import dataclass
from typing import Any
from urllib.parse import urlsplit

from paychaos.errors import ConfigError
from paychaos.stripe_emulator.http_server import HttpRequest, HttpResponse

SHADOW_URL_ENV = "PAYCHAOS_STRIPE_MOCK_URL"
MAX_KEPT = 500  # disagreements kept in full; all are counted
# Emulator errors that come from its state, which stripe-mock does not have.
STATEFUL_STATUSES = (402, 409, 429)
STATEFUL_CODES = frozenset(
    {
        "resource_missing",
        "resource_already_exists",
        "idempotency_key_in_use",
        "idempotency_error",
    }
)
# Not forwarded: they belong to the connection, or (the idempotency key) would make
# stripe-mock answer a replay instead of validating.
DROPPED_HEADERS = frozenset(
    {"host", "content-length", "connection", "idempotency-key", "transfer-encoding"}
)


@dataclass(frozen=True, slots=True)
class _Observed:
    request_id: str
    method: str
    target: str
    headers: dict[str, str]
    body: bytes
    status: int | None  # None: an API fault answered, after the parameters passed
    answer: bytes


def parse_shadow_url(url: str) -> tuple[str, int]:
    """``(host, port)`` of an ``http://host:port`` stripe-mock URL; a ConfigError otherwise."""
    parts = urlsplit(url)
    if parts.scheme != "http" or not parts.hostname:
        raise ConfigError(
            f"{SHADOW_URL_ENV}={url!r} is not an http://host:port URL",
            hint="stripe-mock's plain HTTP port, e.g. http://127.0.0.1:12111",
        )
    try:
        port = parts.port or 80
    except ValueError:
        raise ConfigError(f"{SHADOW_URL_ENV}={url!r} has a bad port", hint="e.g. 12111") from None
    return parts.hostname, port


def _error_field(body: bytes, name: str) -> str | None:
    """``error[name]`` of a Stripe error envelope, or None."""
    try:
        error = json.loads(body).get("error")
    except (ValueError, AttributeError):
        return None
    value = error.get(name) if isinstance(error, dict) else None
    return value if isinstance(value, str) else None


def emulator_verdict(status: int | None, answer: bytes) -> str | None:
    """``accepted``, ``rejected`` or None (an answer about state, not about the request)."""
    if status is None or 200 <= status < 300:
        return "accepted"
    if 400 <= status < 500 and status not in STATEFUL_STATUSES:
        return None if _error_field(answer, "code") in STATEFUL_CODES else "rejected"
    return None


class ShadowValidator:
    """Sends copies of API requests to stripe-mock and keeps where the two disagree."""

    def __init__(self, url: str, timeout: float = 10.0) -> None:
        self.url = url.rstrip("/")
        self.host, self.port = parse_shadow_url(self.url)
        self.timeout = timeout
        self._cond = threading.Condition()
        self._queue: deque[_Observed] = deque()
        self._pending = 0
        self._closed = False
        self._connection: http.client.HTTPConnection | None = None
        self.sent = 0
        self.compared = 0
        self.unreachable = 0
        self.last_error: str | None = None
        self.disagreement_count = 0
        self.disagreements: list[dict[str, Any]] = []
        self._thread = threading.Thread(target=self._work, name="paychaos-shadow", daemon=True)
        self._thread.start()

    # -- the emulator's side (its event loop thread) --------------------------------------

    def observe(self, request: HttpRequest, request_id: str, response: Any) -> None:
        """Queue a copy of ``request`` and the emulator's answer (None: an API fault's)."""
        status, answer = None, b""
        if isinstance(response, HttpResponse):
            status, answer = response.status, response.body
        item = _Observed(
            request_id,
            request.method,
            request.target,
            request.headers,
            request.body,
            status,
            answer,
        )
        with self._cond:
            self._queue.append(item)
            self._pending += 1
            self._cond.notify()

    # -- the worker -------------------------------------------------------------------------

    def _work(self) -> None:
        while True:
            with self._cond:
                while not self._queue and not self._closed:
                    self._cond.wait()
                if not self._queue:
                    return
                item = self._queue.popleft()
            try:
                self._check(item)
            finally:
                with self._cond:
                    self._pending -= 1
                    self._cond.notify_all()

    def _send(self, item: _Observed) -> tuple[int, bytes]:
        headers = {k: v for k, v in item.headers.items() if k not in DROPPED_HEADERS}
        body = item.body if item.method == "POST" else None
        try:
            return self._request(item.method, item.target, body, headers)
        except (OSError, http.client.HTTPException):
            # stripe-mock may have closed the kept-alive connection: one try on a new one.
            return self._request(item.method, item.target, body, headers)

    def _request(
        self, method: str, target: str, body: bytes | None, headers: dict[str, str]
    ) -> tuple[int, bytes]:
        if self._connection is None:
            self._connection = http.client.HTTPConnection(
                self.host, self.port, timeout=self.timeout
            )
        try:
            self._connection.request(method, target, body=body, headers=headers)
            response = self._connection.getresponse()
            return response.status, response.read()
        except (OSError, http.client.HTTPException):
            self._connection.close()
            self._connection = None
            raise

    def _check(self, item: _Observed) -> None:
        try:
            mock_status, mock_answer = self._send(item)
        except (OSError, http.client.HTTPException) as exc:
            with self._cond:
                self.unreachable += 1
                self.last_error = f"{type(exc).__name__}: {exc}"
            return
        mine = emulator_verdict(item.status, item.answer)
        theirs = (
            "accepted"
            if 200 <= mock_status < 300
            else "rejected"
            if 400 <= mock_status < 500
            else None
        )
        with self._cond:
            self.sent += 1
            if mine is None or theirs is None:
                return
            self.compared += 1
            if mine == theirs:
                return
            self.disagreement_count += 1
            if len(self.disagreements) < MAX_KEPT:
                self.disagreements.append(self._describe(item, mine, mock_status, mock_answer))

    @staticmethod
    def _describe(
        item: _Observed, mine: str, mock_status: int, mock_answer: bytes
    ) -> dict[str, Any]:
        return {
            "kind": "emulator_rejected" if mine == "rejected" else "stripe_mock_rejected",
            "request_id": item.request_id,
            "method": item.method,
            "path": item.target,
            "body": item.body.decode("utf-8", "replace")[:2000],
            "emulator": {
                "status": item.status,
                "message": _error_field(item.answer, "message")
                if item.status is not None
                else None,
                "fault": item.status is None,
            },
            "stripe_mock": {"status": mock_status, "message": _error_field(mock_answer, "message")},
        }

    # -- reading the results ----------------------------------------------------------------

    def wait_idle(self, timeout: float) -> bool:
        """Wait until every queued request was checked; False if ``timeout`` passed first."""
        deadline = time.monotonic() + timeout
        with self._cond:
            while self._pending:
                left = deadline - time.monotonic()
                if left <= 0:
                    return False
                self._cond.wait(left)
        return True

    def report(self) -> dict[str, Any]:
        """Counts and the kept disagreements, oldest first."""
        with self._cond:
            return {
                "enabled": True,
                "url": self.url,
                "sent": self.sent,
                "compared": self.compared,
                "unreachable": self.unreachable,
                "pending": self._pending,
                "last_error": self.last_error,
                "disagreement_count": self.disagreement_count,
                "disagreements": list(self.disagreements),
            }

    def clear(self) -> None:
        """Forget the counts and disagreements so far (requests still queued are kept)."""
        with self._cond:
            self.sent = self.compared = self.unreachable = self.disagreement_count = 0
            self.last_error = None
            self.disagreements = []

    def close(self) -> None:
        """Check what is queued, then stop the worker."""
        with self._cond:
            self._closed = True
            self._cond.notify_all()
        self._thread.join(self.timeout + 5)
        if self._connection is not None:
            self._connection.close()


DISABLED_REPORT: dict[str, Any] = {
    "enabled": False,
    "url": None,
    "sent": 0,
    "compared": 0,
    "unreachable": 0,
    "pending": 0,
    "last_error": None,
    "disagreement_count": 0,
    "disagreements": [],
}


def summary_lines(report: dict[str, Any], limit: int = 10) -> list[str]:
    """A short human report of ``report`` (what ``GET /_paychaos/shadow`` answers)."""
    if not report.get("enabled"):
        return []
    count = report["disagreement_count"]
    lines = [
        f"stripe-mock shadow ({report['url']}): {report['sent']} requests sent, "
        f"{report['compared']} compared, {count} disagreement{'s' if count != 1 else ''}"
        + (f", {report['unreachable']} not reached" if report["unreachable"] else "")
        + (f", {report['pending']} still queued" if report["pending"] else "")
    ]
    if report["unreachable"] and report["last_error"]:
        lines.append(f"  last error reaching stripe-mock: {report['last_error']}")
    for d in report["disagreements"][:limit]:
        who = "emulator refused" if d["kind"] == "emulator_rejected" else "stripe-mock refused"
        side = d["emulator"] if d["kind"] == "emulator_rejected" else d["stripe_mock"]
        lines.append(f"  {who} {d['method']} {d['path']} ({side['status']}): {side['message']}")
    if count > limit:
        lines.append(f"  ... and {count - limit} more (GET /_paychaos/shadow)")
    return lines
