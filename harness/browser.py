"""The customer's browser (``--browser``): the app's own success page in headless Chromium.

Without it, a validate step calls the app's validate endpoint and the adapter *models* what
the success page would show. With it, the step loads the page the customer lands on after
Checkout, lets the page's own script ask validate, and reads what the page shows.

One browser per environment, started with it and closed with it; every validate gets a page
of its own (its own cookies), closed once read. Playwright runs on a thread of its own with an
event loop, so validates the runner starts from several threads (a forced race) load their
pages at the same time, as two customers' browsers would.

The page answers one validate per step: a retry the page's script makes (a page "still
confirming" asks again) is refused and read as "pending", so the app sees exactly the calls
the schedule asked for, as without ``--browser``.

Playwright and Chromium are optional: this module imports Playwright only when a browser
starts, and says how to install both when either is missing. The browser is always the
system's Chromium (Debian's ``chromium`` package), never one downloaded at run time.

Everything the browser writes (Playwright's profile and artifacts folders, Chromium's own
scratch files) goes into one temporary folder of the browser's, ``paychaos-browser-*``,
which carries the owner marker and is recorded in the registry: ``close`` removes it, and
the next start removes it if the harness was killed before it could.
"""

from __future__ import annotations

import asyncio
import contextlib
import json
import os
import shutil
import tempfile
import threading
from collections.abc import Callable, Iterator, Mapping
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from paychaos.errors import ConfigError

INSTALL_HINT = (
    "pip install playwright (or pip install 'paychaos[dev]'), and the system Chromium: "
    "apt-get install chromium; paychaos never downloads a browser"
)
CHROMIUM_NAMES = ("chromium", "chromium-browser")
# How much of what the page shows goes into the history.
PAGE_TEXT_LIMIT = 200
# The step by which a page's clock is moved on once it has its answer (seconds).
CLOCK_STEP = 0.25
# How long closing the browser may take before the environment stops waiting for it.
CLOSE_TIMEOUT = 30.0
# Held while TMPDIR is pointed at a browser's folder for the spawn of its Playwright driver.
_SPAWN_LOCK = threading.Lock()


@dataclass(frozen=True)
class PageReading:
    """What the success page showed, and the answer its script got from the app.

    ``told`` is the outcome whose selector the page showed, or "pending" (the page asked
    again, or showed nothing decisive in time). ``http_status``/``body`` are the app's answer
    to the page's first call (None: it did not answer); ``error`` says why not.
    """

    told: str
    page_text: str
    http_status: int | None = None
    body: dict[str, Any] | None = None
    error: str | None = None
    asked_again: bool = False


def find_chromium() -> str:
    """The system Chromium's path, or a ConfigError saying how to install it."""
    for name in CHROMIUM_NAMES:
        found = shutil.which(name)
        if found:
            return found
        if Path(f"/usr/bin/{name}").exists():
            return f"/usr/bin/{name}"
    raise ConfigError("--browser: no Chromium on this machine", hint=INSTALL_HINT)


