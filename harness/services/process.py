"""A child process the harness owns: spawn, wait until ready, pause, stop, kill, start again.

Generic on purpose: Postgres, Redis and the app server under test all run
through :class:`ManagedProcess`.

Guarantees:

- **Nothing outlives the harness.** Each child gets ``PR_SET_PDEATHSIG`` (set
  *after* any user switch, because the kernel clears it on a credential change)
  and is spawned from a thread that lives as long as the harness, since the
  signal fires when the spawning *thread* ends. Each child is also recorded in
  a :class:`~paychaos.services.registry.ProcessRegistry`, so whatever survives a
  crash is reaped by the next start.
- **Its own session.** Children run in a new session, so Ctrl-C in a terminal
  reaches only the harness, which then stops them in order.
- **Clear failures.** A missing binary, or a process that exits before it is
  ready, raises :class:`~paychaos.errors.ServiceError` with the tail of its log.

>>> spec = ProcessSpec(name="redis", argv=("redis-server", "--port", "6390"), ready_port=6390)
>>> proc = ManagedProcess(spec).start().wait_ready()
>>> proc.pause(); proc.resume(); proc.stop()
"""

from __future__ import annotations

import contextlib
import ctypes
import os
import queue
import signal
import subprocess
import threading
import time
from collections.abc import Callable, Mapping
from concurrent.futures import Future
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any, TypeVar

import psutil

from paychaos.errors import ServiceError
from paychaos.net import LOOPBACK, port_is_open
from paychaos.services.registry import ProcessRegistry, terminate_processes, wait_until_gone

_PR_SET_PDEATHSIG = 1
_T = TypeVar("_T")


@dataclass(frozen=True)
class ProcessSpec:
    """How to run one child process.

    ``user`` switches to that account (only possible as root). ``ready_port``
    and ``ready_check`` define readiness: the port accepts TCP connections and
    the check (if any) returns True. ``stop_signal`` asks the process to stop
    cleanly; after ``stop_timeout`` seconds it is SIGKILLed.
    ``parent_death_signal`` is delivered if the harness dies (None: survive it,
    leaving cleanup to the reaper). ``folder`` is removed by the reaper if this
    process outlives a crashed harness.
    """

    name: str
    argv: tuple[str, ...]
    env: Mapping[str, str] | None = None
    cwd: Path | None = None
    user: str | None = None
    ready_port: int | None = None
    ready_host: str = LOOPBACK
    ready_check: Callable[[], bool] | None = field(default=None, compare=False)
    stop_signal: int = int(signal.SIGTERM)
    stop_timeout: float = 5.0
    parent_death_signal: int | None = int(signal.SIGKILL)
    log_path: Path | None = None
    folder: Path | None = None


