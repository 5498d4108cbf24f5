"""The harness side of network faults: drive any Toxiproxy API (embedded or real) by URL.

>>> faults = Faults("http://127.0.0.1:8474")
>>> redis = faults.proxy("redis", upstream="127.0.0.1:6379")
>>> with redis.latency(100, jitter=10):
...     ...  # the app, connected to redis.listen_host:redis.listen_port, is slow
>>> faults.heal_all()
"""

from __future__ import annotations

import itertools
import threading
import time
from collections.abc import Mapping
from types import TracebackType
from typing import Any

import requests

from paychaos.errors import ServiceError
from paychaos.faults.nemesis import NemesisOp, Phase, Recorder


class ToxiproxyError(ServiceError):
    """The Toxiproxy API refused a request; ``status`` is its HTTP status."""

    def __init__(self, what: str, *, status: int, hint: str | None = None) -> None:
        super().__init__(what, hint=hint)
        self.status = status


class Fault:
    """A fault in effect on one proxy. ``heal()`` ends it; as a context manager it heals on exit.

    ``name`` is the fault's name ("down", "latency", ...), ``toxics`` the
    names of the toxics it added (none for ``down``).
    """

    def __init__(
        self, proxy: ProxyHandle, name: str, params: Mapping[str, Any], toxics: tuple[str, ...]
    ) -> None:
        self.proxy = proxy
        self.name = name
        self.params = dict(params)
        self.toxics = toxics
        self.active = True

    def heal(self) -> None:
        """End this fault (idempotent)."""
        if not self.active:
            return
        if self.name == "down":
            self.proxy._api("POST", f"/proxies/{self.proxy.name}", {"enabled": True})
        else:
            for toxic in self.toxics:
                self.proxy._api(
                    "DELETE", f"/proxies/{self.proxy.name}/toxics/{toxic}", ok=(204, 404)
                )
        self.proxy._ended(self)

    def __enter__(self) -> Fault:
        return self

    def __exit__(
        self,
        exc_type: type[BaseException] | None,
        exc: BaseException | None,
        tb: TracebackType | None,
    ) -> None:
        self.heal()

    def __repr__(self) -> str:
        state = "on" if self.active else "healed"
        return f"<Fault {self.proxy.name}.{self.name}({self.params}) {state}>"


