"""Failpoints: named places in app code where the harness can inject a failure at run time.

In the app (this module needs only the standard library)::

    from paychaos.failpoints import failpoint

    def fulfill(session):
        failpoint("fulfill.before_insert")   # nothing happens unless the harness set it
        Subscription.objects.create(...)

Actions, in the style of fail-rs and gofail: terms joined by ``->``, each
``[count*]task[(argument)]``, used in order; a term without a count lasts
forever; when every term is used up the failpoint does nothing.

==============================================  ===========================================
``off``                                         do nothing (hits are still counted)
``sleep(50)``                                   sleep 50 ms
``raise(builtins.RuntimeError)``                raise that exception class (by import path)
``raise(redis.exceptions.ConnectionError, m)``  ... with message ``m``
``pause`` / ``pause(30000)``                    block until released (safety timeout in ms)
``crash`` / ``crash(3)``                        ``os._exit(3)`` (default status 1)
``1*raise(builtins.RuntimeError)->off``         raise once, then nothing
``2*sleep(50)->pause``                          sleep on the first two hits, pause after
==============================================  ===========================================

Cost: with nothing set ``failpoint()`` is one lookup in an empty module-level
dict (a few tens of nanoseconds, see ``bench/bench_failpoints.py``).

Pausing: sync code (Django sync views run in a worker thread under ASGI)
blocks its thread. Code on an event loop must ``await afailpoint(name)``
instead: a sync ``failpoint()`` that would pause on the event loop thread
raises ``FailpointError`` rather than freezing the whole server (and the
control endpoint with it).

Control over HTTP, for the harness: mount ``failpoint_urlpatterns()`` (Django)
or wrap the ASGI app with ``with_failpoint_control(app)``. Both do nothing
unless ``PAYCHAOS_FAILPOINTS=1``; then requests must come from loopback and
carry ``Authorization: Bearer $PAYCHAOS_FAILPOINTS_TOKEN``. The harness
drives it with ``FailpointClient``. Failpoints are per process: run the app
with one worker.
"""

from __future__ import annotations

import asyncio
import hmac
import http.client
import importlib
import ipaddress
import json
import os
import re
import secrets
import sys
import threading
import time
import urllib.error
import urllib.parse
import urllib.request
from collections import deque
from collections.abc import Awaitable, Callable, Mapping
from dataclasses import dataclass
from typing import Any

try:  # Inside paychaos, errors are PaychaosErrors (the CLI prints them without a traceback).
    from paychaos.errors import PaychaosError as _ErrorBase
    from paychaos.net import bearer_token_matches
except ImportError:  # pragma: no cover - failpoints.py copied into an app on its own

    def bearer_token_matches(authorization: str | None, expected: str) -> bool:
        given = (authorization or "").strip()
        ok = bool(expected) and given.lower().startswith("bearer ")
        return ok and hmac.compare_digest(given[7:].strip().encode(), expected.encode())

    class _ErrorBase(Exception):  # type: ignore[no-redef]
        def __init__(self, what: str, *, hint: str | None = None) -> None:
            super().__init__(what)
            self.what = what
            self.hint = hint


__all__ = [
    "ENABLE_ENV",
    "TOKEN_ENV",
    "URL_PREFIX",
    "FailpointActionError",
    "FailpointClient",
    "FailpointError",
    "afailpoint",
    "clear_all_failpoints",
    "clear_failpoint",
    "django_urlpatterns",
    "failpoint",
    "failpoint_control_env",
    "failpoint_hits",
    "failpoint_urlpatterns",
    "failpoint_view",
    "handle_control_request",
    "list_failpoints",
    "new_failpoint_token",
    "parse_action",
    "release_failpoint",
    "set_failpoint",
    "wait_until_hit",
    "with_failpoint_control",
]

