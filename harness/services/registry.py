"""Pid files for every process and folder the harness owns, so a crashed run can be reaped.

Each live resource has one small JSON file in a registry folder naming:

- the *owner* (the harness process) by pid and start time,
- the *process* it spawned by pid and start time (a recycled pid never matches both),
- the signal that stops the process cleanly,
- or, for a folder entry, the temporary folder to remove.

When a harness process dies without cleaning up (SIGKILL, power loss of the
terminal, a crash in C code), its children usually die with it through
``PR_SET_PDEATHSIG``; whatever survives, and every temporary folder, is removed
by :meth:`ProcessRegistry.reap`, which the next start calls. Entries whose owner
is still alive are never touched, so concurrent runs of the same user are safe.
"""

from __future__ import annotations

import contextlib
import json
import os
import shutil
import signal
import tempfile
import time
from dataclasses import asdict, dataclass
from pathlib import Path

import psutil

from paychaos.errors import ConfigError

#: A folder the reaper may delete holds this file; a corrupt pid file can never
#: make the reaper delete anything else.
OWNED_MARKER = ".paychaos-owned"

_START_TIME_TOLERANCE = 0.05  # seconds; psutil derives start times from clock ticks


def process_start_time(pid: int) -> float | None:
    """Start time of ``pid`` (seconds since the epoch), or None if it is gone or a zombie."""
    try:
        proc = psutil.Process(pid)
        if proc.status() == psutil.STATUS_ZOMBIE:
            return None
        return float(proc.create_time())
    except (psutil.NoSuchProcess, psutil.AccessDenied):
        return None


def is_same_process(pid: int, started: float) -> bool:
    """True when ``pid`` is alive, not a zombie, and is the process that started at ``started``."""
    now = process_start_time(pid)
    return now is not None and abs(now - started) < _START_TIME_TOLERANCE


@dataclass(frozen=True)
class RegistryEntry:
    """One resource owned by one harness process: a child process or a temporary folder."""

    name: str
    owner_pid: int
    owner_started: float
    pid: int | None = None
    started: float | None = None
    stop_signal: int = int(signal.SIGTERM)
    folder: str | None = None

    def owner_alive(self) -> bool:
        """True while the harness process that wrote this entry still runs."""
        return is_same_process(self.owner_pid, self.owner_started)


def state_dir() -> Path:
    """The folder every paychaos run of this user keeps its registry and port claims in.

    ``PAYCHAOS_STATE_DIR`` overrides the location (default: a folder named for the user id
    under the system temp folder, so a reboot clears it).
    """
    override = os.environ.get("PAYCHAOS_STATE_DIR")
    base = Path(override) if override else Path(tempfile.gettempdir()) / f"paychaos-{os.geteuid()}"
    base.mkdir(parents=True, exist_ok=True, mode=0o700)
    _check_private(base)
    return base


def owner_record() -> str:
    """This process as the owner of a claim: its pid and start time, as JSON."""
    pid, started = _owner_identity()
    return json.dumps({"owner_pid": pid, "owner_started": started})


def _owner_identity() -> tuple[int, float]:
    pid = os.getpid()
    started = process_start_time(pid)
    assert started is not None  # we are running
    return pid, started