class ProxyHandle:
    """One proxy on a Toxiproxy server and the faults that can be applied to it.

    The app under test connects to ``listen_host:listen_port`` instead of the
    upstream. Each fault method returns a ``Fault`` (a context manager).
    Streams: ``"downstream"`` is server to client (Toxiproxy's default),
    ``"upstream"`` client to server.
    """

    def __init__(self, faults: Faults, info: Mapping[str, Any]) -> None:
        self._faults = faults
        self.name: str = info["name"]
        self.upstream: str = info["upstream"]
        self.listen: str = info["listen"]
        host, _, port = self.listen.rpartition(":")
        self.listen_host = host.strip("[]")
        self.listen_port = int(port)
        self._active: list[Fault] = []
        self._names = itertools.count(1)

    @property
    def active_faults(self) -> tuple[Fault, ...]:
        """Faults switched on through this handle and not healed yet."""
        return tuple(self._active)

    def info(self) -> dict[str, Any]:
        """The proxy's JSON as the server reports it (enabled, toxics, ...)."""
        info: dict[str, Any] = self._api("GET", f"/proxies/{self.name}").json()
        return info

    # -- faults ------------------------------------------------------------

    def down(self) -> Fault:
        """Refuse new connections and drop open ones (``enabled: false``)."""
        self._api("POST", f"/proxies/{self.name}", {"enabled": False})
        return self._started("down", {}, ())

    def latency(
        self, ms: int, jitter: int = 0, *, stream: str = "downstream", toxicity: float = 1.0
    ) -> Fault:
        """Delay every chunk by ``ms`` ± ``jitter`` milliseconds."""
        return self.toxic(
            "latency", {"latency": ms, "jitter": jitter}, stream=stream, toxicity=toxicity
        )

    def blackhole(self, *, toxicity: float = 1.0) -> Fault:
        """Stop all data both ways, keep connections open, until healed (timeout 0)."""
        names = tuple(
            self._add_toxic("timeout", {"timeout": 0}, stream, toxicity)
            for stream in ("upstream", "downstream")
        )
        return self._started("blackhole", {"toxicity": toxicity}, names)

    def timeout(self, ms: int, *, stream: str = "downstream", toxicity: float = 1.0) -> Fault:
        """Stop data on ``stream`` and close connections after ``ms`` (0: never)."""
        return self.toxic("timeout", {"timeout": ms}, stream=stream, toxicity=toxicity)

    def reset_peer(
        self, timeout_ms: int = 0, *, stream: str = "downstream", toxicity: float = 1.0
    ) -> Fault:
        """Reset (RST) connections ``timeout_ms`` after data arrives."""
        return self.toxic("reset_peer", {"timeout": timeout_ms}, stream=stream, toxicity=toxicity)

    def bandwidth(self, kb_s: int, *, stream: str = "downstream", toxicity: float = 1.0) -> Fault:
        """Throttle ``stream`` to ``kb_s`` KB/s (1 KB = 1000 bytes)."""
        return self.toxic("bandwidth", {"rate": kb_s}, stream=stream, toxicity=toxicity)

    def slicer(
        self,
        average_size: int = 64,
        size_variation: int = 32,
        delay_us: int = 0,
        *,
        stream: str = "downstream",
        toxicity: float = 1.0,
    ) -> Fault:
        """Deliver data in pieces of ``average_size`` ± ``size_variation`` bytes, ``delay_us`` apart."""
        attributes = {
            "average_size": average_size,
            "size_variation": size_variation,
            "delay": delay_us,
        }
        return self.toxic("slicer", attributes, stream=stream, toxicity=toxicity)

    def limit_data(self, n: int, *, stream: str = "downstream", toxicity: float = 1.0) -> Fault:
        """Close each connection after ``n`` bytes on ``stream``."""
        return self.toxic("limit_data", {"bytes": n}, stream=stream, toxicity=toxicity)

    def slow_close(self, ms: int, *, stream: str = "downstream", toxicity: float = 1.0) -> Fault:
        """Delay the close of ``stream`` by ``ms``."""
        return self.toxic("slow_close", {"delay": ms}, stream=stream, toxicity=toxicity)

    def toxic(
        self,
        type: str,
        attributes: Mapping[str, int],
        *,
        stream: str = "downstream",
        toxicity: float = 1.0,
    ) -> Fault:
        """Any Toxiproxy toxic by type name; the fault is named after the type."""
        name = self._add_toxic(type, attributes, stream, toxicity)
        params = {**attributes, "stream": stream, "toxicity": toxicity}
        return self._started(type, params, (name,))

    def heal(self) -> None:
        """Remove every toxic on this proxy and enable it."""
        for toxic in self._api("GET", f"/proxies/{self.name}/toxics").json():
            self._api("DELETE", f"/proxies/{self.name}/toxics/{toxic['name']}", ok=(204, 404))
        self._api("POST", f"/proxies/{self.name}", {"enabled": True})
        for fault in list(self._active):
            self._ended(fault)

    # -- internals ---------------------------------------------------------

    def _add_toxic(
        self, type: str, attributes: Mapping[str, int], stream: str, toxicity: float
    ) -> str:
        name = f"{type}_{stream}_{next(self._names)}"
        body = {
            "name": name,
            "type": type,
            "stream": stream,
            "toxicity": toxicity,
            "attributes": dict(attributes),
        }
        self._api("POST", f"/proxies/{self.name}/toxics", body)
        return name

    def _started(self, name: str, params: Mapping[str, Any], toxics: tuple[str, ...]) -> Fault:
        fault = Fault(self, name, params, toxics)
        self._active.append(fault)
        self._faults._record(self.name, name, params, "on")
        return fault

    def _ended(self, fault: Fault) -> None:
        if not fault.active:
            return
        fault.active = False
        if fault in self._active:
            self._active.remove(fault)
        self._faults._record(self.name, fault.name, fault.params, "off")

    def _forget_all(self) -> None:
        for fault in list(self._active):
            self._ended(fault)

    def _api(
        self, method: str, path: str, body: Any = None, ok: tuple[int, ...] = (200, 201, 204)
    ) -> requests.Response:
        return self._faults._api(method, path, body, ok)

    def __repr__(self) -> str:
        return f"<ProxyHandle {self.name} {self.listen} -> {self.upstream}>"


