"""Postgres for a run: an embedded server the harness owns, or an external one named by URL."""

from __future__ import annotations

import contextlib
import secrets
import signal
import subprocess
from pathlib import Path
from typing import Literal
from urllib.parse import quote

from paychaos.errors import ServiceError
from paychaos.net import LOOPBACK
from paychaos.services.binaries import find_postgres
from paychaos.services.external import (
    DATABASE_URL_ENV,
    check_reachable,
    parse_postgres_url,
)
from paychaos.services.pg_datadir import (
    APP_ROLE,
    DBNAME,
    SUPERUSER,
    prepare_data_dir,
    set_passwords,
)
from paychaos.services.process import ManagedProcess, ProcessSpec
from paychaos.services.registry import ProcessRegistry
from paychaos.services.run_as import make_traversable, server_run_as
from paychaos.services.server import ServerHandle

StopMode = Literal["smart", "fast", "immediate"]
# Postgres's shutdown modes are chosen by signal (what pg_ctl -m sends).
_STOP_SIGNALS: dict[str, int] = {
    "smart": signal.SIGTERM,
    "fast": signal.SIGINT,
    "immediate": signal.SIGQUIT,
}

# Tuned for throwaway test data: durability off, small memory, TCP on loopback only.
_SERVER_SETTINGS = (
    "listen_addresses=127.0.0.1",
    "unix_socket_directories=",
    "fsync=off",
    "synchronous_commit=off",
    "full_page_writes=off",
    "max_connections=200",
    "shared_buffers=32MB",
    "max_wal_size=256MB",
    "checkpoint_timeout=30min",
    "logging_collector=off",
    "log_timezone=UTC",
    "timezone=UTC",
    # Dynamic shared memory as files in the data folder: removed with it even
    # after a kill -9, where POSIX segments in /dev/shm would be left behind.
    "dynamic_shared_memory_type=mmap",
)
HARNESS_APPLICATION_NAME = "paychaos-harness"


