"""The HTML report: one self-contained file a reviewer opens (no network: CSS and JS inline).

It shows the scenario-by-variant matrix, then each run with a timeline of its history: a lane
per actor (each customer, Stripe, Stripe's webhook deliveries, the attacker, the nemesis, and
each service a fault hit), every operation a bar from its invoke to its completion coloured by
outcome (ok, fail, info = unknown), fault windows shaded across the lanes, and a marker on
every operation a violation names as evidence; beside it the evidence and the replay command.

The x axis is the history's order (one slot per event), not the clock: instant operations and
long ones stay readable alike, and the real times are in each bar's tooltip.

>>> write_html(Path("report.html"), results, title="paychaos run", replay_for=lambda r: None)
... # doctest: +SKIP
"""

from __future__ import annotations

import html
import json
from collections.abc import Callable, Sequence
from dataclasses import dataclass
from datetime import UTC, datetime
from importlib import resources
from pathlib import Path
from typing import TYPE_CHECKING, Any

from paychaos.history import Event
from paychaos.invariants import Violation, invariants
from paychaos.report import app_log_tail, evidence_line
from paychaos.verdicts import Verdict

if TYPE_CHECKING:
    from paychaos.runner import RunResult

DELIVERIES = "stripe deliveries"
SERVICE = "service:"
# Lane order: the customers first, then Stripe, the attacker, the nemesis, what it broke.
_LANE_RANK = {"stripe": 1, DELIVERIES: 2, "attacker": 3, "nemesis": 4}
# Process actions that take a service away until a later action (or heal) brings it back.
_PROCESS_DOWN = frozenset({"pause", "kill", "kill_mid_task", "stop", "crash"})
_PROCESS_UP = frozenset({"resume", "start", "restart"})
# Passing runs are collapsed; past this many, failing ones are too (the matrix links to them).
OPEN_FAILING = 12
# Evidence items shown per violation; the rest fold under "N more".
SHOWN_EVIDENCE = 3


# --- the timeline model ---------------------------------------------------------------------


@dataclass
class _Window:
    target: str
    label: str
    start: int
    end: int | None = None


def lane_of(event: Event) -> str:
    """The lane an event's operation is drawn in."""
    if event.process == "stripe" and event.name == "webhook":
        return DELIVERIES
    return event.process


def _lane_key(lane: str) -> tuple[int, str]:
    if lane.startswith("customer:"):
        return (0, lane)
    if lane.startswith(SERVICE):
        return (6, lane)
    return (_LANE_RANK.get(lane, 5), lane)


def fault_windows(events: Sequence[Event]) -> list[dict[str, Any]]:
    """When each fault was on: from the nemesis op that switched it on to the op that switched
    it off or healed it (a fault never switched off lasts to the end of the history)."""
    open_windows: dict[tuple[str, str], _Window] = {}
    done: list[_Window] = []
    invoked_at: dict[int, int] = {}

    def close(keys: Sequence[tuple[str, str]], at: int) -> None:
        for key in keys:
            window = open_windows.pop(key)
            window.end = at
            done.append(window)

    def start(target: str, what: str, label: str, at: int) -> None:
        open_windows.setdefault((target, what), _Window(target, label, at))

    for event in events:
        if event.process != "nemesis":
            continue
        if event.type == "invoke":
            invoked_at[event.op] = event.index
            continue
        if event.type != "ok":  # a nemesis op that failed changed nothing
            continue
        at = invoked_at.get(event.op, event.index)
        value = event.value
        target = str(value.get("target") or "")
        if event.name == "fault":
            fault = str(value.get("fault", "?"))
            if value.get("phase") == "off":
                close([k for k in open_windows if k == (target, fault)], event.index)
            else:
                start(target, fault, f"{target} {fault}", at)
        elif event.name == "process":
            action = str(value.get("action", "?"))
            if action in _PROCESS_DOWN:
                start(target, action, f"{target} {action}", at)
            elif action in _PROCESS_UP:
                back = [k for k in open_windows if k[0] == target and k[1] in _PROCESS_DOWN]
                close(back, event.index)
        elif event.name == "api_fault":
            rule = ", ".join(f"{k}={v}" for k, v in value.items())
            start("stripe_api", f"api:{event.op}", f"Stripe API fault {rule}", at)
        elif event.name == "failpoint":
            name = str(value.get("name", "?"))
            if value.get("action") == "off":
                close([k for k in open_windows if k == ("app", f"failpoint:{name}")], event.index)
            else:
                start("app", f"failpoint:{name}", f"failpoint {name} {value.get('action')}", at)
        elif event.name == "heal":
            healed = value.get("target")
            close([k for k in open_windows if healed is None or k[0] == healed], event.index)
    last = max((e.index for e in events), default=0)
    close(list(open_windows), last)
    done.sort(key=lambda w: (w.start, w.target))
    return [{"target": w.target, "label": w.label, "start": w.start, "end": w.end} for w in done]


