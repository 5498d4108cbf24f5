"""The system Chromium (Debian's ``chromium`` package) driven by Playwright, for the report's
browser tests. Never a browser download: where Chromium is missing, the tests say how to
install it, and fail in CI (``CI`` set) or when ``PAYCHAOS_REQUIRE_BROWSER=1``; elsewhere
they skip with that message."""

from __future__ import annotations

import os
import shutil
from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path
from typing import Any

import pytest

INSTALL = "apt-get update && apt-get install -y chromium"
CANDIDATES = ("chromium", "chromium-browser")


def chromium_path() -> Path:
    """The system Chromium, or a failure/skip that says how to install it."""
    for name in CANDIDATES:
        found = shutil.which(name) or (
            f"/usr/bin/{name}" if Path(f"/usr/bin/{name}").exists() else None
        )
        if found:
            return Path(found)
    _missing(f"no Chromium on this machine; the report's browser tests need Debian's: {INSTALL}")
    raise AssertionError("unreachable")


def _missing(message: str) -> None:
    if os.environ.get("CI") or os.environ.get("PAYCHAOS_REQUIRE_BROWSER") == "1":
        pytest.fail(message, pytrace=False)
    pytest.skip(message + " (set PAYCHAOS_REQUIRE_BROWSER=1 to make this a failure)")


@contextmanager
def browser_page(width: int = 1500, height: int = 950) -> Iterator[tuple[Any, list[str]]]:
    """A page in headless system Chromium, and the list its console errors, uncaught script
    errors and any network request (the report must need none) are appended to."""
    executable = chromium_path()
    try:
        from playwright.sync_api import sync_playwright
    except ImportError:
        _missing("Playwright for Python is missing: pip install -e '.[dev]'")
        raise
    problems: list[str] = []
    with sync_playwright() as driver:
        browser = driver.chromium.launch(executable_path=str(executable), headless=True)
        try:
            page = browser.new_page(viewport={"width": width, "height": height})
            page.on(
                "console", lambda m: m.type == "error" and problems.append(f"console: {m.text}")
            )
            page.on("pageerror", lambda e: problems.append(f"page error: {e}"))
            page.route(
                "**/*",
                lambda route: (
                    route.continue_()
                    if route.request.url.startswith("file:")
                    else (problems.append(f"network: {route.request.url}"), route.abort())
                ),
            )
            yield page, problems
        finally:
            browser.close()