class CustomerBrowser:
    """Headless system Chromium driven by Playwright, for reading success pages.

    >>> with CustomerBrowser() as browser:   # doctest: +SKIP
    ...     browser.read(url, {"success": "text=Payment successful"}, timeout=5.0)
    """

    def __init__(self, executable: str | None = None):
        self.executable = executable
        self._loop: asyncio.AbstractEventLoop | None = None
        self._thread: threading.Thread | None = None
        self._driver: Any = None
        self._browser: Any = None
        self._folder: Path | None = None
        self._folder_entry: Path | None = None

    def __enter__(self) -> CustomerBrowser:
        self.start()
        return self

    def __exit__(self, *exc: object) -> None:
        self.close()

    def start(self) -> None:
        """Launch Chromium; a ConfigError naming what to install when Playwright or it is missing."""
        try:
            from playwright.async_api import async_playwright
        except ImportError:
            raise ConfigError(
                "--browser needs Playwright for Python, which is not installed", hint=INSTALL_HINT
            ) from None
        executable = self.executable or find_chromium()
        folder = self._own_folder()
        loop = asyncio.new_event_loop()
        self._loop = loop
        self._thread = threading.Thread(
            target=loop.run_forever, name="paychaos-browser", daemon=True
        )
        self._thread.start()

        async def launch() -> None:
            # The driver (and the Chromium it launches) makes its profile and artifacts
            # folders in its own temp folder: ours, so a killed run leaves them to the reaper.
            with _temp_folder_for_children(folder):
                self._driver = await async_playwright().start()
            self._browser = await self._driver.chromium.launch(
                executable_path=executable, headless=True
            )

        try:
            self._call(launch(), timeout=120)
        except ConfigError:
            self.close()
            raise
        except Exception as exc:
            self.close()
            raise ConfigError(
                f"--browser: Chromium at {executable} did not start: {_short(exc)}",
                hint=INSTALL_HINT,
            ) from None

    def _own_folder(self) -> Path:
        """The browser's temporary folder, with the owner marker and a registry entry."""
        from paychaos.services.registry import ProcessRegistry

        registry = ProcessRegistry.default()
        registry.reap()  # a killed run's browser folder goes before this one is made
        self._folder = Path(tempfile.mkdtemp(prefix="paychaos-browser-"))
        self._folder_entry = registry.add_folder("browser", self._folder)
        return self._folder

    def _remove_folder(self) -> None:
        if self._folder is not None:
            from paychaos.services.registry import ProcessRegistry

            shutil.rmtree(self._folder, ignore_errors=True)
            ProcessRegistry.default().remove(self._folder_entry)
            self._folder = self._folder_entry = None

    def close(self) -> None:
        """Close the browser and the driver, stop the thread, remove the browser's folder;
        safe to call twice."""
        loop, thread = self._loop, self._thread
        if loop is None or thread is None:
            self._remove_folder()
            return

        async def shut() -> None:
            if self._browser is not None:
                await self._browser.close()
            if self._driver is not None:
                await self._driver.stop()

        try:
            self._call(shut(), timeout=CLOSE_TIMEOUT)
        except Exception:  # a browser that will not close must not keep the environment open
            pass
        finally:
            self._browser = self._driver = None
            loop.call_soon_threadsafe(loop.stop)
            thread.join(timeout=CLOSE_TIMEOUT)
            loop.close()
            self._loop = self._thread = None
            self._remove_folder()

    def read(
        self,
        url: str,
        outcomes: Mapping[str, str],
        timeout: float,
        on_call: Callable[[], None] | None = None,
    ) -> PageReading:
        """Load ``url`` in a fresh page and say which outcome it shows (its selector visible).

        The page's first call to the app is let through (``on_call`` is told when it leaves);
        waiting ends when the page shows an outcome, asks the app again (still confirming:
        "pending"), or after ``timeout`` seconds without either ("pending" too).
        """
        if self._browser is None:
            raise ConfigError("the customer's browser is not started")
        reading = self._read(url, dict(outcomes), timeout, on_call)
        return self._call(reading, timeout=timeout + 60)

    def _call(self, coroutine: Any, timeout: float) -> Any:
        assert self._loop is not None
        return asyncio.run_coroutine_threadsafe(coroutine, self._loop).result(timeout)

    async def _read(
        self,
        url: str,
        outcomes: dict[str, str],
        timeout: float,
        on_call: Callable[[], None] | None,
    ) -> PageReading:
        page = await self._browser.new_page()
        calls: list[Any] = []
        asked_again = asyncio.Event()
        answered = asyncio.Event()
        answer: dict[str, Any] = {}

        async def route(route: Any) -> None:
            request = route.request
            if request.resource_type not in ("fetch", "xhr"):
                await route.continue_()
            elif calls:  # the page asks again: one answer per validate step
                asked_again.set()
                await route.abort()
            else:
                calls.append(request)
                if on_call is not None:
                    on_call()
                await route.continue_()

        async def finished(request: Any) -> None:
            if calls and request is calls[0]:
                try:
                    response = await request.response()
                    answer["status"] = response.status if response else None
                    answer["body"] = _json_object(await response.body()) if response else None
                except Exception as exc:  # the page closed before its answer was read
                    answer["error"] = _short(exc)
                answered.set()

        def failed(request: Any) -> None:
            if calls and request is calls[0]:
                answer["error"] = f"the page's call failed: {request.failure}"
                answered.set()

        try:
            await page.route("**/*", route)
            page.on("requestfinished", finished)
            page.on("requestfailed", failed)
            told = await self._outcome(page, url, outcomes, asked_again, answered, timeout)
            # A page that showed an outcome, or asked again, had its answer (its body may
            # still be being read); a page still waiting on the app (it hangs) has none.
            if calls and not answered.is_set() and (told != "pending" or asked_again.is_set()):
                await _wait(answered, 5.0)
            if not calls:
                answer.setdefault("error", "the page made no call to the app")
            elif not answered.is_set():
                answer.setdefault("error", f"no answer to the page within {timeout:g}s")
            text = await _page_text(page)
        finally:
            await page.close()
        return PageReading(
            told=told,
            page_text=text,
            http_status=answer.get("status"),
            body=answer.get("body"),
            error=answer.get("error"),
            asked_again=asked_again.is_set(),
        )

    async def _outcome(
        self,
        page: Any,
        url: str,
        outcomes: dict[str, str],
        asked_again: asyncio.Event,
        answered: asyncio.Event,
        timeout: float,
    ) -> str:
        try:
            # The page's timers run on a clock the reader can move: once the page has its
            # answer, its later timers (a retry, a message after a delay) fire at once rather
            # than after real seconds, as if the customer had waited ``timeout`` seconds.
            await page.clock.install()
            await page.goto(url, wait_until="commit", timeout=timeout * 1000)
        except Exception:  # the page itself did not load: the customer sees no outcome
            return "pending"
        waits = {
            asyncio.ensure_future(
                page.locator(selector).first.wait_for(state="visible", timeout=timeout * 1000)
            ): outcome
            for outcome, selector in outcomes.items()
        }
        waits[asyncio.ensure_future(asked_again.wait())] = "pending"
        pending_waits = set(waits)
        waits[asyncio.ensure_future(_wait_on_page_clock(page, answered, timeout))] = "pending"
        try:
            while pending_waits:
                done, pending_waits = await asyncio.wait(
                    pending_waits, timeout=timeout, return_when=asyncio.FIRST_COMPLETED
                )
                if not done:
                    return "pending"
                for task in done:
                    if task.exception() is None:
                        return waits[task]
            return "pending"
        finally:
            for task in waits:
                task.cancel()
            await asyncio.gather(*waits, return_exceptions=True)