def timeline(events: Sequence[Event], violations: Sequence[Violation]) -> dict[str, Any]:
    """What the page's script draws: lanes, operation bars, fault windows, violation marks."""
    invokes: dict[int, Event] = {}
    bars: list[dict[str, Any]] = []
    by_op: dict[int, dict[str, Any]] = {}
    for event in events:
        if event.type == "invoke":
            invokes[event.op] = event
            continue
        began = invokes.pop(event.op, event)
        bar = {
            "op": event.op,
            "lane": lane_of(event),
            "name": event.name,
            "outcome": event.type,
            "start": began.index,
            "end": event.index,
            "t0": began.time,
            "t1": event.time,
            "value": event.value,
            "violations": [],
        }
        bars.append(bar)
        by_op[event.op] = bar
    for began in invokes.values():  # never completed: the outcome is unknown
        bar = {
            "op": began.op,
            "lane": lane_of(began),
            "name": began.name,
            "outcome": "info",
            "start": began.index,
            "end": max((e.index for e in events), default=began.index),
            "t0": began.time,
            "t1": None,
            "value": began.value,
            "violations": [],
        }
        bars.append(bar)
        by_op[began.op] = bar
    windows = fault_windows(events)
    marks = []
    for number, violation in enumerate(violations):
        ops = sorted(_evidence_ops(violation, events, bars))
        for op in ops:
            by_op[op]["violations"].append(number)
        marks.append({"invariant": violation.invariant, "ops": ops})
    lanes = {bar["lane"] for bar in bars} | {SERVICE + w["target"] for w in windows}
    return {
        "span": len(events),
        "lanes": sorted(lanes, key=_lane_key),
        "bars": bars,
        "windows": windows,
        "violations": marks,
    }


def _evidence_ops(
    violation: Violation, events: Sequence[Event], bars: Sequence[dict[str, Any]]
) -> set[int]:
    """The operations a violation's evidence names: history events by index, and Stripe's
    delivery attempts by event id and attempt number (a checker cites those from the
    emulator's log, which the history's webhook ops mirror)."""
    ops: set[int] = set()
    for item in violation.evidence:
        if "event" in item and isinstance(item["event"], int) and 0 <= item["event"] < len(events):
            ops.add(events[item["event"]].op)
        elif item.get("kind") == "DeliveryAttempt":
            for bar in bars:
                value = bar["value"]
                if (
                    bar["name"] == "webhook"
                    and value.get("event_id") == item.get("event_id")
                    and value.get("attempt") == item.get("attempt")
                ):
                    ops.add(bar["op"])
    return ops


# --- the page -------------------------------------------------------------------------------


def write_html(
    path: Path,
    results: Sequence[RunResult],
    *,
    title: str,
    replay_for: Callable[[RunResult], str | None],
    summary: str = "",
    sections: Sequence[str] = (),
    coverage: bool = False,
) -> None:
    """Write the report. ``summary``: a line under the title; ``sections``: HTML fragments
    shown between the matrix and the runs (the exploration's or the mutants' own tables);
    ``coverage``: also list the promises no run put to the test (see ``command_verdict``)."""
    from paychaos.runner import command_verdict

    verdict = command_verdict(results, coverage=coverage)
    failing_shown = 0
    runs = []
    for number, result in enumerate(results):
        failing = result.outcome != Verdict.KEPT
        runs.append(
            _run_section(
                number, result, replay_for(result), opened=failing and failing_shown < OPEN_FAILING
            )
        )
        failing_shown += failing
    kept = sum(r.outcome == Verdict.KEPT for r in results)
    line = (
        f"{kept} of {len(results)} runs kept every promise they put to the test; "
        f"{len(verdict.broken)} broken, {len(verdict.flaky)} flaky, "
        f"{len(verdict.unexercised_runs)} not exercised (exit code {verdict.exit_code})."
        if results
        else "No run to show."
    )
    missing = "".join(
        f"<li><b>{_e(inv)}</b>: {_e(why)}</li>" for inv, why in verdict.unexercised_promises.items()
    )
    body = [
        "<header>",
        f"<h1>{_e(title)}</h1>",
        f'<p class="verdict {"bad" if verdict.exit_code else "good"}">{_e(line)}</p>',
        f"<p>{_e(summary)}</p>" if summary else "",
        f'<p class="stamp">written {datetime.now(UTC):%Y-%m-%d %H:%M:%S} UTC</p>',
        "</header>",
        (
            f'<section class="coverage"><h2>Promises no run put to the test</h2><ul>{missing}</ul></section>'
            if missing
            else ""
        ),
        _matrix(results) if results else "",
        *sections,
        '<section id="runs">',
        *runs,
        "</section>",
    ]
    page = (
        "<!DOCTYPE html>\n<html lang='en'><head><meta charset='utf-8'>"
        f"<meta name='viewport' content='width=device-width, initial-scale=1'><title>{_e(title)}</title>"
        f"<style>{_asset('report.css')}</style></head><body>"
        + "\n".join(part for part in body if part)
        + _legend_template()
        + f"<script>{_asset('report.js')}</script></body></html>\n"
    )
    path.parent.mkdir(parents=True, exist_ok=True)
    path.write_text(page, encoding="utf-8")