ENABLE_ENV = "PAYCHAOS_FAILPOINTS"
TOKEN_ENV = "PAYCHAOS_FAILPOINTS_TOKEN"
URL_PREFIX = "/__failpoints/"
DEFAULT_PAUSE_TIMEOUT_MS = 60_000
MAX_WAIT_SECONDS = 120.0
_NAME = re.compile(r"^[A-Za-z0-9_.:\-]{1,200}$")
_TERM = re.compile(r"^\s*(?:(\d+)\s*\*\s*)?([A-Za-z_]+)\s*(?:\((.*)\))?\s*$", re.DOTALL)
_TASKS = "off, sleep(ms), raise(module.Class[, message]), pause[(timeout_ms)], crash[(exit_code)]"


class FailpointError(_ErrorBase):
    """A failpoint was misused or the control endpoint refused a request."""

    #: True when the app answered (with an error status); False when it could not be reached
    #: or dropped the connection (then its failpoints are in an unknown state).
    answered = False


class FailpointActionError(FailpointError, ValueError):
    """An action string is malformed (the control endpoint answers 400 with this message)."""


# -- actions -----------------------------------------------------------------


@dataclass(frozen=True)
class Term:
    """One step of an action: ``task`` with its argument, for ``count`` hits (None: forever)."""

    task: str
    count: int | None = None
    sleep_ms: float = 0.0
    exception: type[BaseException] | None = None
    message: str = ""
    timeout_ms: float = DEFAULT_PAUSE_TIMEOUT_MS
    exit_code: int = 1


def _bad(text: str, problem: str) -> FailpointActionError:
    return FailpointActionError(
        f"malformed failpoint action {text!r}: {problem}",
        hint=f"tasks: {_TASKS}; optional count 'N*', terms joined by '->'",
    )


def _number(text: str, term: str, what: str) -> float:
    try:
        value = float(term)
    except ValueError:
        raise _bad(text, f"{what} must be a number, got {term!r}") from None
    if value < 0:
        raise _bad(text, f"{what} must not be negative, got {term!r}")
    return value


def _exception_class(text: str, path: str) -> type[BaseException]:
    module_name, _, attr = path.rpartition(".")
    if not module_name or not attr:
        raise _bad(text, f"exception {path!r} must be an import path like builtins.RuntimeError")
    try:
        cls = getattr(importlib.import_module(module_name), attr)
    except (ImportError, AttributeError) as exc:
        raise _bad(text, f"cannot import exception {path!r}: {exc}") from None
    if not (isinstance(cls, type) and issubclass(cls, BaseException)):
        raise _bad(text, f"{path!r} is not an exception class")
    return cls


def _parse_term(text: str, raw: str) -> Term:
    if "%" in raw:
        raise _bad(text, "probabilities (N%) are not supported, runs must replay; use counts (N*)")
    match = _TERM.match(raw)
    if not match:
        raise _bad(text, f"cannot read term {raw.strip()!r}; expected [count*]task[(argument)]")
    count_text, task, argument = match.groups()
    count = int(count_text) if count_text is not None else None
    task = task.lower()
    arg = (argument or "").strip()
    if task == "off":
        if arg:
            raise _bad(text, "off takes no argument")
        return Term("off", count)
    if task == "sleep":
        if not arg:
            raise _bad(text, "sleep needs milliseconds, e.g. sleep(50)")
        return Term("sleep", count, sleep_ms=_number(text, arg, "sleep milliseconds"))
    if task == "raise":
        if not arg:
            raise _bad(text, "raise needs an exception path, e.g. raise(builtins.RuntimeError)")
        path, _, message = arg.partition(",")
        message = message.strip()
        if len(message) >= 2 and message[0] == message[-1] and message[0] in "'\"":
            message = message[1:-1]
        return Term("raise", count, exception=_exception_class(text, path.strip()), message=message)
    if task == "pause":
        timeout = _number(text, arg, "pause timeout") if arg else DEFAULT_PAUSE_TIMEOUT_MS
        return Term("pause", count, timeout_ms=timeout)
    if task == "crash":
        code = int(_number(text, arg, "exit code")) if arg else 1
        if code > 255:
            raise _bad(text, f"exit code must be 0..255, got {code}")
        return Term("crash", count, exit_code=code)
    raise _bad(text, f"unknown task {task!r}; expected one of {_TASKS}")


