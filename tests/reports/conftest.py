"""The reports a CI gate keeps: one failing ``paychaos run`` writes the JUnit file and the HTML
report that the tests in this folder read (a JUnit parser, a schema, a real browser)."""

from __future__ import annotations

from dataclasses import dataclass
from pathlib import Path

import pytest

from tests.paychaos_cli import paychaos

# The fast failing run: Redis down while the webhook arrives breaks I1, I3, I4 and I5.
SCENARIO = "redis-down-during-webhook"
VARIANT = "seed_original"


@dataclass(frozen=True)
class Reports:
    """What one ``paychaos run --junit --html`` left behind."""

    folder: Path
    junit: Path
    html: Path
    stdout: str


@pytest.fixture(scope="session")
def failing_run_reports(tmp_path_factory: pytest.TempPathFactory) -> Reports:
    folder = tmp_path_factory.mktemp("reports")
    out = paychaos(
        "run", SCENARIO, "--variant", VARIANT, "--junit", "r.xml", "--html", "r.html", cwd=folder
    )
    assert out.returncode == 1, out.stdout + out.stderr
    return Reports(folder, folder / "r.xml", folder / "r.html", out.stdout)
