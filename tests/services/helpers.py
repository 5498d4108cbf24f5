"""Process counting and CLI helpers for the services tests."""

from __future__ import annotations

import os
import time
from collections.abc import Iterable
from pathlib import Path

import psutil

SERVICE_ENV_VARS = (
    "PAYCHAOS_DATABASE_URL",
    "PAYCHAOS_REDIS_URL",
    "PAYCHAOS_PG_BIN",
    "PAYCHAOS_REDIS_SERVER",
)


def alive(pids: Iterable[int]) -> list[int]:
    """The pids that still belong to a running (not zombie) process."""
    found = []
    for pid in pids:
        try:
            if psutil.Process(pid).status() != psutil.STATUS_ZOMBIE:
                found.append(pid)
        except psutil.NoSuchProcess:
            pass
    return found


def wait_until_gone(pids: Iterable[int], timeout: float = 5.0) -> list[int]:
    """Poll until none of ``pids`` runs; returns those still running after ``timeout``."""
    pids = list(pids)
    deadline = time.monotonic() + timeout
    while (left := alive(pids)) and time.monotonic() < deadline:
        time.sleep(0.02)
    return left


def children() -> set[int]:
    """Running (not zombie) direct children of the test process: what the harness spawned."""
    return set(alive(p.pid for p in psutil.Process().children()))


def registry_files(state_dir: Path) -> list[Path]:
    """The pid files currently in the registry."""
    return sorted((state_dir / "registry").glob("*.json"))


def child_env(state_dir: Path, **extra: str) -> dict[str, str]:
    """Environment for a paychaos subprocess: this test's registry, no external URLs."""
    env = {k: v for k, v in os.environ.items() if k not in SERVICE_ENV_VARS}
    env["PAYCHAOS_STATE_DIR"] = str(state_dir)
    env.update(extra)
    return env
