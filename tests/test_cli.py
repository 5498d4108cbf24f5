"""The paychaos command itself."""

import subprocess
import sys


def test_help_lists_the_command_and_exits_zero():
    out = subprocess.run(
        [sys.executable, "-m", "paychaos", "--help"], capture_output=True, text=True, check=False
    )
    assert out.returncode == 0
    assert "paychaos" in out.stdout


def test_unknown_command_is_a_usage_error_with_exit_2():
    out = subprocess.run(
        [sys.executable, "-m", "paychaos", "no-such-command"],
        capture_output=True,
        text=True,
        check=False,
    )
    assert out.returncode == 2
    assert "No such command" in out.stderr + out.stdout