def parse_action(text: str) -> tuple[Term, ...]:
    """Parse an action string into its terms; ``FailpointActionError`` says what is wrong.

    >>> parse_action("1*raise(builtins.RuntimeError, boom)->off")[0].count
    1
    """
    if not isinstance(text, str) or not text.strip():
        raise _bad(str(text), "empty action; use 'off' to count hits without acting")
    return tuple(_parse_term(text, part) for part in text.split("->"))


# -- the registry ------------------------------------------------------------


class _Waiter:
    """One caller held at a pause; released from another thread (or by its timeout)."""

    __slots__ = ("_future", "_loop", "event")

    def __init__(self) -> None:
        self.event = threading.Event()
        self._loop: asyncio.AbstractEventLoop | None = None
        self._future: asyncio.Future[None] | None = None

    def release(self) -> None:
        self.event.set()
        loop, future = self._loop, self._future
        if loop is not None and future is not None:
            loop.call_soon_threadsafe(_resolve, future)


def _resolve(future: asyncio.Future[None]) -> None:
    if not future.done():
        future.set_result(None)


class _Failpoint:
    """A set failpoint: its terms, how many hits each has left, hits, paused callers."""

    __slots__ = ("action", "hits", "left", "name", "terms", "waiters")

    def __init__(self, name: str, action: str, terms: tuple[Term, ...]) -> None:
        self.name = name
        self.action = action
        self.terms = terms
        self.left = [t.count for t in terms]
        self.hits = 0
        self.waiters: deque[_Waiter] = deque()

    def enter(self) -> tuple[Term | None, _Waiter | None]:
        """Count a hit and pick the term that applies (under the lock)."""
        with _CHANGED:
            self.hits += 1
            term = None
            for index, left in enumerate(self.left):
                if left is None:
                    term = self.terms[index]
                    break
                if left > 0:
                    self.left[index] = left - 1
                    term = self.terms[index]
                    break
            waiter = None
            if term is not None and term.task == "pause":
                waiter = _Waiter()
                self.waiters.append(waiter)
            if _WATCHERS:  # waking nobody still costs; only notify when someone waits
                _CHANGED.notify_all()
        return term, waiter

    def leave(self, waiter: _Waiter) -> None:
        """A paused caller gave up waiting (safety timeout)."""
        with _CHANGED:
            if waiter in self.waiters:
                self.waiters.remove(waiter)
                sys.stderr.write(f"failpoint {self.name}: pause timed out, continuing\n")
            _CHANGED.notify_all()

    def describe(self) -> dict[str, Any]:
        return {
            "name": self.name,
            "action": self.action,
            "hits": self.hits,
            "paused": len(self.waiters),
        }


# Empty unless something is set, so the common case is one failed dict lookup.
_ACTIVE: dict[str, _Failpoint] = {}
_CHANGED = threading.Condition(threading.Lock())
# Threads inside wait_until_hit (guarded by _CHANGED); hits notify only when it is non-zero.
_WATCHERS = 0


def failpoint(name: str) -> None:
    """Run the action set for ``name``, if any (sync code).

    >>> failpoint("fulfill.before_insert")   # a no-op until the harness sets it
    """
    point = _ACTIVE.get(name)
    if point is None:
        return
    term, waiter = point.enter()
    if term is None or term.task == "off":
        return
    if term.task == "pause":
        assert waiter is not None
        try:
            asyncio.get_running_loop()
        except RuntimeError:
            pass
        else:
            point.leave(waiter)
            raise FailpointError(
                f"failpoint {name!r} would pause the event loop thread",
                hint=f"call `await afailpoint({name!r})` in async code",
            )
        if not waiter.event.wait(term.timeout_ms / 1000.0):
            point.leave(waiter)
        return
    _act(name, term)


