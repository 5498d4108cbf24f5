"""``StripeEmulator``: the emulator server, run on its own event loop in a background thread."""

from __future__ import annotations

import asyncio
import errno
import os
import secrets
import socket
import threading
from typing import Any

from paychaos.errors import ConfigError, PortTakenError, ServiceError
from paychaos.stripe_emulator.api import EmulatorApp
from paychaos.stripe_emulator.config import EmulatorConfig
from paychaos.stripe_emulator.control_client import EmulatorControl
from paychaos.stripe_emulator.http_server import HttpProtocol
from paychaos.stripe_emulator.shadow import SHADOW_URL_ENV, parse_shadow_url
from paychaos.stripe_emulator.state import EmulatorState

LOOPBACK_HOSTS = ("127.0.0.1", "localhost", "::1")


def _new_loop() -> asyncio.AbstractEventLoop:
    try:  # uvloop (installed with uvicorn[standard]) roughly halves the server's share of a call
        import uvloop

        return uvloop.new_event_loop()
    except ImportError:  # pragma: no cover
        return asyncio.new_event_loop()


class StripeEmulator:
    """A stateful Stripe v1 emulator with webhooks, on loopback.

    >>> with StripeEmulator(seed=0, delivery="manual") as emu:  # doctest: +SKIP
    ...     client = stripe.StripeClient(emu.api_key, base_addresses={"api": emu.url})
    ...     session = client.v1.checkout.sessions.create({...})
    ...     emu.control.complete_session(session.id, outcome="paid")
    """

    def __init__(
        self,
        host: str = "127.0.0.1",
        port: int = 0,
        seed: int = 0,
        api_key: str = "sk_test_paychaos000000000000000000",
        delivery: str = "auto",
        *,
        epoch: int | None = None,
        shadow_url: str | None = None,
        retry_schedule: str | tuple[int, ...] | list[int] = "test",
        webhook_timeout: float = 10.0,
        control_enabled: bool = True,
        api_version: str = "",
        control_token: str | None = None,
        webhook_secret_key: str | None = None,
    ) -> None:
        if host not in LOOPBACK_HOSTS and not host.startswith("127."):
            raise ConfigError(
                f"the Stripe emulator binds loopback only, not {host!r}",
                hint="use --host 127.0.0.1",
            )
        self.host = "127.0.0.1" if host == "localhost" else host
        self.port = int(port)
        schedule = tuple(retry_schedule) if isinstance(retry_schedule, list) else retry_schedule
        if shadow_url is None:  # "" turns shadow validation off whatever the environment says
            shadow_url = os.environ.get(SHADOW_URL_ENV, "")
        if shadow_url:
            parse_shadow_url(shadow_url)  # a bad URL is a ConfigError here, not in the thread
        self.config = EmulatorConfig(
            api_key=api_key,
            seed=int(seed),
            delivery=delivery,
            epoch=epoch,
            shadow_url=shadow_url or None,
            retry_schedule=schedule,
            webhook_timeout=float(webhook_timeout),
            control_enabled=control_enabled,
            api_version=api_version,
            # Random unless given: the control API is for whoever started the emulator, and a
            # webhook secret must not be computable from the seed. "" keeps the old behaviour.
            control_token=secrets.token_urlsafe(32) if control_token is None else control_token,
            webhook_secret_key=(
                secrets.token_urlsafe(32) if webhook_secret_key is None else webhook_secret_key
            ),
        )
        self._thread: threading.Thread | None = None
        self._loop: asyncio.AbstractEventLoop | None = None
        self._ready = threading.Event()
        self._startup_error: BaseException | None = None
        self.state: EmulatorState | None = None
        self._control: EmulatorControl | None = None

    # -- public properties --------------------------------------------------------------------

    @property
    def url(self) -> str:
        """Base URL of the API, e.g. ``http://127.0.0.1:54321``."""
        host = f"[{self.host}]" if ":" in self.host else self.host
        return f"http://{host}:{self.port}"

    @property
    def api_key(self) -> str:
        """The secret key clients must send."""
        return self.config.api_key

    @property
    def control_token(self) -> str:
        """What the control API demands (``Authorization: Bearer``); "" when it takes the API key."""
        return self.config.control_token

    @property
    def control(self) -> EmulatorControl:
        """A client of this emulator's control API (it holds the control token)."""
        if self._control is None:
            self._control = EmulatorControl(self.url, self.api_key, token=self.control_token)
        return self._control

    @property
    def running(self) -> bool:
        """True between :meth:`start` and :meth:`stop`."""
        return self._thread is not None and self._thread.is_alive()

    # -- lifecycle ----------------------------------------------------------------------------

    def _bind(self) -> socket.socket:
        family = socket.AF_INET6 if ":" in self.host else socket.AF_INET
        sock = socket.socket(family, socket.SOCK_STREAM)
        try:
            sock.setsockopt(socket.SOL_SOCKET, socket.SO_REUSEADDR, 1)
            sock.bind((self.host, self.port))
            sock.listen(512)
        except OSError as exc:
            sock.close()
            if exc.errno == errno.EADDRINUSE:
                raise PortTakenError(
                    f"port {self.port} on {self.host} is taken; the Stripe emulator cannot listen there",
                    hint="pick another port, or pass port 0 to use a free one",
                ) from None
            raise ServiceError(
                f"the Stripe emulator cannot listen on {self.host}:{self.port}: {exc.strerror}",
                hint="pick another host/port",
            ) from None
        sock.setblocking(False)
        sock.setsockopt(socket.IPPROTO_TCP, socket.TCP_NODELAY, 1)
        self.port = sock.getsockname()[1]
        return sock

    def start(self) -> StripeEmulator:
        """Bind the port and serve in a background thread; returns self once it answers."""
        if self.running:
            return self
        sock = self._bind()
        self._ready.clear()
        self._startup_error = None
        self._thread = threading.Thread(
            target=self._serve, args=(sock,), name=f"stripe-emulator:{self.port}", daemon=True
        )
        self._thread.start()
        self._ready.wait(10)
        if self._startup_error is not None:
            self._thread.join(5)
            self._thread = None
            raise ServiceError(
                f"the Stripe emulator failed to start: {self._startup_error}",
                hint="see the log above",
            )
        return self

    def _serve(self, sock: socket.socket) -> None:
        loop = _new_loop()
        self._loop = loop
        asyncio.set_event_loop(loop)
        connections: set[HttpProtocol] = set()
        server = None
        try:
            self.state = EmulatorState(self.config, base_url=self.url)
            app = EmulatorApp(self.state)
            server = loop.run_until_complete(
                loop.create_server(lambda: HttpProtocol(app, connections), sock=sock)
            )
        except BaseException as exc:  # report to start() instead of dying silently
            self._startup_error = exc
            if self.state is not None and self.state.shadow is not None:
                self.state.shadow.close()
            sock.close()
            self._ready.set()
            loop.close()
            return
        self._ready.set()
        try:
            loop.run_forever()
        finally:
            server.close()
            for conn in list(connections):
                conn.close()
            tasks = [t for t in asyncio.all_tasks(loop) if not t.done()]
            for task in tasks:
                task.cancel()
            if tasks:
                loop.run_until_complete(asyncio.gather(*tasks, return_exceptions=True))
            loop.run_until_complete(server.wait_closed())
            loop.run_until_complete(loop.shutdown_asyncgens())
            loop.close()
            self._loop = None
            if self.state is not None and self.state.shadow is not None:
                self.state.shadow.close()

    def stop(self) -> None:
        """Stop serving, close every connection and free the port."""
        thread, loop = self._thread, self._loop
        if thread is None:
            return
        if loop is not None and not loop.is_closed():
            try:
                loop.call_soon_threadsafe(loop.stop)
            except RuntimeError:  # loop closed in between
                pass
        thread.join(10)
        self._thread = None

    def __enter__(self) -> StripeEmulator:
        return self.start()

    def __exit__(self, *exc: Any) -> None:
        self.stop()

    def __repr__(self) -> str:
        return f"StripeEmulator(url={self.url!r}, seed={self.config.seed}, running={self.running})"
