"""Running the paychaos command as a person does: a subprocess, its exit code and output."""

from __future__ import annotations

import subprocess
import sys


def paychaos(*args: str, cwd=None, timeout: float = 300) -> subprocess.CompletedProcess[str]:
    return subprocess.run(
        [sys.executable, "-m", "paychaos", *args],
        capture_output=True,
        text=True,
        timeout=timeout,
        cwd=cwd,
        env={"COLUMNS": "200", "PATH": "/usr/bin:/bin"},
    )
