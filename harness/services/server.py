"""What a Postgres and a Redis handle share: an address, and (embedded only) a process."""

from __future__ import annotations

import signal
import socket
from typing import ClassVar

from paychaos.net import release_port
from paychaos.services.external import not_for_external
from paychaos.services.process import ManagedProcess


class ServerHandle:
    """A server at ``host:port``: external (someone else's, by URL) or embedded (a process
    paychaos owns, which process faults act on)."""

    #: How errors name the server ("Postgres") and the setting that points at an external one.
    what: ClassVar[str] = ""
    url_setting: ClassVar[str] = ""

    def __init__(
        self, *, host: str, port: int, url: str | None, process: ManagedProcess | None
    ) -> None:
        self.host = host
        self.port = port
        self._url = url
        self._process = process

    @property
    def url(self) -> str:  # pragma: no cover - every server says how it is reached
        raise NotImplementedError

    @property
    def embedded(self) -> bool:
        """True when paychaos started this server and owns its process."""
        return self._process is not None

    def pids(self) -> list[int]:
        """The server's processes (empty for an external server)."""
        return self._process.pids() if self._process else []

    def problem(self, timeout: float = 1.0) -> str | None:
        """Why this server cannot serve now (its process ended, or nothing accepts a
        connection at its address), or None. For the harness's own health check: a server a
        fault stopped on purpose is the nemesis's business, not a problem."""
        if self._process is not None and not self._process.running:
            code = self._process.returncode
            how = (
                f"was killed by {signal.Signals(-code).name}"
                if code is not None and code < 0 and -code in signal.Signals._value2member_map_
                else f"exited with status {code}"
            )
            return f"{self.what} (embedded, port {self.port}) {how}"
        try:
            with socket.create_connection((self.host, self.port), timeout=timeout):
                return None
        except OSError as exc:
            return f"{self.what} at {self.host}:{self.port} does not accept connections ({exc})"

    def log_tail(self, max_chars: int = 1500) -> str:
        """The end of the embedded server's log ("" for an external one)."""
        return self._process.log_tail(max_chars) if self._process else ""

    def wait_ready(self, timeout: float = 30.0) -> None:
        """Block until the server accepts connections (embedded only; no-op otherwise)."""
        if self._process:
            self._process.wait_ready(timeout)

    def close(self) -> None:
        """Stop the embedded server for good."""
        if self._process:
            self._process.stop()
            release_port(self.port)

    def _require_embedded(self, action: str) -> ManagedProcess:
        if self._process is None:
            raise not_for_external(action, self.what, self.url, self.url_setting)
        return self._process
