"""ManagedProcess on its own: the generic handle the app-server launcher reuses."""

from __future__ import annotations

import threading
from pathlib import Path

import pytest

from paychaos.errors import ServiceError
from paychaos.net import free_port
from paychaos.services import ManagedProcess, ProcessSpec
from paychaos.services.registry import ProcessRegistry

from .helpers import alive, registry_files, wait_until_gone


def test_a_process_that_never_listens_times_out_with_a_clear_error_and_is_stopped(
    state_dir: Path,
):
    spec = ProcessSpec(name="mute", argv=("sleep", "30"), ready_port=free_port())
    proc = ManagedProcess(spec).start()
    pid = proc.pid
    with pytest.raises(ServiceError, match="mute was not ready after"):
        proc.wait_ready(timeout=0.3)
    assert pid is not None and alive([pid]) == []
    assert registry_files(state_dir) == []


def test_a_missing_binary_names_the_path(state_dir: Path):
    spec = ProcessSpec(name="ghost", argv=("/nonexistent/ghost-server",))
    with pytest.raises(ServiceError, match="/nonexistent/ghost-server does not exist"):
        ManagedProcess(spec).start()
    assert registry_files(state_dir) == []


def test_an_early_exit_reports_the_status_and_the_log(state_dir: Path, tmp_path: Path):
    spec = ProcessSpec(
        name="crasher",
        argv=("sh", "-c", "echo config is broken; exit 3"),
        ready_port=free_port(),
        log_path=tmp_path / "crasher.log",
    )
    with pytest.raises(ServiceError, match="crasher exited with status 3") as caught:
        ManagedProcess(spec).start().wait_ready(timeout=5)
    assert "config is broken" in (caught.value.hint or "")


def test_a_process_started_from_a_short_lived_thread_outlives_the_thread(state_dir: Path):
    # The parent-death signal fires when the spawning *thread* ends; spawns from
    # other threads go through a long-lived one.
    proc = ManagedProcess(
        ProcessSpec(name="sleeper", argv=("sleep", "30")), ProcessRegistry.default()
    )
    worker = threading.Thread(target=proc.start)
    worker.start()
    worker.join()
    pid = proc.pid
    assert pid is not None
    assert wait_until_gone([pid], timeout=0.3) == [pid]
    proc.stop()
    assert alive([pid]) == []


def test_a_port_someone_else_opened_after_the_start_does_not_count_as_ready(state_dir: Path):
    import socket

    port = free_port()
    proc = ManagedProcess(ProcessSpec(name="mute", argv=("sleep", "30"), ready_port=port)).start()
    with socket.socket() as squatter:
        squatter.bind(("127.0.0.1", port))
        squatter.listen()
        with pytest.raises(ServiceError, match="mute was not ready after"):
            proc.wait_ready(timeout=0.3)
