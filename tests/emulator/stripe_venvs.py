"""One virtualenv per stripe-python major, built once and kept in ``.venv-compat/`` (git-ignored).

The app under test pins its own stripe-python, often an older major than the
harness's; each venv holds only that major (and what it depends on), so the
compatibility tests speak to the emulator exactly as such an app would.
"""

from __future__ import annotations

import fcntl
import json
import shutil
import subprocess
import sys
from concurrent.futures import ThreadPoolExecutor
from pathlib import Path

REPO = Path(__file__).resolve().parents[2]
CACHE = REPO / ".venv-compat"
STRIPE_MAJORS = (11, 12, 13, 14, 15, 16)
MARKER = "paychaos-venv.json"


def _run(command: list[str], what: str) -> str:
    done = subprocess.run(command, capture_output=True, text=True, timeout=300)
    if done.returncode != 0:
        raise RuntimeError(f"{what} failed ({done.returncode}):\n{done.stdout}\n{done.stderr}")
    return done.stdout.strip()


def stripe_venv(major: int) -> Path:
    """The python of a venv holding ``stripe>=major,<major+1``; built on first use.

    A lock file makes concurrent test runs in the same clone wait for one builder;
    the marker is written last, so a half-built venv is rebuilt.
    """
    folder = CACHE / f"stripe-{major}"
    python = folder / "bin" / "python"
    marker = folder / MARKER
    requirement = f"stripe>={major},<{major + 1}"
    CACHE.mkdir(exist_ok=True)
    with open(CACHE / f"stripe-{major}.lock", "w") as lock:
        fcntl.flock(lock, fcntl.LOCK_EX)
        built = json.loads(marker.read_text()) if marker.exists() else {}
        if built.get("requirement") == requirement and python.exists():
            return python
        shutil.rmtree(folder, ignore_errors=True)
        # No pip inside: the harness's pip installs into it (--python), which saves
        # bootstrapping a pip per venv.
        _run([sys.executable, "-m", "venv", "--without-pip", str(folder)], f"venv {folder}")
        _run(
            [
                sys.executable,
                "-m",
                "pip",
                "--python",
                str(python),
                "install",
                "--quiet",
                "--disable-pip-version-check",
                requirement,
            ],
            f"pip install {requirement}",
        )
        version = _run([str(python), "-c", "import stripe; print(stripe.VERSION)"], "stripe")
        marker.write_text(json.dumps({"requirement": requirement, "version": version}))
    return python


def stripe_venvs(majors: tuple[int, ...] = STRIPE_MAJORS) -> dict[int, Path]:
    """The python of each major's venv, building the missing ones two at a time."""
    with ThreadPoolExecutor(max_workers=2) as pool:
        return dict(zip(majors, pool.map(stripe_venv, majors), strict=True))
