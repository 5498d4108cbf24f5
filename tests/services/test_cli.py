"""``paychaos services``: URLs printed, Ctrl-C stops everything, bad input exits 2."""

from __future__ import annotations

import signal
import socket
import subprocess
import sys
from pathlib import Path

import psutil
import psycopg
import redis

from tests.paychaos_cli import paychaos

from .helpers import child_env, registry_files, wait_until_gone


def test_ctrl_c_stops_every_service_process_and_exits_zero(state_dir: Path):
    cli = subprocess.Popen(
        [sys.executable, "-m", "paychaos", "services"],
        stdout=subprocess.PIPE,
        stderr=subprocess.PIPE,
        text=True,
        env=child_env(state_dir),
    )
    try:
        assert cli.stdout is not None
        lines = dict(cli.stdout.readline().strip().split("=", 1) for _ in range(3))
        assert lines["PAYCHAOS_DATABASE_URL"].startswith("postgresql://paychaos_app:")
        assert lines["PAYCHAOS_DATABASE_ADMIN_URL"].startswith("postgresql://paychaos:")
        with psycopg.connect(lines["PAYCHAOS_DATABASE_URL"], connect_timeout=5) as conn:
            assert conn.execute("SELECT current_user").fetchone() == ("paychaos_app",)
        assert "@" in lines["PAYCHAOS_REDIS_URL"]  # the password is in the URL
        assert redis.Redis.from_url(lines["PAYCHAOS_REDIS_URL"]).ping() is True
        children = psutil.Process(cli.pid).children(recursive=True)
        pids = [c.pid for c in children]
        assert len(pids) >= 3
        cli.send_signal(signal.SIGINT)
        assert cli.wait(timeout=20) == 0
    finally:
        if cli.poll() is None:
            cli.kill()
    assert cli.stderr is not None and "services stopped" in cli.stderr.read()
    assert wait_until_gone(pids, timeout=1.0) == []
    assert registry_files(state_dir) == []


def test_a_taken_port_exits_2_with_a_two_line_message(state_dir: Path):
    with socket.socket() as squatter:
        squatter.bind(("127.0.0.1", 0))
        squatter.listen()
        port = squatter.getsockname()[1]
        out = paychaos("services", "--postgres-port", str(port), env=child_env(state_dir))
    assert out.returncode == 2
    assert f"port {port} on 127.0.0.1 is taken" in out.stderr
    assert "hint:" in out.stderr
    assert "Traceback" not in out.stderr
    assert registry_files(state_dir) == []


def test_a_missing_binary_exits_2_and_names_the_setting(state_dir: Path):
    out = paychaos("services", env=child_env(state_dir, PAYCHAOS_REDIS_SERVER="/nonexistent/redis"))
    assert out.returncode == 2
    assert "PAYCHAOS_REDIS_SERVER=/nonexistent/redis is not an executable file" in out.stderr
    assert "Traceback" not in out.stderr


def test_a_missing_postgres_folder_exits_2_and_names_the_setting(state_dir: Path, tmp_path: Path):
    out = paychaos("services", env=child_env(state_dir, PAYCHAOS_PG_BIN=str(tmp_path)))
    assert out.returncode == 2
    assert "does not hold executable initdb and postgres" in out.stderr
    assert registry_files(state_dir) == []