class ManagedProcess:
    """One child process described by a :class:`ProcessSpec`; can be started again after it ends."""

    def __init__(self, spec: ProcessSpec, registry: ProcessRegistry | None = None) -> None:
        self.spec = spec
        self.registry = registry if registry is not None else ProcessRegistry.default()
        self._popen: subprocess.Popen[bytes] | None = None
        self._pid_file: Path | None = None
        # Descendants of a process killed with SIGKILL: they must be gone before
        # the next start (Postgres refuses to start while old backends hold its memory).
        self._orphans: list[psutil.Process] = []

    # -- state ------------------------------------------------------------------------

    @property
    def pid(self) -> int | None:
        """Pid of the current process, or None if it never started or has ended."""
        return self._popen.pid if self.running and self._popen else None

    @property
    def running(self) -> bool:
        """True while the process exists (paused counts as running)."""
        return self._popen is not None and self._popen.poll() is None

    @property
    def returncode(self) -> int | None:
        """Exit status of the last process once it ended (negative: killed by that signal)."""
        return self._popen.poll() if self._popen else None

    def pids(self) -> list[int]:
        """The process and all its live descendants (Postgres backends, server workers)."""
        found: list[int] = []
        if self.running and self._popen:
            with contextlib.suppress(psutil.Error):
                proc = psutil.Process(self._popen.pid)
                found = [proc.pid, *(c.pid for c in proc.children(recursive=True))]
        found += [p.pid for p in wait_until_gone(self._orphans, 0)]
        return found

    # -- lifecycle --------------------------------------------------------------------

    def start(self) -> ManagedProcess:
        """Spawn the process (without waiting for readiness); returns self for chaining."""
        if self.running:
            raise ServiceError(f"{self.spec.name} is already running (pid {self.pid})")
        self._wait_for_orphans()
        spec = self.spec
        if spec.ready_port is not None and port_is_open(spec.ready_host, spec.ready_port, 0.2):
            raise ServiceError(
                f"cannot start {spec.name}: port {spec.ready_port} on {spec.ready_host} is taken",
                hint="stop whatever listens there, or choose another port (0 picks a free one)",
            )
        log = open(self.spec.log_path, "ab") if self.spec.log_path else None  # noqa: SIM115
        try:
            self._popen = _on_spawner_thread(lambda: self._spawn(log))
        finally:
            if log:
                log.close()
        self._pid_file = self.registry.add_process(
            self.spec.name, self._popen.pid, self.spec.stop_signal, self.spec.folder
        )
        return self

    def wait_ready(self, timeout: float = 10.0) -> ManagedProcess:
        """Block until the process is ready; ServiceError if it exits or ``timeout`` passes first."""
        deadline = time.monotonic() + timeout
        interval = 0.002
        while True:
            if not self.running:
                code = self.returncode
                self._forget()
                raise ServiceError(
                    f"{self.spec.name} exited with status {code} before it was ready",
                    hint=self.log_tail() or "no output; run the command by hand to see why",
                )
            if self._is_ready():
                return self
            if time.monotonic() > deadline:
                tail = self.log_tail()
                self.stop()
                raise ServiceError(
                    f"{self.spec.name} was not ready after {timeout:g} s",
                    hint=tail or "no output; the machine may be overloaded",
                )
            time.sleep(interval)
            interval = min(interval * 2, 0.02)

    def stop(self, sig: int | None = None, timeout: float | None = None) -> None:
        """Stop with ``sig`` (default: the spec's stop signal), SIGKILL after ``timeout`` seconds.

        A paused process is continued first so it can act on the signal.
        Descendants still alive after the process ended are SIGKILLed too. Idempotent.
        """
        if self._popen is not None and self.running:
            family = self._family()
            terminate_processes(
                family,
                sig if sig is not None else self.spec.stop_signal,
                timeout if timeout is not None else self.spec.stop_timeout,
            )
            self._popen.wait()
        self._wait_for_orphans(grace=0.0)
        self._forget()

    def kill(self) -> None:
        """SIGKILL the process alone, as a crash would; its descendants are left to notice.

        They are waited for (and SIGKILLed if they linger) before the next :meth:`start`.
        """
        if self._popen is None or not self.running:
            return
        self._orphans += self._family()[1:]
        self._popen.kill()
        self._popen.wait()
        self._forget()

    def pause(self) -> None:
        """SIGSTOP the process; returns once the kernel reports it stopped."""
        proc = self._require_running("pause")
        proc.suspend()
        deadline = time.monotonic() + 2.0
        while proc.status() != psutil.STATUS_STOPPED and time.monotonic() < deadline:
            time.sleep(0.001)

    def resume(self) -> None:
        """SIGCONT a paused process."""
        self._require_running("resume").resume()

    def send_signal(self, sig: int) -> None:
        """Deliver ``sig`` to the process."""
        self._require_running("signal").send_signal(sig)

    def log_tail(self, max_chars: int = 1500) -> str:
        """The end of the process's log, for error messages."""
        if not self.spec.log_path or not self.spec.log_path.exists():
            return ""
        with open(self.spec.log_path, "rb") as fh:
            fh.seek(0, os.SEEK_END)
            fh.seek(max(0, fh.tell() - max_chars))
            return fh.read().decode(errors="replace").strip()

    # -- internals ----------------------------------------------------------------------

    def _spawn(self, log: Any) -> subprocess.Popen[bytes]:
        spec = self.spec
        user_args: dict[str, Any] = {}
        if spec.user is not None:
            user_args = {"user": spec.user, "group": _primary_group(spec.user), "extra_groups": []}
        try:
            return subprocess.Popen(
                list(spec.argv),
                env=dict(spec.env) if spec.env is not None else None,
                cwd=spec.cwd,
                stdin=subprocess.DEVNULL,
                stdout=log if log else subprocess.DEVNULL,
                stderr=subprocess.STDOUT,
                start_new_session=True,
                close_fds=True,
                preexec_fn=_die_with_parent(spec.parent_death_signal, os.getpid()),
                **user_args,
            )
        except FileNotFoundError as exc:
            raise ServiceError(
                f"cannot start {spec.name}: {spec.argv[0]} does not exist",
                hint="install it, or point paychaos at another binary (see README: services)",
            ) from exc
        except PermissionError as exc:
            raise ServiceError(
                f"cannot start {spec.name}: permission denied running {spec.argv[0]}",
                hint=f"make it executable{' by ' + spec.user if spec.user else ''}",
            ) from exc

    def _is_ready(self) -> bool:
        spec = self.spec
        if spec.ready_port is not None and not port_is_open(spec.ready_host, spec.ready_port, 0.2):
            return False
        if spec.ready_check and not spec.ready_check():
            return False
        # An open port may belong to someone who took it after our check: only
        # our own listening socket counts.
        return spec.ready_port is None or self._listens_on(spec.ready_port)

    def _listens_on(self, port: int) -> bool:
        for proc in self._family():
            try:
                conns = proc.net_connections(kind="tcp")
            except psutil.AccessDenied:
                return True  # cannot tell; trust the port
            except psutil.NoSuchProcess:
                continue
            if any(c.status == psutil.CONN_LISTEN and c.laddr.port == port for c in conns):
                return True
        return False

    def _family(self) -> list[psutil.Process]:
        assert self._popen is not None
        try:
            proc = psutil.Process(self._popen.pid)
            return [proc, *proc.children(recursive=True)]
        except psutil.NoSuchProcess:
            return []

    def _require_running(self, action: str) -> psutil.Process:
        if self._popen is None or not self.running:
            raise ServiceError(f"cannot {action} {self.spec.name}: it is not running")
        return psutil.Process(self._popen.pid)

    def _wait_for_orphans(self, grace: float | None = None) -> None:
        if self._orphans:
            alive = wait_until_gone(
                self._orphans, self.spec.stop_timeout if grace is None else grace
            )
            for proc in alive:
                with contextlib.suppress(psutil.Error):
                    proc.kill()
            wait_until_gone(alive, 2.0)
        self._orphans = []

    def _forget(self) -> None:
        self.registry.remove(self._pid_file)
        self._pid_file = None


