"""A ``paychaos run`` stopped by SIGTERM or SIGHUP cleans up at once; one killed by SIGKILL leaves only
what the next start removes. Either way, after the next start no process, port or folder of
the stopped run is left: not the services, not the app server, not the app's log folder,
not the Postgres data in shared memory."""

from __future__ import annotations

import json
import signal
import subprocess
import sys
import time
import uuid
from pathlib import Path

import psutil
import pytest

from paychaos.net import LOOPBACK, port_is_open
from paychaos.services import start_services

from .helpers import child_env, registry_files

_POLLS = 3000  # at 0.05 s apiece: a count bound, not a timing assertion
_MARK = "PAYCHAOS_SIGNAL_TEST_RUN"


def _poll(condition) -> bool:
    for _ in range(_POLLS):
        if condition():
            return True
        time.sleep(0.05)
    return condition()


def _marked(mark: str) -> list[psutil.Process]:
    """Every live process whose environment carries this test's marker."""
    found = []
    for proc in psutil.process_iter():
        try:
            if proc.status() != psutil.STATUS_ZOMBIE and proc.environ().get(_MARK) == mark:
                found.append(proc)
        except psutil.Error:
            continue
    return found


def _listening_ports(procs: list[psutil.Process]) -> set[int]:
    ports = set()
    for proc in procs:
        try:
            conns = proc.net_connections(kind="tcp")
        except psutil.Error:
            continue
        ports |= {c.laddr.port for c in conns if c.status == psutil.CONN_LISTEN}
    return ports


def _still_alive(family: list[psutil.Process]) -> list[psutil.Process]:
    alive = []
    for proc in family:
        try:
            if proc.is_running() and proc.status() != psutil.STATUS_ZOMBIE:
                alive.append(proc)
        except psutil.Error:
            continue
    return alive


@pytest.mark.parametrize(
    "sig", [signal.SIGTERM, signal.SIGHUP, signal.SIGKILL], ids=["SIGTERM", "SIGHUP", "SIGKILL"]
)
def test_a_stopped_run_leaves_nothing_after_the_next_start(
    sig: signal.Signals, state_dir: Path, tmp_path: Path
):
    temp = tmp_path / "tmp"
    temp.mkdir()
    results = tmp_path / "results"
    mark = uuid.uuid4().hex
    runner = subprocess.Popen(
        [sys.executable, "-m", "paychaos", "run", "redis-down-whole-flow",
         "--out", str(results / "histories")],
        stdout=subprocess.DEVNULL, stderr=subprocess.PIPE, text=True,
        env=child_env(state_dir, TMPDIR=str(temp), **{_MARK: mark}),
    )  # fmt: skip
    try:
        # Mid-run: the app server is up and the scenario has started writing its history.
        assert _poll(lambda: list(results.glob("histories/*.jsonl")) or runner.poll() is not None)
        assert runner.poll() is None, runner.stderr.read() if runner.stderr else ""
        entries = [json.loads(f.read_text()) for f in registry_files(state_dir)]
        folders = {Path(e["folder"]) for e in entries if e.get("folder")}
        family = [psutil.Process(runner.pid), *psutil.Process(runner.pid).children(recursive=True)]
        ports = _listening_ports(family)
        app_logs = list(temp.glob("paychaos-app-*"))
        # What the run owns is where the test looks: services in memory or temp, the app's
        # log folder, a server of each kind, and their ports.
        assert {e["name"] for e in entries} >= {"services", "app", "postgres", "redis"}
        assert app_logs and set(app_logs) <= folders
        assert len(family) >= 4 and len(ports) >= 4
        assert _marked(mark)  # the app server inherits the marker

        runner.send_signal(sig)
        code = runner.wait(timeout=120)
    finally:
        if runner.poll() is None:
            runner.kill()
            runner.wait()
    stderr = runner.stderr.read() if runner.stderr else ""
    if sig != signal.SIGKILL:
        assert code == 128 + sig, stderr
        assert f"stopped by {sig.name}" in stderr and "Traceback" not in stderr, stderr
        # Cleaned up by the run itself, before any next start.
        assert registry_files(state_dir) == []
        assert [f for f in folders if f.exists()] == []
    else:
        assert code == -signal.SIGKILL

    with start_services(postgres=False, redis=False):  # the next start reaps
        pass
    assert _poll(lambda: not _still_alive(family) and not _marked(mark))
    assert [p for p in ports if port_is_open(LOOPBACK, p, 0.2)] == []
    assert [f for f in folders if f.exists()] == []
    assert list(temp.glob("paychaos-*")) == []
    assert registry_files(state_dir) == []
