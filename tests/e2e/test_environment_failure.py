"""The harness's own Redis or Postgres killed mid-run: exit 3, naming the service and the end
of its log, no traceback, and the report and --json of the runs done before it."""

from __future__ import annotations

import json
import signal
import subprocess
import sys
import time
from functools import partial
from pathlib import Path

import psutil
import pytest

from tests.paychaos_cli import PLAIN_ENV

# The process names of the harness's own servers, children of the paychaos process.
SERVERS = {"Redis": "redis-server", "Postgres": "postgres"}


def _own_server(proc: subprocess.Popen[str], name: str) -> psutil.Process | None:
    """A server the paychaos process (or one of its worker processes) started itself
    (Postgres's postmaster, not a backend)."""
    try:
        found = psutil.Process(proc.pid).children(recursive=True)
        return next(
            (
                c
                for c in found
                if c.name().startswith(name) and not c.parent().name().startswith(name)
            ),
            None,
        )
    except psutil.Error:
        return None


def _app_server_up(proc: subprocess.Popen[str]) -> bool:
    """The app's server (uvicorn) is among the paychaos process's children: exploring begins
    (the task worker, also a python child, starts earlier)."""
    return _app_servers_up(proc, count=1)


def _app_servers_up(proc: subprocess.Popen[str], *, count: int) -> bool:
    """``count`` app servers (one per worker process) are among the paychaos process's
    descendants."""
    try:
        found = psutil.Process(proc.pid).children(recursive=True)
        return sum("uvicorn" in " ".join(c.cmdline()) for c in found) >= count
    except psutil.Error:
        return False


def _wait_for(what: str, proc: subprocess.Popen[str], found, polls: int = 3000):
    """Poll (every 0.1 s, ``polls`` times at most) until ``found()`` is truthy."""
    for _ in range(polls):
        value = found()
        if value:
            return value
        if proc.poll() is not None:
            raise AssertionError(f"paychaos ended before {what}: {proc.communicate()}")
        time.sleep(0.1)
    proc.kill()
    raise AssertionError(f"never saw {what}")


def _kill_mid_run(args: list[str], cwd: Path, begun, service: str) -> tuple[int, str, str]:
    """Run ``paychaos ARGS``; once ``begun()`` says runs are under way, kill -9 the harness's
    own ``service``; the exit status, stdout and stderr."""
    proc = subprocess.Popen(
        [sys.executable, "-m", "paychaos", *args], cwd=cwd, env=PLAIN_ENV, text=True,
        stdout=subprocess.PIPE, stderr=subprocess.PIPE,
    )  # fmt: skip
    try:
        _wait_for("runs under way", proc, lambda: begun(proc))
        server = _wait_for(service, proc, lambda: _own_server(proc, SERVERS[service]))
        server.send_signal(signal.SIGKILL)
        out, err = proc.communicate(timeout=300)
    finally:
        if proc.poll() is None:
            proc.kill()
            proc.communicate()
    assert proc.returncode == 3, out + err
    assert "Traceback" not in out + err, err
    flat = " ".join(err.split())  # the terminal wraps long lines
    assert f"the harness's own {service} failed" in flat, err
    return proc.returncode, out, flat


@pytest.mark.parametrize("service", ["Redis", "Postgres"])
def test_run_stops_with_exit_3_naming_the_dead_service_and_writes_the_partial_json(
    tmp_path: Path, service: str
):
    histories = tmp_path / "histories"
    # One environment, in the paychaos process (the test finds its servers among its children).
    args = ["run", "--workers", "1", "--json", str(tmp_path / "r.json"), "--out", str(histories)]
    # Two runs done (their histories written) and a third begun: then the kill.
    _, _, err = _kill_mid_run(
        args, tmp_path, lambda _p: len(list(histories.glob("*.jsonl"))) >= 3, service
    )
    assert "killed by SIGKILL" in err and "its log ends:" in err, err
    report = json.loads((tmp_path / "r.json").read_text())
    assert report["partial"] is True and report["exit_code"] == 3
    assert report["environment_failure"]["service"] == service
    assert report["environment_failure"]["log_tail"], "no log tail in the JSON"
    assert len(report["runs"]) >= 2, "the runs done before the kill are missing"
    assert (tmp_path / "report-run.html").exists()


def test_explore_stops_with_exit_3_and_writes_its_json_when_its_redis_dies(tmp_path: Path):
    args = ["explore", "--workers", "1", "--budget", "500", "--seed", "1", "--json", str(tmp_path / "e.json"),
            "--out", str(tmp_path / "results")]  # fmt: skip
    # Once the app server is up, exploring begins.
    _kill_mid_run(args, tmp_path, _app_server_up, "Redis")
    found = json.loads((tmp_path / "e.json").read_text())
    assert found["partial"] is True and found["exit_code"] == 3
    assert found["environment_failure"]["service"] == "Redis"
    assert found["finding"] is None and found["schedules"] < 500
    assert (tmp_path / "results" / "report-explore.html").exists()


def _histories_done(folder: Path, count: int):
    return lambda _p: len(list(folder.glob("*.jsonl"))) >= count


def test_with_two_workers_run_still_writes_the_partial_json_report_and_log_tail(tmp_path: Path):
    """A worker's environment failure reaches the command as itself (exit 3, the log tail),
    and the cells the workers finished before it are in the JSON and the report."""
    histories = tmp_path / "histories"
    args = ["run", "--workers", "2", "--json", str(tmp_path / "r.json"), "--out", str(histories)]
    # Six histories: with two cells at most under way (a cell writes one, or two with its
    # rerun), at least one cell is done.
    _, _, err = _kill_mid_run(args, tmp_path, _histories_done(histories, 6), "Redis")
    assert "killed by SIGKILL" in err and "its log ends:" in err, err
    report = json.loads((tmp_path / "r.json").read_text())
    assert report["partial"] is True and report["exit_code"] == 3
    assert report["environment_failure"]["service"] == "Redis"
    assert report["environment_failure"]["log_tail"], "no log tail in the JSON"
    assert report["runs"], "the cells done before the kill are missing"
    assert (tmp_path / "report-run.html").exists()


def test_with_two_workers_explore_still_writes_its_partial_json(tmp_path: Path):
    args = ["explore", "--workers", "2", "--budget", "500", "--seed", "1", "--json", str(tmp_path / "e.json"),
            "--out", str(tmp_path / "results")]  # fmt: skip
    # Once both workers' app servers are up (one killed while the other starts would be
    # a start failure), exploring begins.
    _, _, err = _kill_mid_run(args, tmp_path, partial(_app_servers_up, count=2), "Redis")
    assert "its log ends:" in err, err
    found = json.loads((tmp_path / "e.json").read_text())
    assert found["partial"] is True and found["exit_code"] == 3
    assert found["environment_failure"]["service"] == "Redis"
    assert found["environment_failure"]["log_tail"], "no log tail in the JSON"
    assert found["finding"] is None and found["schedules"] < 500
    assert (tmp_path / "results" / "report-explore.html").exists()