# What a run's outcome looks like: the mark in its heading and its CSS class.
_OUTCOME = {
    Verdict.BROKEN: ("✗", "broken"),
    Verdict.FLAKY: ("?", "flaky"),
    Verdict.NOT_EXERCISED: ("∅", "unexercised"),
    Verdict.KEPT: ("✓", "kept"),
}


def _cell(result: RunResult) -> str:
    if result.outcome == Verdict.BROKEN:
        return " ".join(result.broken)
    if result.outcome == Verdict.FLAKY:
        return " ".join(f"{v.invariant}?" for v in result.flaky_violations) or "flaky"
    if result.outcome == Verdict.NOT_EXERCISED:
        return "not exercised"
    return "ok"


def _matrix(results: Sequence[RunResult]) -> str:
    variants = list(dict.fromkeys(r.variant for r in results))
    by_key = {(r.scenario.name, r.variant): n for n, r in enumerate(results)}
    rows = [
        '<section id="matrix"><h2>Scenarios x variants</h2>'
        '<p class="stamp">cells: the promises broken; I4? flaky (broken in one of two runs)</p>'
        '<table class="matrix">',
        "<thead><tr><th>scenario</th>"
        + "".join(f"<th>{_e(v)}</th>" for v in variants)
        + "</tr></thead><tbody>",
    ]
    for name in dict.fromkeys(r.scenario.name for r in results):
        cells = []
        for variant in variants:
            number = by_key.get((name, variant))
            if number is None:
                cells.append("<td></td>")
                continue
            result = results[number]
            css = _OUTCOME[result.outcome][1]
            cells.append(f'<td class="{css}"><a href="#run-{number}">{_e(_cell(result))}</a></td>')
        rows.append(f"<tr><th scope='row'>{_e(name)}</th>{''.join(cells)}</tr>")
    rows.append("</tbody></table></section>")
    return "\n".join(rows)


def _violation_block(
    index: int, violation: Violation, result: RunResult, ops: Sequence[int], *, flaky: bool
) -> str:
    promise = invariants().get(violation.invariant)
    items = []
    for item in violation.evidence:
        line = _e(evidence_line(item))
        event = item.get("event")
        if isinstance(event, int) and 0 <= event < len(result.history):
            op = result.history[event].op
            line = f'<a href="#" class="ev" data-op="{op}">#{event}</a> ' + line.split(" ", 1)[-1]
        items.append(f"<li>{line}</li>")
    parts = [
        f'<div class="violation{" flaky" if flaky else ""}" data-violation="{index}">',
        f"<h4>{_e(violation.invariant)} {_e(promise.title if promise else '')}"
        + (" <span class='tag'>flaky</span>" if flaky else "")
        + "</h4>",
        f"<p>{_e(violation.message)}</p>",
        f"<p class='means'>means: {_e(promise.meaning)}</p>" if promise and promise.meaning else "",
        f"<ul>{''.join(items[:SHOWN_EVIDENCE])}</ul>",
        (
            f"<details class='more'><summary>{len(items) - SHOWN_EVIDENCE} more</summary>"
            f"<ul>{''.join(items[SHOWN_EVIDENCE:])}</ul></details>"
            if len(items) > SHOWN_EVIDENCE
            else ""
        ),
        _app_log(violation),
        "" if ops else "<p class='means'>proved by the final state: no operation to mark</p>",
        "</div>",
    ]
    return "".join(parts)