@contextlib.contextmanager
def _temp_folder_for_children(folder: Path) -> Iterator[None]:
    """Processes spawned meanwhile get ``folder`` as TMPDIR (this process's own temp folder,
    already settled by ``tempfile``, is unchanged)."""
    tempfile.gettempdir()  # settle this process's choice before TMPDIR moves
    with _SPAWN_LOCK:
        before = os.environ.get("TMPDIR")
        os.environ["TMPDIR"] = str(folder)
        try:
            yield
        finally:
            if before is None:
                os.environ.pop("TMPDIR", None)
            else:
                os.environ["TMPDIR"] = before


async def _wait_on_page_clock(page: Any, answered: asyncio.Event, timeout: float) -> None:
    """After the page's answer, move its clock ``timeout`` seconds on in small steps (its
    script registers a retry only once it has read the answer); real time flows meanwhile."""
    await answered.wait()
    for _ in range(int(timeout / CLOCK_STEP)):
        await page.clock.run_for(int(CLOCK_STEP * 1000))
    await asyncio.Event().wait()  # never decides by itself: the other waits or the timeout do


async def _wait(event: asyncio.Event, seconds: float) -> None:
    try:
        await asyncio.wait_for(event.wait(), seconds)
    except TimeoutError:
        pass


async def _page_text(page: Any) -> str:
    try:
        text = " ".join((await page.inner_text("body", timeout=2000)).split())
    except Exception:
        return ""
    return text if len(text) <= PAGE_TEXT_LIMIT else text[: PAGE_TEXT_LIMIT - 3] + "..."


def _json_object(raw: bytes) -> dict[str, Any] | None:
    try:
        body = json.loads(raw)
    except ValueError:
        return None
    return body if isinstance(body, dict) else None


def _short(exc: BaseException) -> str:
    text = f"{type(exc).__name__}: {exc}".splitlines()[0]
    return text if len(text) < 300 else text[:297] + "..."


__all__ = ["CustomerBrowser", "PageReading", "find_chromium"]
