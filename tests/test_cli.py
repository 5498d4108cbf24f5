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


def test_a_budget_that_runs_nothing_is_refused_before_anything_starts():
    for budget in ("-5s", "0", "0m", "-3"):
        out = subprocess.run(
            [sys.executable, "-m", "paychaos", "explore", "--budget", budget],
            capture_output=True, text=True, check=False, timeout=60,
        )  # fmt: skip
        assert out.returncode == 2, (budget, out.stdout, out.stderr)
        assert "would run nothing" in out.stderr and "Traceback" not in out.stderr


def test_an_empty_variant_is_refused_with_the_names():
    out = subprocess.run(
        [sys.executable, "-m", "paychaos", "run", "--variant", ""],
        capture_output=True, text=True, check=False, timeout=60,
    )  # fmt: skip
    assert out.returncode == 2 and "names no variant" in out.stderr, out.stderr
    assert "seed_original" in out.stderr