async def afailpoint(name: str) -> None:
    """Run the action set for ``name``, if any, without blocking the event loop (async code)."""
    point = _ACTIVE.get(name)
    if point is None:
        return
    term, waiter = point.enter()
    if term is None or term.task == "off":
        return
    if term.task == "sleep":
        await asyncio.sleep(term.sleep_ms / 1000.0)
        return
    if term.task == "pause":
        assert waiter is not None
        loop = asyncio.get_running_loop()
        future: asyncio.Future[None] = loop.create_future()
        waiter._loop, waiter._future = loop, future
        if waiter.event.is_set():  # released before the future existed
            return
        try:
            await asyncio.wait_for(future, term.timeout_ms / 1000.0)
        except TimeoutError:
            point.leave(waiter)
        return
    _act(name, term)


def _act(name: str, term: Term) -> None:
    if term.task == "sleep":
        time.sleep(term.sleep_ms / 1000.0)
    elif term.task == "raise":
        assert term.exception is not None
        raise term.exception(term.message or f"failpoint {name}")
    elif term.task == "crash":
        os.write(2, f"failpoint {name}: crash, exit status {term.exit_code}\n".encode())
        os._exit(term.exit_code)


def _check_name(name: str) -> None:
    if not isinstance(name, str) or not _NAME.match(name):
        raise FailpointActionError(
            f"bad failpoint name {name!r}",
            hint="use letters, digits and . _ : - (at most 200 characters)",
        )


def set_failpoint(name: str, action: str) -> None:
    """Set ``name`` to ``action`` (hits restart at 0; callers paused by the old action go on)."""
    _check_name(name)
    point = _Failpoint(name, action.strip(), parse_action(action))
    with _CHANGED:
        old = _ACTIVE.get(name)
        _ACTIVE[name] = point
        if old is not None:
            _release(old, None)
        _CHANGED.notify_all()


def clear_failpoint(name: str) -> None:
    """Unset ``name``: it does nothing again and callers paused there go on."""
    with _CHANGED:
        point = _ACTIVE.pop(name, None)
        if point is not None:
            _release(point, None)
        _CHANGED.notify_all()


def clear_all_failpoints() -> int:
    """Unset every failpoint and release every paused caller; returns how many were set."""
    with _CHANGED:
        points = list(_ACTIVE.values())
        _ACTIVE.clear()
        for point in points:
            _release(point, None)
        _CHANGED.notify_all()
    return len(points)


def _release(point: _Failpoint, count: int | None) -> int:
    released = 0
    while point.waiters and (count is None or released < count):
        point.waiters.popleft().release()
        released += 1
    return released


def release_failpoint(name: str, count: int | None = None) -> int:
    """Let ``count`` paused callers of ``name`` go on, first come first served (None: all).

    Returns how many were released; later callers still pause while the action says so.
    """
    with _CHANGED:
        point = _ACTIVE.get(name)
        released = _release(point, count) if point is not None else 0
        _CHANGED.notify_all()
    return released


def failpoint_hits(name: str) -> int:
    """How many times ``name`` was reached since it was set (0 when not set)."""
    point = _ACTIVE.get(name)
    return point.hits if point is not None else 0


def wait_until_hit(name: str, count: int = 1, timeout: float = 5.0) -> int:
    """Block until ``name`` has been reached ``count`` times; returns the hits.

    For a ``pause`` action, a hit is counted when the caller is already
    queued, so after this returns ``release_failpoint`` finds it.
    Raises ``TimeoutError`` when ``timeout`` seconds pass first.
    """
    global _WATCHERS
    deadline = time.monotonic() + timeout
    with _CHANGED:
        _WATCHERS += 1
        try:
            while True:
                hits = failpoint_hits(name)
                if hits >= count:
                    return hits
                remaining = deadline - time.monotonic()
                if remaining <= 0:
                    raise TimeoutError(
                        f"failpoint {name!r} reached {hits} time(s), not {count}, in {timeout} s"
                    )
                _CHANGED.wait(remaining)
        finally:
            _WATCHERS -= 1


