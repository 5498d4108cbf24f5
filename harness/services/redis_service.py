"""Redis for a run: an embedded server the harness owns, or an external one named by URL."""

from __future__ import annotations

import os
import secrets
import signal
import socket
from pathlib import Path
from urllib.parse import quote, unquote, urlsplit

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
from paychaos.services.run_as import chown_tree, make_traversable, server_run_as
from paychaos.services.server import ServerHandle

#: Commands no client may run on the embedded server: ``CONFIG SET dir`` + ``SAVE`` writes a
#: file anywhere, ``DEBUG`` and ``MODULE LOAD`` run what they are told. ``CONFIG`` stays
#: reachable to the harness under a random name (``RedisService.admin_command``).
_DISABLED_COMMANDS = ("DEBUG", "MODULE")


class RedisService(ServerHandle):
    """A Redis server: its URL and address, and (embedded only) its process handle.

    The embedded server keeps nothing on disk, so :meth:`kill` and :meth:`restart`
    lose every key, as a crashed cache or broker would. It demands a random password
    (in :attr:`url`), keeps protected mode on, and refuses ``CONFIG``, ``DEBUG`` and
    ``MODULE`` to clients; under root it runs as an unprivileged account, as Postgres does.

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
        password: str | None = None,
        config_command: str | None = None,
    ) -> None:
        super().__init__(host=host, port=port, url=url, process=process)
        self.db = db
        self.password = password
        self._config_command = config_command

    @classmethod
    def external(cls, url: str) -> RedisService:
        """A server someone else runs; ServiceError if nothing answers at ``url``."""
        address = parse_redis_url(url)
        check_reachable(address, "Redis", REDIS_URL_ENV)
        db = int(address.dbname) if address.dbname.isdigit() else 0
        return cls(host=address.host, port=address.port, db=db, url=url)

    @classmethod
    def launch(cls, workdir: Path, port: int, registry: ProcessRegistry) -> RedisService:
        """Spawn a locked-down server with its files in ``workdir``; call :meth:`wait_ready` next."""
        binary = find_redis_server()
        run_as = server_run_as()
        home = workdir / "redis"
        home.mkdir(mode=0o700)
        password = secrets.token_urlsafe(24)
        config_command = f"CONFIG-{secrets.token_hex(16)}"
        # The secrets go in a file only the server's account reads: argv is public (ps).
        settings = [
            f"port {port}",
            f"bind {LOOPBACK}",
            'save ""',
            "appendonly no",
            "protected-mode yes",
            f'dir "{home}"',
            "daemonize no",
            'logfile ""',
            f"requirepass {password}",
            f"rename-command CONFIG {config_command}",
            *(f'rename-command {name} ""' for name in _DISABLED_COMMANDS),
        ]
        conf = home / "redis.conf"
        fd = os.open(conf, os.O_WRONLY | os.O_CREAT | os.O_EXCL, 0o600)
        with os.fdopen(fd, "w") as out:
            out.write("\n".join(settings) + "\n")
        if run_as:
            # The unprivileged account must reach the binary and own its folder.
            make_traversable(binary.parent)
            make_traversable(workdir)
            chown_tree(home, run_as)
        spec = ProcessSpec(
            name="redis",
            argv=(str(binary), str(conf)),
            cwd=home,
            user=run_as,
            ready_port=port,
            stop_signal=signal.SIGTERM,
            stop_timeout=5.0,
            parent_death_signal=signal.SIGKILL,
            log_path=home / "redis.log",
            folder=workdir,
        )
        return cls(
            host=LOOPBACK,
            port=port,
            process=ManagedProcess(spec, registry).start(),
            password=password,
            config_command=config_command,
        )

    @property
    def url(self) -> str:
        """A ``redis://`` URL for redis-py, channels-redis and Django's cache, with the password."""
        if self._url:
            return self._url
        auth = f":{quote(self.password, safe='')}@" if self.password else ""
        return f"redis://{auth}{self.host}:{self.port}/{self.db}"

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
        self._run(("FLUSHALL",))

    def admin_command(self, *command: str) -> bytes:
        """Run one ``CONFIG ...`` command on the embedded server (under its secret name); the raw
        RESP reply. Clients get "unknown command" for ``CONFIG``; only the harness knows the name."""
        if command[:1] != ("CONFIG",) or self._config_command is None:
            raise ServiceError(
                f"admin_command runs CONFIG on the embedded Redis only, not {command[:1]}",
                hint="external servers are configured by whoever runs them",
            )
        return self._run((self._config_command, *command[1:]), expect=b"")

    def _run(self, command: tuple[str, ...], expect: bytes = b"+OK") -> bytes:
        parts = urlsplit(self.url)
        commands: list[tuple[str, ...]] = []
        if parts.password:
            commands.append(("AUTH", unquote(parts.username or "default"), unquote(parts.password)))
        commands.append(command)
        reply = b""
        with socket.create_connection((self.host, self.port), timeout=2) as conn:
            for sent in commands:
                conn.sendall(encode_command(sent))
                reply = conn.recv(65536)
                wanted = b"+OK" if sent is not command else expect
                if not reply.startswith(wanted) or reply.startswith(b"-"):
                    name = "CONFIG" if sent[0] == self._config_command else sent[0]
                    raise ServiceError(
                        f"Redis at {self.host}:{self.port} refused {name}: "
                        f"{reply[:80].decode(errors='replace').strip()}",
                        hint="check the password in the Redis URL",
                    )
        return reply

    # -- lifecycle (used by Services) --------------------------------------------------


def encode_command(command: tuple[str, ...]) -> bytes:
    """One command in the Redis serialization protocol."""
    out = [f"*{len(command)}\r\n".encode()]
    for arg in command:
        data = arg.encode()
        out.append(b"$%d\r\n%s\r\n" % (len(data), data))
    return b"".join(out)
