"""``--html``: the report opens in a real browser (headless system Chromium) with no console
error and no network request, and shows the matrix, a timeline with its lanes and fault
window, and the violation's evidence marked on the operation that proves it."""

from __future__ import annotations

from pathlib import Path

from tests.reports.browser import browser_page
from tests.reports.conftest import SCENARIO, VARIANT, Reports

# A CI artifact: the screenshot of the failing run's report.
SCREENSHOT = Path(__file__).resolve().parents[2] / "paychaos-results" / "report-timeline.png"


def test_the_report_shows_the_matrix_the_timeline_and_the_evidence(failing_run_reports: Reports):
    kept_copy = failing_run_reports.folder / "paychaos-results" / "report-run.html"
    assert kept_copy.read_bytes() == failing_run_reports.html.read_bytes()
    with browser_page() as (page, problems):
        page.goto(failing_run_reports.html.as_uri())
        matrix = page.locator("table.matrix")
        assert matrix.locator("th", has_text=VARIANT).count() == 1
        assert matrix.locator("td.broken").inner_text() == "I1 I3 I4 I5 I9"

        run = page.locator("details.run#run-0")
        assert run.get_attribute("open") is not None  # a failing run is shown open
        assert SCENARIO in run.locator("> summary").inner_text()
        lanes = run.locator(".lane-label").all_inner_texts()
        assert lanes == ["customer:c1", "stripe deliveries", "nemesis", "service:redis"]
        # Redis is down from the nemesis' "on" to its "off": one window, shaded across lanes.
        window = run.locator("svg rect.fault-window")
        assert window.count() == 1 and window.get_attribute("data-target") == "redis"
        assert run.locator("svg rect.fault-bar").count() == 1
        assert run.locator("svg rect.op").count() == 12  # 24 events: 12 invoke/completion pairs
        assert run.locator("svg rect.op-fail").count() == 1  # the validate told "failed"

        # I4's evidence is history event #11 (that validate); I5's are the 4 delivery attempts.
        markers = run.locator("svg .violation-marker")
        assert sorted(markers.evaluate_all("ns => ns.map(n => n.dataset.invariants)")) == [
            "I4", "I5", "I5", "I5", "I5",
        ]  # fmt: skip
        told = run.locator("svg rect.op-fail")
        assert "violated" in (told.get_attribute("class") or "")
        evidence = run.locator("aside.evidence")
        assert "Payment failed" in evidence.inner_text()
        assert f"paychaos run {SCENARIO} --variant {VARIANT} --seed 0" in evidence.inner_text()
        evidence.locator("a.ev").first.click()
        assert "focus" in (told.get_attribute("class") or "")

        SCREENSHOT.parent.mkdir(parents=True, exist_ok=True)
        page.screenshot(path=str(SCREENSHOT), full_page=True)
        for zoom in ("in", "out", "fit"):  # each zoom redraws: still one window, five marks
            run.locator(f"[data-zoom={zoom}]").click()
            assert window.count() == 1 and markers.count() == 5
    assert problems == []
    assert SCREENSHOT.stat().st_size > 10_000
