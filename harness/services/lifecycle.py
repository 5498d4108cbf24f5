"""Start Postgres and Redis together, and make sure they stop, whatever happens to the harness."""

from __future__ import annotations

import atexit
import contextlib
import os
import shutil
import signal
import socket
import tempfile
import threading
from collections.abc import Callable, Iterator
from pathlib import Path
from types import TracebackType
from typing import TypeVar

from paychaos.errors import PaychaosError, PortTakenError, ServiceError
from paychaos.net import LOOPBACK, stable_port
from paychaos.services.external import DATABASE_URL_ENV, REDIS_URL_ENV
from paychaos.services.postgres_service import PostgresService
from paychaos.services.redis_service import RedisService
from paychaos.services.registry import ProcessRegistry

_Service = TypeVar("_Service", PostgresService, RedisService)
_MIN_SHM_FREE = 1 << 30  # bytes; below that, leave memory to the tests
_PORT_ATTEMPTS = 3  # a port picked free can be taken by someone else before the server binds it


class Services:
    """The running Postgres and Redis of one harness process. A context manager.

    Stopped by :meth:`stop`, by leaving the ``with`` block, or at interpreter exit.
    """

    def __init__(
        self,
        *,
        workdir: Path,
        registry: ProcessRegistry,
        folder_entry: Path | None,
    ) -> None:
        self.workdir = workdir
        self._registry = registry
        self._folder_entry = folder_entry
        self._postgres: PostgresService | None = None
        self._redis: RedisService | None = None
        self._owner_pid = os.getpid()
        self._stopped = False

    @property
    def postgres(self) -> PostgresService:
        """The Postgres server; PaychaosError if it was not started."""
        if self._postgres is None:
            raise PaychaosError(
                "Postgres was not started", hint="call start_services(postgres=True)"
            )
        return self._postgres

    @property
    def redis(self) -> RedisService:
        """The Redis server; PaychaosError if it was not started."""
        if self._redis is None:
            raise PaychaosError("Redis was not started", hint="call start_services(redis=True)")
        return self._redis

    def pids(self) -> list[int]:
        """Every OS process the services own right now (embedded servers and their children)."""
        found: list[int] = []
        for service in (self._postgres, self._redis):
            if service is not None:
                found += service.pids()
        return found

    def stop(self) -> None:
        """Stop every embedded server and remove the temporary folder. Idempotent.

        Ctrl-C, SIGTERM and SIGHUP are held back until the stop is complete, so a second
        Ctrl-C cannot leave half the services running.
        """
        if self._stopped or os.getpid() != self._owner_pid:
            return  # a forked child must not stop its parent's servers
        with _signals_deferred():
            for service in (self._redis, self._postgres):
                if service is not None:
                    with contextlib.suppress(Exception):
                        service.close()
            shutil.rmtree(self.workdir, ignore_errors=True)
            self._registry.remove(self._folder_entry)
            self._stopped = True
            _live.discard(self)

    def __enter__(self) -> Services:
        return self

    def __exit__(
        self,
        exc_type: type[BaseException] | None,
        exc: BaseException | None,
        tb: TracebackType | None,
    ) -> None:
        self.stop()


def start_services(
    workdir: Path | None = None,
    *,
    postgres: bool = True,
    redis: bool = True,
    postgres_port: int = 0,
    redis_port: int = 0,
) -> Services:
    """Start (or connect to) Postgres and Redis; returns :class:`Services`, a context manager.

    Embedded servers listen on 127.0.0.1, on free ports unless a port is given,
    with their files in a new temporary folder inside ``workdir`` (default:
    ``/dev/shm`` when it has room, else the system temp folder). ``PAYCHAOS_DATABASE_URL`` / ``PAYCHAOS_REDIS_URL`` select
    external servers instead, checked for reachability. Processes left by an
    earlier crashed run are reaped first. Any failure stops whatever had
    started and raises :class:`~paychaos.errors.ServiceError`.

    >>> with start_services() as svc:
    ...     svc.postgres.url, svc.redis.url
    ('postgresql://paychaos_app:...@127.0.0.1:54011/paychaos', 'redis://:...@127.0.0.1:54012/0')
    """
    database_url = os.environ.get(DATABASE_URL_ENV) or None
    redis_url = os.environ.get(REDIS_URL_ENV) or None
    for port, what in ((postgres_port, "Postgres"), (redis_port, "Redis")):
        _check_port_free(port, what)

    registry = ProcessRegistry.default()
    registry.reap()
    root = Path(tempfile.mkdtemp(prefix="paychaos-services-", dir=workdir or _scratch_parent()))
    services = Services(workdir=root, registry=registry, folder_entry=None)
    _live.add(services)
    try:
        services._folder_entry = registry.add_folder("services", root)
        # Redis spawns in milliseconds; Postgres needs its data folder first. Spawn
        # Redis, prepare and spawn Postgres, then wait for both: start-up overlaps.
        if redis and redis_url:
            services._redis = RedisService.external(redis_url)
        elif redis:
            services._redis = _launch(RedisService, root, redis_port, registry)
        if postgres and database_url:
            services._postgres = PostgresService.external(database_url)
        elif postgres:
            services._postgres = _launch(PostgresService, root, postgres_port, registry)
        if services._redis is not None:
            services._redis = _ready(services._redis, RedisService, root, redis_port, registry)
        if services._postgres is not None:
            services._postgres = _ready(
                services._postgres, PostgresService, root, postgres_port, registry
            )
    except BaseException:
        services.stop()
        raise
    return services