def list_failpoints() -> dict[str, dict[str, Any]]:
    """Every set failpoint: ``{name: {name, action, hits, paused}}``."""
    with _CHANGED:
        return {name: point.describe() for name, point in _ACTIVE.items()}


# -- the control endpoint ----------------------------------------------------


def new_failpoint_token() -> str:
    """A fresh random token for ``PAYCHAOS_FAILPOINTS_TOKEN``."""
    return secrets.token_urlsafe(32)


def failpoint_control_env(token: str) -> dict[str, str]:
    """Environment variables that turn the control endpoint on in an app process."""
    return {ENABLE_ENV: "1", TOKEN_ENV: token}


def control_enabled(env: Mapping[str, str] | None = None) -> bool:
    """True when ``PAYCHAOS_FAILPOINTS=1``; FailpointError if the token is missing then."""
    env = os.environ if env is None else env
    if env.get(ENABLE_ENV, "") != "1":
        return False
    if not env.get(TOKEN_ENV):
        raise FailpointError(
            f"{ENABLE_ENV}=1 but {TOKEN_ENV} is empty",
            hint="the harness sets both; generate a token with new_failpoint_token()",
        )
    return True


def _is_loopback(host: str | None) -> bool:
    if not host:
        return False
    try:
        return ipaddress.ip_address(host.split("%")[0]).is_loopback
    except ValueError:
        return False


def handle_control_request(
    method: str,
    path: str,
    query: Mapping[str, str],
    body: bytes,
    client_host: str | None,
    authorization: str | None,
    env: Mapping[str, str] | None = None,
) -> tuple[int, dict[str, Any]]:
    """Answer one control request; ``path`` is what follows ``/__failpoints/``.

    Routes: ``GET /`` list; ``DELETE /`` clear all; ``GET /{name}`` state;
    ``PUT|POST /{name}`` set (body: the action, plain text or ``{"action": ...}``);
    ``DELETE /{name}`` clear; ``POST /{name}/release?count=N``;
    ``GET|POST /{name}/wait?count=N&timeout=S`` (blocks; 408 on timeout).
    """
    env = os.environ if env is None else env
    if not control_enabled(env):
        return 404, {"error": "failpoint control is off"}
    if not _is_loopback(client_host):
        return 403, {"error": "failpoint control accepts loopback clients only"}
    if not bearer_token_matches(authorization, env.get(TOKEN_ENV, "")):
        return 401, {"error": "missing or wrong failpoint token"}
    parts = [urllib.parse.unquote(p) for p in path.strip("/").split("/") if p]
    try:
        if not parts:
            if method == "GET":
                return 200, {"failpoints": list_failpoints()}
            if method == "DELETE":
                return 200, {"cleared": clear_all_failpoints()}
            return 405, {"error": f"method {method} not allowed"}
        name = parts[0]
        _check_name(name)
        if len(parts) == 1:
            if method == "GET":
                return 200, _state(name)
            if method in ("PUT", "POST"):
                set_failpoint(name, _action_from_body(body))
                return 200, _state(name)
            if method == "DELETE":
                clear_failpoint(name)
                return 200, _state(name)
            return 405, {"error": f"method {method} not allowed"}
        if parts[1:] == ["release"] and method == "POST":
            count = _int_query(query, "count")
            return 200, {"released": release_failpoint(name, count), **_state(name)}
        if parts[1:] == ["wait"] and method in ("GET", "POST"):
            count = _int_query(query, "count") or 1
            timeout = min(float(query.get("timeout", "5")), MAX_WAIT_SECONDS)
            try:
                wait_until_hit(name, count, timeout)
            except TimeoutError as exc:
                return 408, {"error": str(exc), **_state(name)}
            return 200, _state(name)
    except FailpointActionError as exc:
        return 400, {"error": exc.what, "hint": exc.hint}
    except ValueError as exc:
        return 400, {"error": f"bad request: {exc}"}
    return 404, {"error": f"no failpoint route {path!r}"}


