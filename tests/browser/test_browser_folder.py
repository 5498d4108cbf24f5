"""The customer's browser keeps every file it writes in one folder of its own, carrying the
owner marker: closing the browser removes it, and when the harness and its browser are killed
outright (SIGKILL to the whole process group, so nobody can clean up) the next start does."""

from __future__ import annotations

import json
import os
import shutil
import signal
import subprocess
import sys
import tempfile
import time
from collections.abc import Iterator
from pathlib import Path

import psutil
import pytest

from paychaos.services import start_services
from paychaos.services.registry import OWNED_MARKER
from tests.services.helpers import child_env, registry_files

_POLLS = 600  # at 0.05 s apiece: a count bound, not a timing assertion
_CHILD = """
import sys, time
from paychaos.browser import CustomerBrowser
browser = CustomerBrowser()
browser.start()
print("ready", flush=True)
if sys.argv[1] == "close":
    browser.close()
    print("closed", flush=True)
else:
    time.sleep(600)
"""


@pytest.fixture
def dirs(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> Iterator[tuple[Path, Path]]:
    state = tmp_path / "state"
    # Chromium's sockets live under TMPDIR, and a socket path has ~100 characters at most:
    # the browser's TMPDIR is a short folder of this test, not one under tmp_path.
    temp = Path(tempfile.mkdtemp(prefix="pcb-", dir="/tmp"))
    monkeypatch.setenv("PAYCHAOS_STATE_DIR", str(state))  # the reaping start below reads it
    yield state, temp
    shutil.rmtree(temp, ignore_errors=True)


def _browser(mode: str, state: Path, temp: Path) -> subprocess.Popen[str]:
    return subprocess.Popen(
        [sys.executable, "-c", _CHILD, mode],
        stdout=subprocess.PIPE,
        stderr=subprocess.PIPE,
        text=True,
        env=child_env(state, TMPDIR=str(temp)),
        start_new_session=True,  # its own process group, killed whole below
    )


def _alive(proc: psutil.Process) -> bool:
    try:
        return proc.is_running() and proc.status() != psutil.STATUS_ZOMBIE
    except psutil.Error:
        return False


def _profile_dirs(family: list[psutil.Process]) -> set[Path]:
    found = set()
    for proc in family:
        try:
            found |= {
                Path(arg.split("=", 1)[1])
                for arg in proc.cmdline()
                if arg.startswith("--user-data-dir=")
            }
        except psutil.Error:
            continue
    return found


def test_closing_the_browser_leaves_no_folder(browser_installed: None, dirs: tuple[Path, Path]):
    state, temp = dirs
    child = _browser("close", state, temp)
    out, err = child.communicate(timeout=180)
    assert child.returncode == 0 and out.split() == ["ready", "closed"], err
    assert list(temp.iterdir()) == []
    assert registry_files(state) == []


def test_a_killed_browser_leaves_only_what_the_next_start_removes(
    browser_installed: None, dirs: tuple[Path, Path]
):
    state, temp = dirs
    child = _browser("wait", state, temp)
    try:
        assert child.stdout is not None and child.stdout.readline().strip() == "ready"
        family = [psutil.Process(child.pid), *psutil.Process(child.pid).children(recursive=True)]
        profiles = _profile_dirs(family)
        # Chromium's profile lies in the browser's own folder, marked and recorded.
        assert len(profiles) == 1
        (owned,) = {p.parent for p in profiles}
        assert owned.parent == temp and owned.name.startswith("paychaos-browser-")
        assert (owned / OWNED_MARKER).exists()
        entries = [json.loads(f.read_text()) for f in registry_files(state)]
        assert [e["folder"] for e in entries if e["name"] == "browser"] == [str(owned)]
        assert sorted(p.name for p in temp.iterdir()) == [owned.name]  # nothing outside it
    finally:
        os.killpg(child.pid, signal.SIGKILL)
        child.wait()
    for _ in range(_POLLS):
        if not any(_alive(p) for p in family[1:]):
            break
        time.sleep(0.05)
    assert profiles <= {p for p in owned.iterdir()}  # nobody could clean up: left for the reaper

    with start_services(postgres=False, redis=False):  # the next start reaps
        pass
    assert list(temp.iterdir()) == []
    assert registry_files(state) == []
