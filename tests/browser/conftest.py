"""The customer's success page in a real browser (``--browser``): headless system Chromium.

Where Chromium or Playwright is missing these tests skip saying how to install them, and
fail in CI (``CI`` set) or with ``PAYCHAOS_REQUIRE_BROWSER=1`` (``tests.reports.browser``).
"""

from __future__ import annotations

from collections.abc import Iterator

import pytest

from paychaos.environment import Environment, EnvironmentOptions
from paychaos.reference_app.adapter import ReferenceAppAdapter
from tests.reports.browser import chromium_path


@pytest.fixture(scope="session")
def browser_installed() -> None:
    """Skip (or fail in CI) when the system Chromium or Playwright is missing."""
    chromium_path()
    pytest.importorskip("playwright.async_api", reason="Playwright for Python is missing")


@pytest.fixture(scope="module")
def reference_browser_env(browser_installed: None) -> Iterator[Environment]:
    """The reference app's environment whose validates go through its success page; closed
    with its module, so no second app server outlives it (other tests count them)."""
    with Environment(EnvironmentOptions(browser=True), adapter=ReferenceAppAdapter()) as env:
        yield env
