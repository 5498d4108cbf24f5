"""Fixtures for the services tests: an isolated pid-file registry and private services."""

from __future__ import annotations

from collections.abc import Iterator
from pathlib import Path

import pytest

from paychaos.services import Services, start_services

from .helpers import SERVICE_ENV_VARS


@pytest.fixture
def state_dir(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> Path:
    """A private registry folder, so reaping in one test never meets another test's entries."""
    folder = tmp_path / "state"
    monkeypatch.setenv("PAYCHAOS_STATE_DIR", str(folder))
    for name in SERVICE_ENV_VARS:
        monkeypatch.delenv(name, raising=False)
    return folder


@pytest.fixture
def services(state_dir: Path) -> Iterator[Services]:
    """Embedded Postgres and Redis of this test alone (tests here break them on purpose)."""
    with start_services() as svc:
        yield svc
