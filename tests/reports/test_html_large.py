"""A large command stays readable: passing runs are folded and drawn only when opened, a long
history scrolls at a readable slot width and ``fit`` brings it into the page."""

from __future__ import annotations

from pathlib import Path

import pytest

from paychaos.history import History
from paychaos.report_html import write_html
from paychaos.runner import RunResult
from paychaos.schedule import Scenario
from paychaos.state import FinalState
from tests.reports import browser
from tests.reports.browser import browser_page

RUNS = 30
OPS_PER_RUN = 600  # 1,200 events, plus a fault window every 100 operations


def _long_run(number: int) -> RunResult:
    history = History()
    for i in range(OPS_PER_RUN):
        if i % 100 == 0:
            phase = "on" if i % 200 == 0 else "off"
            history.record("nemesis", "fault", {"target": "redis", "fault": "down", "phase": phase})
        op = history.invoke(f"customer:c{i % 3 + 1}", "validate", {"session": f"cs_{i}"})
        if i % 7 == 0:
            op.info({"error": "timed out"})
        else:
            op.ok({"told": "success"})
    return RunResult(
        scenario=Scenario(name=f"long-{number}", story="many validate calls", steps=()),
        variant="correct",
        seed=number,
        violations=(),
        history=tuple(history.events()),
        state=FinalState(),
    )


def test_thirty_long_runs_open_folded_and_draw_when_opened(tmp_path: Path):
    path = tmp_path / "large.html"
    write_html(path, [_long_run(n) for n in range(RUNS)], title="large", replay_for=lambda _r: None)
    with browser_page(width=1400, height=900) as (page, problems):
        page.goto(path.as_uri())
        assert page.locator("details.run").count() == RUNS
        assert page.locator("svg.timeline-svg").count() == 0  # nothing drawn while folded
        run = page.locator("details.run#run-3")
        run.locator("> summary").click()
        # <details> fires "toggle" as a task after the click: wait for the drawing it starts.
        run.locator("svg.timeline-svg").wait_for(state="attached", timeout=60_000)
        assert page.locator("svg.timeline-svg").count() == 1
        svg = run.locator("svg.timeline-svg")
        assert run.locator("svg rect.op").count() == OPS_PER_RUN + 6
        assert run.locator("svg rect.fault-window").count() == 3
        assert run.locator("svg rect.op-info").count() == len(range(0, OPS_PER_RUN, 7))
        wide = float(svg.get_attribute("width") or 0)
        room = run.locator(".timeline").evaluate("n => n.clientWidth")
        assert wide > room  # a readable slot per event: the timeline scrolls
        run.locator("[data-zoom=fit]").click()
        assert float(svg.get_attribute("width") or 0) <= room
    assert problems == []


def test_a_missing_browser_fails_in_ci_and_skips_elsewhere(monkeypatch: pytest.MonkeyPatch):
    monkeypatch.setattr(browser, "CANDIDATES", ("no-such-chromium-here",))
    monkeypatch.setenv("CI", "true")
    with pytest.raises(pytest.fail.Exception, match="apt-get install -y chromium"):
        browser.chromium_path()
    monkeypatch.delenv("CI")
    monkeypatch.delenv("PAYCHAOS_REQUIRE_BROWSER", raising=False)
    with pytest.raises(pytest.skip.Exception, match="PAYCHAOS_REQUIRE_BROWSER=1"):
        browser.chromium_path()