def _state(name: str) -> dict[str, Any]:
    with _CHANGED:
        point = _ACTIVE.get(name)
        return point.describe() if point else {"name": name, "action": None, "hits": 0, "paused": 0}


def _int_query(query: Mapping[str, str], key: str) -> int | None:
    if key not in query or query[key] in ("", "all"):
        return None
    value = int(query[key])
    if value < 0:
        raise ValueError(f"{key} must not be negative")
    return value


def _action_from_body(body: bytes) -> str:
    text = body.decode("utf-8", "replace").strip()
    if text.startswith("{"):
        try:
            data = json.loads(text)
        except ValueError as exc:
            raise FailpointActionError(f"bad JSON body: {exc}") from None
        text = data.get("action", "") if isinstance(data, dict) else ""
    return text


ASGIApp = Callable[
    [
        dict[str, Any],
        Callable[[], Awaitable[dict[str, Any]]],
        Callable[[dict[str, Any]], Awaitable[None]],
    ],
    Awaitable[None],
]


def with_failpoint_control(app: ASGIApp | None = None, prefix: str = URL_PREFIX) -> ASGIApp:
    """Wrap an ASGI app so ``prefix`` serves failpoint control (when enabled).

    Disabled (``PAYCHAOS_FAILPOINTS`` unset) every request goes to ``app``
    unchanged. Without ``app`` other paths answer 404.
    """

    async def control_app(scope: dict[str, Any], receive: Any, send: Any) -> None:
        path = scope.get("path", "")
        if scope.get("type") != "http" or not path.startswith(prefix) or not control_enabled():
            if app is not None:
                await app(scope, receive, send)
                return
            if scope.get("type") == "lifespan":
                message = await receive()
                while message["type"] != "lifespan.shutdown":
                    await send({"type": message["type"] + ".complete"})
                    message = await receive()
                await send({"type": "lifespan.shutdown.complete"})
                return
            await _send_json(send, 404, {"error": "not found"})
            return
        body = b""
        while True:
            message = await receive()
            body += message.get("body", b"")
            if not message.get("more_body"):
                break
        headers = {
            k.decode("latin-1").lower(): v.decode("latin-1") for k, v in scope.get("headers", [])
        }
        query = dict(urllib.parse.parse_qsl(scope.get("query_string", b"").decode("latin-1")))
        client = scope.get("client") or (None, None)
        # A wait blocks, so answer from a worker thread and keep the loop free.
        status, payload = await asyncio.to_thread(
            handle_control_request,
            scope.get("method", "GET"),
            path[len(prefix) :],
            query,
            body,
            client[0],
            headers.get("authorization"),
        )
        await _send_json(send, status, payload)

    return control_app


async def _send_json(send: Any, status: int, payload: dict[str, Any]) -> None:
    body = json.dumps(payload).encode()
    await send(
        {
            "type": "http.response.start",
            "status": status,
            "headers": [
                (b"content-type", b"application/json"),
                (b"content-length", str(len(body)).encode()),
            ],
        }
    )
    await send({"type": "http.response.body", "body": body})


def failpoint_view(request: Any, path: str = "") -> Any:
    """Django view for the control endpoint (sync; a wait blocks only its worker thread)."""
    from django.http import JsonResponse

    status, payload = handle_control_request(
        request.method,
        path,
        request.GET.dict(),
        request.body,
        request.META.get("REMOTE_ADDR"),
        request.META.get("HTTP_AUTHORIZATION"),
    )
    return JsonResponse(payload, status=status)


failpoint_view.csrf_exempt = True  # type: ignore[attr-defined]  # token-protected API, not a form


def failpoint_urlpatterns() -> list[Any]:
    """URL patterns for ``urls.py``: the control endpoint when enabled, else ``[]``.

    >>> urlpatterns += failpoint_urlpatterns()
    """
    if not control_enabled():
        return []
    from django.urls import re_path

    prefix = URL_PREFIX.strip("/")
    return [re_path(rf"^{prefix}/(?P<path>.*)$", failpoint_view)]


