"""Each example test module names its app (``NAME``); its venv is built once per module."""

from __future__ import annotations

from pathlib import Path

import pytest

from tests.examples._example import build_venv


@pytest.fixture(scope="module")
def example_venv(request: pytest.FixtureRequest) -> Path:
    return build_venv(request.module.NAME)
