"""The embedded fault proxy server: the Toxiproxy API and its proxies on one event loop.

Inside the harness it runs on a background thread with its own loop
(``FaultProxyServer``); standalone, ``serve_forever`` runs it in the calling
thread (``paychaos proxy``).
"""

from __future__ import annotations

import asyncio
import contextlib
import errno
import ipaddress
import threading
from collections.abc import Callable
from types import TracebackType

from paychaos.errors import ConfigError, PortTakenError, ServiceError
from paychaos.faults.guard import ApiGuard
from paychaos.faults.http import serve_http_connection
from paychaos.faults.toxiproxy_api import ToxiproxyApi


def _new_loop() -> asyncio.AbstractEventLoop:
    # uvloop (installed with uvicorn[standard]) roughly halves the per-chunk cost.
    try:
        import uvloop
    except ImportError:  # pragma: no cover - uvloop ships with uvicorn[standard]
        return asyncio.new_event_loop()
    return uvloop.new_event_loop()


def check_loopback(host: str) -> None:
    """ConfigError unless ``host`` is a loopback address (control surfaces stay local)."""
    try:
        loopback = host == "localhost" or ipaddress.ip_address(host).is_loopback
    except ValueError:
        loopback = False
    if not loopback:
        raise ConfigError(
            f"the fault proxy must bind a loopback address, not {host!r}",
            hint="use --host 127.0.0.1",
        )


async def _serve(
    host: str,
    port: int,
    seed: int,
    on_ready: Callable[[int], None],
    stop: asyncio.Event,
    token: str | None = None,
) -> None:
    api = ToxiproxyApi(seed=seed)
    guard = ApiGuard(token)
    server = await asyncio.start_server(
        lambda r, w: serve_http_connection(r, w, api.dispatch, guard),
        host,
        port,
        reuse_address=True,
    )
    try:
        on_ready(int(server.sockets[0].getsockname()[1]))
        await stop.wait()
    finally:
        server.close()
        await api.close()


def serve_forever(
    host: str = "127.0.0.1",
    port: int = 8474,
    seed: int = 0,
    on_ready: Callable[[int], None] | None = None,
    token: str | None = None,
) -> None:
    """Run the server in this thread until Ctrl-C; ``on_ready(port)`` once it listens.

    ``token``: every API request must carry it (``Authorization: Bearer``); None keeps
    Toxiproxy's credential-less API, guarded against browsers only.
    """
    check_loopback(host)
    loop = _new_loop()
    stop = asyncio.Event()
    try:
        loop.run_until_complete(
            _serve(host, port, seed, on_ready or (lambda _p: None), stop, token)
        )
    except OSError as exc:
        taken = exc.errno == errno.EADDRINUSE
        raise (PortTakenError if taken else ServiceError)(
            f"the fault proxy cannot listen on {host}:{port}: {exc.strerror or exc}",
            hint="pick another --port (0 picks a free one)",
        ) from exc
    except KeyboardInterrupt:
        pass
    finally:
        _shutdown_loop(loop)


def _shutdown_loop(loop: asyncio.AbstractEventLoop) -> None:
    pending = [t for t in asyncio.all_tasks(loop) if not t.done()]
    for task in pending:
        task.cancel()
    if pending:
        with contextlib.suppress(Exception):
            loop.run_until_complete(asyncio.gather(*pending, return_exceptions=True))
    loop.close()


class FaultProxyServer:
    """A Toxiproxy-compatible server on a background thread, for the harness and tests.

    >>> with FaultProxyServer(seed=7) as server:
    ...     faults = Faults(server.url)

    ``port=0`` picks a free port; ``url`` is the API address once started.
    Every proxy it creates lives in this process, so stopping it (or the
    process ending) leaves nothing behind. With ``token``, every API request must
    carry it (``Faults(server.url, token=server.token)``); without, the API is
    Toxiproxy's, guarded against browsers only (``paychaos.faults.guard``).
    """

    def __init__(
        self, host: str = "127.0.0.1", port: int = 0, seed: int = 0, token: str | None = None
    ) -> None:
        check_loopback(host)
        self.host = host
        self.port = port
        self.seed = seed
        self.token = token
        self._thread: threading.Thread | None = None
        self._loop: asyncio.AbstractEventLoop | None = None
        self._stop: asyncio.Event | None = None

    @property
    def url(self) -> str:
        """Base URL of the Toxiproxy API, e.g. ``http://127.0.0.1:8474``."""
        return f"http://{self.host}:{self.port}"

    def start(self) -> FaultProxyServer:
        """Start listening; returns self. Raises ServiceError when the port is taken."""
        if self._thread is not None:
            return self
        ready = threading.Event()
        failure: list[BaseException] = []

        def on_ready(port: int) -> None:
            self.port = port
            ready.set()

        def run() -> None:
            loop = _new_loop()
            self._loop = loop
            asyncio.set_event_loop(loop)
            self._stop = asyncio.Event()
            try:
                loop.run_until_complete(
                    _serve(self.host, self.port, self.seed, on_ready, self._stop, self.token)
                )
            except BaseException as exc:
                failure.append(exc)
            finally:
                _shutdown_loop(loop)
                ready.set()

        self._thread = threading.Thread(target=run, name="paychaos-fault-proxy", daemon=True)
        self._thread.start()
        ready.wait()
        if failure:
            self._thread.join()
            self._thread = None
            exc = failure[0]
            taken = isinstance(exc, OSError) and exc.errno == errno.EADDRINUSE
            raise (PortTakenError if taken else ServiceError)(
                f"the fault proxy cannot listen on {self.host}:{self.port}: {exc}",
                hint="pass port=0 to pick a free port",
            ) from exc
        return self

    def stop(self) -> None:
        """Close every proxy and connection and the API; wait for the thread to end."""
        thread, loop, stop = self._thread, self._loop, self._stop
        if thread is None or loop is None or stop is None:
            return
        with contextlib.suppress(RuntimeError):
            loop.call_soon_threadsafe(stop.set)
        thread.join(timeout=10)
        self._thread = None

    def __enter__(self) -> FaultProxyServer:
        return self.start()

    def __exit__(
        self,
        exc_type: type[BaseException] | None,
        exc: BaseException | None,
        tb: TracebackType | None,
    ) -> None:
        self.stop()
