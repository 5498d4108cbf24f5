"""A harness that crashes leaves nothing: children die with it, the next start reaps the rest."""

from __future__ import annotations

import json
import os
import signal
import subprocess
import sys
import textwrap
from pathlib import Path

import psutil

from paychaos.services import start_services
from paychaos.services.registry import ProcessRegistry

from .helpers import alive, child_env, registry_files, wait_until_gone

RUNNER = textwrap.dedent(
    """
    import json, sys, time
    from paychaos.services import start_services
    svc = start_services()
    print(json.dumps({"pids": svc.pids(), "workdir": str(svc.workdir)}), flush=True)
    time.sleep(60)
    """
)

# A runner whose child does not die with it (no parent-death signal): only
# the registry can clean it up.
STUBBORN_RUNNER = textwrap.dedent(
    """
    import json, pathlib, tempfile, time
    from paychaos.services.process import ManagedProcess, ProcessSpec
    from paychaos.services.registry import ProcessRegistry
    registry = ProcessRegistry.default()
    folder = pathlib.Path(tempfile.mkdtemp(prefix="paychaos-test-"))
    registry.add_folder("scratch", folder)
    spec = ProcessSpec(name="sleeper", argv=("sleep", "60"), parent_death_signal=None)
    proc = ManagedProcess(spec, registry).start()
    print(json.dumps({"pids": [proc.pid], "workdir": str(folder)}), flush=True)
    time.sleep(60)
    """
)


def _crash(script: str, state_dir: Path) -> dict:
    runner = subprocess.Popen(
        [sys.executable, "-c", script],
        stdout=subprocess.PIPE,
        text=True,
        env=child_env(state_dir),
    )
    try:
        assert runner.stdout is not None
        started = json.loads(runner.stdout.readline())
    finally:
        runner.send_signal(signal.SIGKILL)
        runner.wait()
    return started


def test_services_die_with_a_killed_runner_and_the_next_start_removes_its_folder(state_dir: Path):
    started = _crash(RUNNER, state_dir)
    assert wait_until_gone(started["pids"]) == []
    assert Path(started["workdir"]).exists()  # nobody cleaned up yet
    with start_services(redis=False) as svc:
        assert not Path(started["workdir"]).exists()
        owners = {json.loads(f.read_text())["owner_pid"] for f in registry_files(state_dir)}
        assert owners == {os.getpid()}
        assert svc.pids()
    assert registry_files(state_dir) == []


def test_the_next_start_kills_a_process_that_survived_its_runner(state_dir: Path):
    started = _crash(STUBBORN_RUNNER, state_dir)
    assert alive(started["pids"]) == started["pids"]  # outlived the runner
    with start_services(postgres=False):
        assert wait_until_gone(started["pids"], timeout=1.0) == []
        assert not Path(started["workdir"]).exists()


def test_reaping_spares_a_live_run_and_a_recycled_pid(state_dir: Path):
    registry = ProcessRegistry.default()
    with start_services(postgres=False) as live_run:
        # An entry whose owner is dead but whose pid now belongs to an unrelated
        # process (different start time): it must not be killed.
        bystander = subprocess.Popen(["sleep", "30"])
        dead_owner = subprocess.Popen(["true"])
        dead_owner.wait()
        fake = {
            "name": "recycled",
            "owner_pid": dead_owner.pid,
            "owner_started": 1.0,
            "pid": bystander.pid,
            "started": psutil.Process(bystander.pid).create_time() - 100,
            "stop_signal": int(signal.SIGKILL),
            "folder": None,
        }
        (registry.folder / "recycled.json").write_text(json.dumps(fake))
        try:
            reaped = registry.reap()
            assert [e.name for e in reaped] == ["recycled"]
            assert alive([bystander.pid]) == [bystander.pid]
            assert alive(live_run.pids()) == live_run.pids()
        finally:
            bystander.kill()
            bystander.wait()
