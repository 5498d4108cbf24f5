"""Running the paychaos command as a person does: a subprocess, its exit code and output."""

from __future__ import annotations

import subprocess
import sys
from pathlib import Path

# What a person's shell gives the command: a wide terminal, a plain PATH, nothing of ours.
PLAIN_ENV = {"COLUMNS": "200", "PATH": "/usr/bin:/bin"}


def paychaos(
    *args: str,
    cwd: Path | str | None = None,
    env: dict[str, str] | None = None,
    timeout: float = 300,
) -> subprocess.CompletedProcess[str]:
    """Run ``paychaos ARGS`` to completion (``python -m paychaos`` of this venv)."""
    return subprocess.run(
        [sys.executable, "-m", "paychaos", *args],
        capture_output=True,
        text=True,
        timeout=timeout,
        cwd=cwd,
        env=PLAIN_ENV if env is None else env,
        check=False,
    )