def _primary_group(user: str) -> int:
    import pwd

    return pwd.getpwnam(user).pw_gid


_libc: Any = None


def _die_with_parent(sig: int | None, parent_pid: int) -> Callable[[], None] | None:
    """A pre-exec hook: deliver ``sig`` to the child when the spawning thread dies."""
    global _libc
    if sig is None or not hasattr(os, "fork"):
        return None
    try:
        if _libc is None:
            _libc = ctypes.CDLL(None, use_errno=True)
        prctl = _libc.prctl
    except (OSError, AttributeError):
        return None  # not Linux: the registry reaper is the only safety net

    def setup() -> None:
        # Runs in the child after subprocess switched user (which clears the setting).
        prctl(_PR_SET_PDEATHSIG, sig, 0, 0, 0)
        if os.getppid() != parent_pid:  # the parent died before prctl: nobody will tell us
            os._exit(1)

    return setup


# -- the spawner thread ----------------------------------------------------------------
# PR_SET_PDEATHSIG fires when the *thread* that forked the child ends. Children
# spawned from a short-lived worker thread would die with it, so spawns from any
# thread other than the main one go through one daemon thread that lives as long
# as the process.

_spawn_queue: queue.SimpleQueue[tuple[Callable[[], Any], Future[Any]]] | None = None
_spawn_lock = threading.Lock()


def _on_spawner_thread(fn: Callable[[], _T]) -> _T:
    global _spawn_queue
    if threading.current_thread() is threading.main_thread():
        return fn()
    with _spawn_lock:
        if _spawn_queue is None:
            _spawn_queue = queue.SimpleQueue()
            threading.Thread(
                target=_spawner_loop, args=(_spawn_queue,), name="paychaos-spawner", daemon=True
            ).start()
    future: Future[_T] = Future()
    _spawn_queue.put((fn, future))
    return future.result()


def _spawner_loop(jobs: queue.SimpleQueue[tuple[Callable[[], Any], Future[Any]]]) -> None:
    while True:
        fn, future = jobs.get()
        try:
            future.set_result(fn())
        except BaseException as exc:
            future.set_exception(exc)