def _app_log(violation: Violation) -> str:
    log = app_log_tail(violation)
    if not log:
        return ""
    return (
        f"<details class='app-log'><summary>app log ({len(log)} lines)</summary>"
        f"<pre class='app-log'>{_e(chr(10).join(log))}</pre></details>"
    )


def _run_section(number: int, result: RunResult, replay: str | None, *, opened: bool) -> str:
    # Flaky violations are evidence too (of a broken-once promise): marked like the others.
    cited = (*result.violations, *result.flaky_violations)
    data = timeline(result.history, cited)
    mark, css = _OUTCOME[result.outcome]
    tail = {
        Verdict.BROKEN: f" — broke {' '.join(result.broken)}",
        Verdict.FLAKY: " — flaky: broken in one of two runs of the same schedule",
        Verdict.NOT_EXERCISED: f" — not exercised: {result.unexercised}",
        Verdict.KEPT: "",
    }[result.outcome]
    head = (
        f'<summary><span class="mark">{mark}</span> <b>{_e(result.scenario.name)}</b> on '
        f"<b>{_e(result.variant)}</b> (seed {result.seed}, {len(result.history)} events)"
        f"{_e(tail)}</summary>"
    )
    evidence = [
        _violation_block(
            i, v, result, data["violations"][i]["ops"], flaky=i >= len(result.violations)
        )
        for i, v in enumerate(cited)
    ]
    verdicts = "".join(
        f"<li class='v-{_e(str(v.verdict)).replace(' ', '-').replace('/', '')}'><b>{_e(v.invariant)}</b> "
        f"{_e(str(v.verdict))}{_e(': ' + v.reason) if v.reason else ''}</li>"
        for v in result.verdicts
    )
    steps = "".join(
        f"<li><code>{_e(step.describe())}</code></li>" for step in result.scenario.steps
    )
    aside = [
        '<aside class="evidence">',
        "<h3>Violations</h3>" if evidence else "<h3>No promise broken</h3>",
        *evidence,
        f"<p class='replay'>replay: <code>{_e(replay)}</code></p>" if replay else "",
        f"<p>history: <code>{_e(str(result.history_path))}</code></p>"
        if result.history_path
        else "",
        f"<details class='verdicts'><summary>each promise</summary><ul>{verdicts}</ul></details>"
        if verdicts
        else "",
        f"<details class='steps'><summary>{len(result.scenario.steps)} steps</summary>"
        f"<ol>{steps}</ol></details>",
        "</aside>",
    ]
    return "\n".join(
        [
            f'<details class="run {css}" id="run-{number}"' + (" open" if opened else "") + ">",
            head,
            '<div class="run-body"><div class="timeline-wrap">'
            '<div class="toolbar"><button type="button" data-zoom="out" title="zoom out">&minus;</button>'
            '<button type="button" data-zoom="in" title="zoom in">+</button>'
            '<button type="button" data-zoom="fit" title="fit the width">fit</button>'
            '<span class="legend-slot"></span></div>'
            '<div class="timeline"></div></div>',
            *[part for part in aside if part],
            "</div>",
            f'<script type="application/json" class="timeline-data">{_json(data)}</script>',
            "</details>",
        ]
    )


def _legend_template() -> str:
    return (
        '<template id="legend"><span class="legend">'
        '<i class="sw op-ok"></i>ok <i class="sw op-fail"></i>fail '
        '<i class="sw op-info"></i>info (unknown) <i class="sw fault"></i>fault on '
        '<i class="sw viol"></i>violation evidence</span></template>'
    )


def _json(data: Any) -> str:
    # Inside <script>, "</script>" in a value would end the element: escape what could.
    text = json.dumps(data, default=str, separators=(",", ":"))
    return text.replace("<", "\\u003c").replace(">", "\\u003e").replace("&", "\\u0026")


def _e(text: str) -> str:
    return html.escape(text, quote=True)


def _asset(name: str) -> str:
    return resources.files("paychaos").joinpath("report_assets", name).read_text("utf-8")


def table_section(title: str, header: Sequence[str], rows: Sequence[Sequence[str]]) -> str:
    """A titled table of plain-text cells, for the commands' own summaries."""
    head = "".join(f"<th>{_e(h)}</th>" for h in header)
    body = "".join(
        "<tr>" + "".join(f"<td>{_e(cell)}</td>" for cell in row) + "</tr>" for row in rows
    )
    return (
        f'<section class="summary"><h2>{_e(title)}</h2><table class="matrix">'
        f"<thead><tr>{head}</tr></thead><tbody>{body}</tbody></table></section>"
    )