class PostgresService(ServerHandle):
    """A Postgres server: its URL and address, and (embedded only) its process handle.

    The embedded server has two login roles, each with a random password: ``url`` is the
    app's role (it owns the database ``paychaos`` and nothing else: no superuser, no
    CREATEROLE), ``admin_url`` the superuser the harness keeps for what needs it
    (terminating backends). An external server has one URL, used for both.

    >>> svc.postgres.url
    'postgresql://paychaos_app:...@127.0.0.1:54011/paychaos'
    >>> svc.postgres.terminate_backends(application_name="reference_app")
    2
    """

    what = "Postgres"
    url_setting = DATABASE_URL_ENV

    def __init__(
        self,
        *,
        host: str,
        port: int,
        dbname: str,
        user: str,
        url: str | None = None,
        process: ManagedProcess | None = None,
        data_dir: Path | None = None,
        password: str | None = None,
        admin: tuple[str, str] | None = None,
    ) -> None:
        super().__init__(host=host, port=port, url=url, process=process)
        self.dbname = dbname
        self.user = user
        self.password = password
        self._admin = admin  # (superuser, its password), embedded only
        self._data_dir = data_dir

    # -- construction -----------------------------------------------------------------

    @classmethod
    def external(cls, url: str) -> PostgresService:
        """A server someone else runs; ServiceError if nothing answers at ``url``."""
        address = parse_postgres_url(url)
        check_reachable(address, "Postgres", DATABASE_URL_ENV)
        return cls(
            host=address.host, port=address.port, dbname=address.dbname, user=address.user, url=url
        )

    @classmethod
    def launch(cls, workdir: Path, port: int, registry: ProcessRegistry) -> PostgresService:
        """Prepare a data folder in ``workdir`` and spawn the server; call :meth:`wait_ready` next."""
        binaries = find_postgres()
        run_as = server_run_as()
        home = workdir / "postgres"
        home.mkdir(mode=0o711)
        log_path = home / "postgres.log"
        log_path.touch()
        data_dir = home / "data"
        if run_as:
            # The unprivileged account must reach the binaries and its data folder.
            make_traversable(binaries.bin_dir)
            make_traversable(home)
        prepare_data_dir(binaries, data_dir, run_as, log_path)
        password, admin_password = secrets.token_urlsafe(24), secrets.token_urlsafe(24)
        set_passwords(
            binaries, data_dir, run_as, log_path, {APP_ROLE: password, SUPERUSER: admin_password}
        )
        argv = [str(binaries.postgres), "-D", str(data_dir), "-p", str(port)]
        for setting in _SERVER_SETTINGS:
            argv += ["-c", setting]
        spec = ProcessSpec(
            name="postgres",
            argv=tuple(argv),
            env={"LC_ALL": "C", "TZ": "UTC"},
            cwd=home,
            user=run_as,
            ready_port=port,
            ready_check=lambda: _accepting_connections(data_dir),
            stop_signal=_STOP_SIGNALS["fast"],
            stop_timeout=10.0,
            # Immediate shutdown: the postmaster stops its backends and frees its
            # shared memory, which SIGKILL would leak.
            parent_death_signal=signal.SIGQUIT,
            log_path=log_path,
            folder=workdir,
        )
        process = ManagedProcess(spec, registry).start()
        return cls(
            host=LOOPBACK,
            port=port,
            dbname=DBNAME,
            user=APP_ROLE,
            process=process,
            data_dir=data_dir,
            password=password,
            admin=(SUPERUSER, admin_password),
        )

    # -- address ------------------------------------------------------------------------

    @property
    def url(self) -> str:
        """The app's libpq URL with its password, usable by psycopg, Django (dj-database-url
        style) and psql."""
        if self._url:
            return self._url
        return self._url_for(self.user, self.password)

    @property
    def admin_url(self) -> str:
        """The superuser's URL (embedded), or the one URL of an external server."""
        if self._url or self._admin is None:
            return self.url
        return self._url_for(*self._admin)

    def _url_for(self, user: str, password: str | None) -> str:
        auth = f"{user}:{quote(password, safe='')}" if password else user
        return f"postgresql://{auth}@{self.host}:{self.port}/{self.dbname}"

    # -- process faults ---------------------------------------------------------------

    def terminate_backends(self, application_name: str | None = None) -> int:
        """``pg_terminate_backend`` every client connection (or only ``application_name``'s).

        Waits until the backends have exited, so the next use of a terminated
        connection fails. The harness's own connection is spared. Returns how
        many were terminated.
        """
        self._require_embedded("terminate_backends()")
        import psycopg

        query = """
            SELECT count(*) FILTER (WHERE pg_terminate_backend(pid, 5000))
            FROM pg_stat_activity
            WHERE backend_type = 'client backend'
              AND pid <> pg_backend_pid()
              AND (%(app)s::text IS NULL OR application_name = %(app)s::text)
        """
        with psycopg.connect(
            self.admin_url,
            application_name=HARNESS_APPLICATION_NAME,
            autocommit=True,
            connect_timeout=5,
        ) as conn:
            row = conn.execute(query, {"app": application_name}).fetchone()
        return int(row[0]) if row else 0

    def stop(self, mode: StopMode = "fast") -> None:
        """Shut the server down (``fast``: roll back and disconnect clients; ``immediate``: crash-like).

        Data is kept; :meth:`start` brings the server back on the same port.
        """
        process = self._require_embedded("stop()")
        if mode not in _STOP_SIGNALS:
            raise ServiceError(
                f"unknown Postgres stop mode {mode!r}", hint="use smart, fast or immediate"
            )
        process.stop(_STOP_SIGNALS[mode])

    def start(self, timeout: float = 30.0) -> None:
        """Start the server again on the same port with the same data (recovering after a crash)."""
        process = self._require_embedded("start()")
        process.start().wait_ready(timeout)

    def kill(self) -> None:
        """SIGKILL the postmaster; its backends exit on their own, the next start recovers."""
        self._require_embedded("kill()").kill()

    def restart(self, mode: StopMode = "fast") -> None:
        """:meth:`stop` then :meth:`start`."""
        self.stop(mode)
        self.start()

    # -- lifecycle (used by Services) --------------------------------------------------

    def close(self) -> None:
        """Stop the embedded server for good and free what a killed one left behind."""
        if self._process is None:
            return
        self._process.stop()
        if self._data_dir:
            _free_stale_shared_memory(self._data_dir)


def _accepting_connections(data_dir: Path) -> bool:
    # The postmaster writes "ready" on line 8 of postmaster.pid once it accepts
    # connections (what pg_ctl waits for); an open port alone may still answer
    # "the database system is starting up".
    try:
        lines = (data_dir / "postmaster.pid").read_text().splitlines()
    except OSError:
        return False
    return len(lines) >= 8 and lines[7].strip() == "ready"


def _free_stale_shared_memory(data_dir: Path) -> None:
    # A postmaster killed with SIGKILL leaves its System V segment behind, and
    # only a later start in the same folder would remove it.
    try:
        lines = (data_dir / "postmaster.pid").read_text().splitlines()
    except OSError:
        return
    if len(lines) >= 7 and len(lines[6].split()) == 2:
        shmid = lines[6].split()[1]
        with contextlib.suppress(OSError):
            subprocess.run(["ipcrm", "-m", shmid], capture_output=True, check=False)
