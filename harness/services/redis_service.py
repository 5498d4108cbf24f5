"""Redis for a run: an embedded server the harness owns, or an external one named by URL."""

from __future__ import annotations

import signal
import socket
from pathlib import Path
from urllib.parse import unquote, urlsplit

from paychaos.errors import ServiceError
from paychaos.net import LOOPBACK
from paychaos.services.binaries import find_redis_server
from paychaos.services.external import (
    REDIS_URL_ENV,
    check_reachable,
    parse_redis_url,
)
from paychaos.services.process import ManagedProcess, ProcessSpec
from paychaos.services.registry import ProcessRegistry
from paychaos.services.server import ServerHandle


class RedisService(ServerHandle):
    """A Redis server: its URL and address, and (embedded only) its process handle.

    The embedded server keeps nothing on disk, so :meth:`kill` and :meth:`restart`
    lose every key, as a crashed cache or broker would.

    >>> svc.redis.pause()   # clients now hang: the process is stopped, the socket stays open
    >>> svc.redis.resume()
    >>> svc.redis.restart()  # kill -9, then a fresh empty server on the same port
    """

    what = "Redis"
    url_setting = REDIS_URL_ENV

    def __init__(
        self,
        *,
        host: str,
        port: int,
        db: int = 0,
        url: str | None = None,
        process: ManagedProcess | None = None,
    ) -> None:
        super().__init__(host=host, port=port, url=url, process=process)
        self.db = db

    @classmethod
    def external(cls, url: str) -> RedisService:
        """A server someone else runs; ServiceError if nothing answers at ``url``."""
        address = parse_redis_url(url)
        check_reachable(address, "Redis", REDIS_URL_ENV)
        db = int(address.dbname) if address.dbname.isdigit() else 0
        return cls(host=address.host, port=address.port, db=db, url=url)

    @classmethod
    def launch(cls, workdir: Path, port: int, registry: ProcessRegistry) -> RedisService:
        """Spawn a server with its files in ``workdir``; call :meth:`wait_ready` next."""
        binary = find_redis_server()
        home = workdir / "redis"
        home.mkdir(mode=0o700)
        argv = (
            str(binary),
            "--port", str(port),
            "--bind", LOOPBACK,
            "--save", "",
            "--appendonly", "no",
            "--protected-mode", "no",
            "--dir", str(home),
            "--daemonize", "no",
            "--logfile", "",
        )  # fmt: skip
        spec = ProcessSpec(
            name="redis",
            argv=argv,
            cwd=home,
            ready_port=port,
            stop_signal=signal.SIGTERM,
            stop_timeout=5.0,
            parent_death_signal=signal.SIGKILL,
            log_path=home / "redis.log",
            folder=workdir,
        )
        return cls(host=LOOPBACK, port=port, process=ManagedProcess(spec, registry).start())

    @property
    def url(self) -> str:
        """A ``redis://`` URL for redis-py, channels-redis and Django's cache."""
        return self._url or f"redis://{self.host}:{self.port}/{self.db}"

    # -- process faults ---------------------------------------------------------------

    def pause(self) -> None:
        """SIGSTOP the server: connections stay open but nothing answers."""
        self._require_embedded("pause()").pause()

    def resume(self) -> None:
        """SIGCONT a paused server."""
        self._require_embedded("resume()").resume()

    def kill(self) -> None:
        """SIGKILL the server; every key is gone."""
        self._require_embedded("kill()").kill()

    def start(self, timeout: float = 10.0) -> None:
        """Start an empty server on the same port (after :meth:`kill`)."""
        self._require_embedded("start()").start().wait_ready(timeout)

    def restart(self) -> None:
        """:meth:`kill` then :meth:`start`."""
        self.kill()
        self.start()

    def flush_all(self) -> None:
        """Delete every key (between runs), over RESP: the harness needs no Redis client."""
        parts = urlsplit(self.url)
        commands: list[tuple[str, ...]] = []
        if parts.password:
            commands.append(("AUTH", unquote(parts.username or "default"), unquote(parts.password)))
        commands.append(("FLUSHALL",))
        with socket.create_connection((self.host, self.port), timeout=2) as conn:
            for command in commands:
                conn.sendall(_resp(command))
                reply = conn.recv(256)
                if not reply.startswith(b"+OK"):
                    raise ServiceError(
                        f"Redis at {self.host}:{self.port} refused {command[0]}: "
                        f"{reply[:80].decode(errors='replace').strip()}",
                        hint="check the password in the Redis URL",
                    )

    # -- lifecycle (used by Services) --------------------------------------------------


def _resp(command: tuple[str, ...]) -> bytes:
    """One command in the Redis serialization protocol."""
    out = [f"*{len(command)}\r\n".encode()]
    for arg in command:
        data = arg.encode()
        out.append(b"$%d\r\n%s\r\n" % (len(data), data))
    return b"".join(out)