# -- the harness side ----------------------------------------------------------


class FailpointClient:
    """Drive an app's failpoints over its control endpoint.

    >>> fp = FailpointClient("http://127.0.0.1:8000", token)
    >>> fp.set("fulfill.before_insert", "pause")
    >>> fp.wait_until_hit("fulfill.before_insert", count=2)
    >>> fp.release("fulfill.before_insert", count=1)
    """

    def __init__(self, base_url: str, token: str, timeout: float = 10.0) -> None:
        self.base_url = base_url.rstrip("/")
        self.token = token
        self.timeout = timeout

    def set(self, name: str, action: str) -> dict[str, Any]:
        """Set ``name`` to ``action``; FailpointActionError when the app rejects it."""
        return self._call("PUT", name, body=action.encode())

    def clear(self, name: str) -> None:
        """Unset ``name`` (paused callers go on)."""
        self._call("DELETE", name)

    def clear_all(self) -> int:
        """Unset every failpoint; returns how many were set."""
        return int(self._call("DELETE", "")["cleared"])

    def hits(self, name: str) -> int:
        """Hits of ``name`` since it was set."""
        return int(self._call("GET", name)["hits"])

    def state(self, name: str) -> dict[str, Any]:
        """``{name, action, hits, paused}`` of one failpoint."""
        return self._call("GET", name)

    def wait_until_hit(self, name: str, count: int = 1, timeout: float = 5.0) -> int:
        """Block until ``name`` was reached ``count`` times; TimeoutError otherwise."""
        query = urllib.parse.urlencode({"count": count, "timeout": timeout})
        state = self._call("POST", f"{name}/wait", query=query, timeout=timeout + self.timeout)
        return int(state["hits"])

    def release(self, name: str, count: int | None = None) -> int:
        """Release ``count`` paused callers (None: all), oldest first; returns how many."""
        query = "" if count is None else urllib.parse.urlencode({"count": count})
        return int(self._call("POST", f"{name}/release", query=query)["released"])

    def list(self) -> dict[str, dict[str, Any]]:
        """Every set failpoint with its action, hits and paused callers."""
        return dict(self._call("GET", "")["failpoints"])

    def _call(
        self,
        method: str,
        path: str,
        body: bytes | None = None,
        query: str = "",
        timeout: float | None = None,
    ) -> dict[str, Any]:
        url = self.base_url + URL_PREFIX + urllib.parse.quote(path) + (f"?{query}" if query else "")
        request = urllib.request.Request(
            url,
            data=body if body is not None else (b"" if method in ("POST", "PUT") else None),
            method=method,
            headers={"Authorization": f"Bearer {self.token}", "Content-Type": "text/plain"},
        )
        try:
            with urllib.request.urlopen(request, timeout=timeout or self.timeout) as response:
                return dict(json.loads(response.read() or b"{}"))
        except urllib.error.HTTPError as exc:
            try:
                message = json.loads(exc.read()).get("error", "")
            except ValueError:
                message = exc.reason
            if exc.code == 400:
                raise FailpointActionError(message) from None
            if exc.code == 408:
                raise TimeoutError(message) from None
            refused = FailpointError(
                f"failpoint control {method} {path!r} answered {exc.code}: {message}",
                hint="is the app running with PAYCHAOS_FAILPOINTS=1 and this token?",
            )
            refused.answered = True
            raise refused from None
        except urllib.error.URLError as exc:
            raise FailpointError(
                f"cannot reach failpoint control at {self.base_url}: {exc.reason}",
                hint="is the app running?",
            ) from None
        except (OSError, http.client.HTTPException) as exc:  # the app died mid-request
            raise FailpointError(
                f"failpoint control at {self.base_url} dropped the connection: {exc}",
                hint="the app may have crashed (a crash failpoint, or a process fault)",
            ) from None


# The name the reference app's URL configuration looks for.
django_urlpatterns = failpoint_urlpatterns