def _launch(kind: type[_Service], root: Path, port: int, registry: ProcessRegistry) -> _Service:
    return kind.launch(root, port or stable_port(), registry)


def _ready(
    service: _Service, kind: type[_Service], root: Path, port: int, registry: ProcessRegistry
) -> _Service:
    """Wait for ``service``; if a port picked free was taken meanwhile, launch again elsewhere."""
    for attempt in range(1, _PORT_ATTEMPTS + 1):
        try:
            service.wait_ready()
            return service
        except ServiceError as exc:
            lost_port_race = port == 0 and "in use" in str(exc.hint or "").lower()
            if not lost_port_race or attempt == _PORT_ATTEMPTS:
                raise
            service.close()
            shutil.rmtree(root / ("postgres" if kind is PostgresService else "redis"))
            service = _launch(kind, root, 0, registry)
    return service


def _scratch_parent() -> str:
    """Where server files go by default: memory (``/dev/shm``) when there is room, else temp.

    Copying a Postgres data folder onto a busy disk can take a second; into
    memory it takes a few tens of milliseconds, and test data needs no disk.
    """
    shm = "/dev/shm"
    try:
        st = os.statvfs(shm)
        if os.access(shm, os.W_OK | os.X_OK) and st.f_bavail * st.f_frsize > _MIN_SHM_FREE:
            return shm
    except OSError:
        pass
    return tempfile.gettempdir()


def _check_port_free(port: int, what: str) -> None:
    if port == 0:
        return
    with socket.socket(socket.AF_INET, socket.SOCK_STREAM) as sock:
        sock.setsockopt(socket.SOL_SOCKET, socket.SO_REUSEADDR, 1)
        try:
            sock.bind((LOOPBACK, port))
        except OSError as exc:
            raise PortTakenError(
                f"cannot start {what}: port {port} on {LOOPBACK} is taken ({exc.strerror})",
                hint="stop whatever listens there, or pass port 0 to pick a free one",
            ) from exc


# -- stopping at exit ----------------------------------------------------------------

_live: set[Services] = set()


@atexit.register
def _stop_all_at_exit() -> None:
    for services in list(_live):
        services.stop()


@contextlib.contextmanager
def _signals_deferred() -> Iterator[None]:
    # Blocked signals stay pending and are delivered (as KeyboardInterrupt etc.)
    # as soon as the mask is restored.
    if threading.current_thread() is not threading.main_thread():
        yield
        return
    held = {signal.SIGINT, signal.SIGTERM, signal.SIGHUP}
    previous = signal.pthread_sigmask(signal.SIG_BLOCK, held)
    try:
        yield
    finally:
        signal.pthread_sigmask(signal.SIG_SETMASK, previous)


def run_until_interrupted(on_ready: Callable[[], None] | None = None) -> None:
    """Block the main thread until Ctrl-C or SIGTERM (used by ``paychaos services``)."""
    stop = threading.Event()

    def _handler(signum: int, frame: object) -> None:
        stop.set()

    previous = {
        sig: signal.signal(sig, _handler) for sig in (signal.SIGINT, signal.SIGTERM, signal.SIGHUP)
    }
    try:
        if on_ready:
            on_ready()
        while not stop.wait(0.5):
            pass
    finally:
        for sig, handler in previous.items():
            signal.signal(sig, handler)