class Faults:
    """Network faults through a Toxiproxy API at ``api_url`` (the embedded server or a real one).

    ``recorder`` (optional) receives a ``NemesisOp`` each time a fault goes
    on or off. Proxies created here are deleted by ``close()``. ``token`` is sent
    with every request (``Authorization: Bearer``) to a server that demands one.
    """

    def __init__(
        self,
        api_url: str,
        recorder: Recorder | None = None,
        timeout: float = 5.0,
        token: str | None = None,
    ) -> None:
        self.url = api_url.rstrip("/")
        self.recorder = recorder
        self.timeout = timeout
        self._session = requests.Session()
        if token:
            self._session.headers["Authorization"] = f"Bearer {token}"
        # A runner may switch faults from several threads; one Session is not thread-safe.
        self._lock = threading.Lock()
        self._handles: dict[str, ProxyHandle] = {}

    def proxy(self, name: str, upstream: str, listen: str = "127.0.0.1:0") -> ProxyHandle:
        """Create (or replace) proxy ``name`` forwarding to ``upstream`` (``host:port``)."""
        self._api("DELETE", f"/proxies/{name}", ok=(204, 404))
        info = self._api(
            "POST",
            "/proxies",
            {"name": name, "listen": listen, "upstream": upstream, "enabled": True},
        ).json()
        handle = ProxyHandle(self, info)
        self._handles[name] = handle
        return handle

    def get(self, name: str) -> ProxyHandle:
        """The handle of proxy ``name`` (created here or already on the server)."""
        if name not in self._handles:
            response = self._api("GET", f"/proxies/{name}", ok=(200, 404))
            if response.status_code == 404:
                raise ToxiproxyError(
                    f"no proxy named {name!r} on {self.url}",
                    status=404,
                    hint="create it with faults.proxy(name, upstream=...)",
                )
            self._handles[name] = ProxyHandle(self, response.json())
        return self._handles[name]

    def __getattr__(self, name: str) -> ProxyHandle:
        # ``faults.redis`` reads as well as ``faults.get("redis")``.
        if name.startswith("_"):
            raise AttributeError(name)
        handles: dict[str, ProxyHandle] = self.__dict__.get("_handles", {})
        if name in handles:
            return handles[name]
        raise AttributeError(f"no proxy named {name!r}; create it with faults.proxy()")

    @property
    def proxies(self) -> dict[str, ProxyHandle]:
        """Handles of the proxies created through this object."""
        return dict(self._handles)

    def heal_all(self) -> None:
        """Enable every proxy and remove every toxic on the server (``POST /reset``)."""
        self._api("POST", "/reset")
        for handle in self._handles.values():
            handle._forget_all()

    def remove(self, name: str) -> None:
        """Delete proxy ``name`` from the server."""
        self._api("DELETE", f"/proxies/{name}", ok=(204, 404))
        handle = self._handles.pop(name, None)
        if handle is not None:
            handle._forget_all()

    def version(self) -> str:
        """The server's version string."""
        response = self._api("GET", "/version")
        try:
            return str(response.json().get("version"))
        except ValueError:
            return response.text.strip()

    def close(self) -> None:
        """Delete the proxies created here and close the HTTP session."""
        try:
            for name in list(self._handles):
                self.remove(name)
        finally:
            self._session.close()

    def __enter__(self) -> Faults:
        return self

    def __exit__(self, *exc_info: object) -> None:
        self.close()

    def _record(self, target: str, fault: str, params: Mapping[str, Any], phase: Phase) -> None:
        if self.recorder is not None:
            self.recorder(NemesisOp(target, fault, dict(params), phase, time.monotonic()))

    def _api(
        self, method: str, path: str, body: Any = None, ok: tuple[int, ...] = (200, 201, 204)
    ) -> requests.Response:
        try:
            with self._lock:
                response = self._session.request(
                    method, self.url + path, json=body, timeout=self.timeout
                )
        except requests.RequestException as exc:
            raise ServiceError(
                f"cannot reach the Toxiproxy API at {self.url}: {exc}",
                hint="start one with `paychaos proxy`, or unset PAYCHAOS_TOXIPROXY_URL to use the embedded proxy",
            ) from exc
        if response.status_code not in ok:
            try:
                message = response.json().get("error", response.text)
            except ValueError:
                message = response.text.strip()
            raise ToxiproxyError(
                f"Toxiproxy {method} {path} answered {response.status_code}: {message}",
                status=response.status_code,
            )
        return response
