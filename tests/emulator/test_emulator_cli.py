"""``paychaos emulator``: serves until Ctrl-C, refuses a taken port with a clear message."""

from __future__ import annotations

import signal
import socket
import subprocess
import sys

import requests

CMD = [sys.executable, "-m", "paychaos", "emulator"]


def test_emulator_command_serves_and_stops_cleanly_on_ctrl_c():
    proc = subprocess.Popen(
        [*CMD, "--port", "0", "--seed", "3"],
        stdout=subprocess.PIPE,
        stderr=subprocess.PIPE,
        text=True,
    )
    try:
        base = proc.stdout.readline().strip().split("=", 1)[1]
        key = proc.stdout.readline().strip().split("=", 1)[1]
        name, _, token = proc.stdout.readline().strip().partition("=")
        assert name == "PAYCHAOS_EMULATOR_CONTROL_TOKEN" and len(token) >= 32
        refused = requests.get(
            f"{base}/_paychaos/health", headers={"Authorization": f"Bearer {key}"}, timeout=5
        )
        assert refused.status_code == 401  # the API key is the app's; the control is not
        health = requests.get(
            f"{base}/_paychaos/health", headers={"Authorization": f"Bearer {token}"}, timeout=5
        )
        assert health.json()["seed"] == 3
        proc.send_signal(signal.SIGINT)
        assert proc.wait(timeout=10) == 0
    finally:
        if proc.poll() is None:
            proc.kill()
            proc.wait()


def test_emulator_command_on_a_taken_port_exits_2_with_a_message():
    with socket.socket() as taken:
        taken.bind(("127.0.0.1", 0))
        taken.listen()
        port = taken.getsockname()[1]
        result = subprocess.run(
            [*CMD, "--port", str(port)], capture_output=True, text=True, timeout=30
        )
    assert result.returncode == 2
    assert f"port {port}" in result.stderr
    assert "Traceback" not in result.stderr