class ProcessRegistry:
    """A folder of pid files; see the module docstring.

    >>> registry = ProcessRegistry.default()
    >>> reaped = registry.reap()  # entries left by crashed runs, now cleaned up
    """

    def __init__(self, folder: Path) -> None:
        self.folder = Path(folder)
        self.folder.mkdir(parents=True, exist_ok=True, mode=0o700)
        _check_private(self.folder)

    @classmethod
    def default(cls) -> ProcessRegistry:
        """The registry shared by every paychaos run of this user.

        See :func:`state_dir` for where it is.
        """
        return cls(state_dir() / "registry")

    # -- writing -----------------------------------------------------------------

    def add_process(
        self, name: str, pid: int, stop_signal: int, folder: Path | None = None
    ) -> Path:
        """Record a child process just spawned by this harness process; returns its pid file."""
        started = process_start_time(pid)
        owner_pid, owner_started = _owner_identity()
        entry = RegistryEntry(
            name=name,
            owner_pid=owner_pid,
            owner_started=owner_started,
            pid=pid,
            started=started if started is not None else 0.0,
            stop_signal=int(stop_signal),
            folder=str(folder) if folder else None,
        )
        return self._write(f"{owner_pid}.proc.{pid}.json", entry)

    def add_folder(self, name: str, folder: Path) -> Path:
        """Record a temporary folder this harness process owns; marks it so the reaper may remove it."""
        (folder / OWNED_MARKER).write_text(f"{os.getpid()}\n")
        owner_pid, owner_started = _owner_identity()
        entry = RegistryEntry(
            name=name, owner_pid=owner_pid, owner_started=owner_started, folder=str(folder)
        )
        return self._write(f"{owner_pid}.folder.{folder.name}.json", entry)

    def remove(self, pid_file: Path | None) -> None:
        """Forget an entry (its resource was cleaned up normally)."""
        if pid_file is not None:
            with contextlib.suppress(FileNotFoundError):
                pid_file.unlink()

    def _write(self, filename: str, entry: RegistryEntry) -> Path:
        path = self.folder / filename
        tmp = path.with_suffix(".tmp")
        tmp.write_text(json.dumps(asdict(entry)))
        os.replace(tmp, path)  # atomic: the reaper never reads half a file
        return path

    # -- reading and reaping -----------------------------------------------------------

    def entries(self) -> list[tuple[Path, RegistryEntry]]:
        """Every readable entry with its pid file; unreadable files are removed."""
        found: list[tuple[Path, RegistryEntry]] = []
        for path in sorted(self.folder.glob("*.json")):
            try:
                entry = RegistryEntry(**json.loads(path.read_text()))
            except FileNotFoundError:
                continue
            except (ValueError, TypeError):
                self.remove(path)
                continue
            found.append((path, entry))
        return found

    def reap(self, grace: float = 3.0) -> list[RegistryEntry]:
        """Stop the processes and remove the folders of every harness run that is gone.

        Processes get their stop signal, then SIGKILL after ``grace`` seconds;
        their descendants too. Returns the entries that were cleaned up.
        """
        orphaned = [(p, e) for p, e in self.entries() if not e.owner_alive()]
        procs = [(p, e) for p, e in orphaned if e.pid is not None]
        folders = [(p, e) for p, e in orphaned if e.pid is None]
        for path, entry in procs:
            _terminate_recorded(entry, grace)
            if entry.folder:
                _remove_owned_folder(Path(entry.folder))
            self.remove(path)
        for path, entry in folders:
            if entry.folder:
                _remove_owned_folder(Path(entry.folder))
            self.remove(path)
        _forget_dead_port_claims(self.folder.parent / "ports")
        return [e for _, e in orphaned]


def _forget_dead_port_claims(folder: Path) -> None:
    """Remove the port claims (``paychaos.net.stable_port``) of runs that are gone."""
    for path in folder.glob("*") if folder.is_dir() else ():
        alive = True
        try:
            owner = json.loads(path.read_text())
            alive = is_same_process(int(owner["owner_pid"]), float(owner["owner_started"]))
        except FileNotFoundError:
            continue
        except (ValueError, TypeError, KeyError):
            # Half written by a claim being made right now, or damaged: only an old one goes.
            with contextlib.suppress(OSError):
                alive = time.time() - path.stat().st_mtime < 60
        if not alive:
            with contextlib.suppress(FileNotFoundError):
                path.unlink()


def _terminate_recorded(entry: RegistryEntry, grace: float) -> None:
    assert entry.pid is not None
    if entry.started is None or not is_same_process(entry.pid, entry.started):
        return  # already gone, or the pid now belongs to someone else
    try:
        proc = psutil.Process(entry.pid)
        family = [proc, *proc.children(recursive=True)]
    except psutil.NoSuchProcess:
        return
    terminate_processes(family, entry.stop_signal, grace)


def terminate_processes(procs: list[psutil.Process], sig: int, grace: float) -> None:
    """Send ``sig`` to the first process (continuing it if paused), SIGKILL all survivors after ``grace``."""
    if not procs:
        return
    with contextlib.suppress(psutil.Error):
        procs[0].send_signal(signal.SIGCONT)
        procs[0].send_signal(sig)
    alive = wait_until_gone(procs, grace)
    for proc in alive:
        with contextlib.suppress(psutil.Error):
            proc.kill()
    wait_until_gone(alive, 2.0)


def wait_until_gone(procs: list[psutil.Process], timeout: float) -> list[psutil.Process]:
    """Poll until every process has exited; returns those still running after ``timeout``.

    A zombie counts as gone: it runs nothing, and only its parent (for a
    reparented orphan, init) can reap it. Polling never reaps, so the owner's
    ``Popen.wait`` still gets the real exit status.
    """
    deadline = time.monotonic() + timeout
    interval = 0.001
    while True:
        alive = [p for p in procs if _running(p)]
        if not alive or time.monotonic() >= deadline:
            return alive
        time.sleep(interval)
        interval = min(interval * 2, 0.02)


def _running(proc: psutil.Process) -> bool:
    try:
        return proc.is_running() and proc.status() != psutil.STATUS_ZOMBIE
    except psutil.Error:
        return False


def _remove_owned_folder(folder: Path) -> None:
    if (folder / OWNED_MARKER).exists():
        shutil.rmtree(folder, ignore_errors=True)


def _check_private(folder: Path) -> None:
    # The registry tells the reaper what to kill: it must be ours, not planted by another user.
    st = folder.lstat()
    if folder.is_symlink() or st.st_uid != os.geteuid():
        raise ConfigError(
            f"the paychaos state folder {folder} is not owned by the current user",
            hint="remove it, or set PAYCHAOS_STATE_DIR to a folder of your own",
        )
