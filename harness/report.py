"""Reports: the scenario-by-variant matrix, each violation with its evidence, and how to replay it."""

from __future__ import annotations

import json
import shlex
from collections.abc import Collection, Mapping, Sequence
from pathlib import Path
from typing import Any

from rich.console import Console
from rich.table import Table

from paychaos.errors import PaychaosError
from paychaos.invariants import Violation, invariants
from paychaos.runner import RunResult, command_verdict
from paychaos.verdicts import EXIT_BROKEN, EXIT_FLAKY, EXIT_KEPT, PromiseVerdict, Verdict

# How many of the app's log lines a violation shows in the terminal (the JSON keeps more).
APP_LOG_LINES = 8


def replay_command(result: RunResult, named: Collection[str]) -> str | None:
    """The command that runs this exact run again. ``named``: the scenarios ``paychaos run``
    knows by name; for any other schedule (None) its replay file is the way back, and
    whoever wrote it prints that."""
    if result.scenario.name not in named:
        return None
    return shlex.join(
        [
            "paychaos",
            "run",
            result.scenario.name,
            "--variant",
            result.variant,
            "--seed",
            str(result.seed),
        ]
    )


def matrix(results: Sequence[RunResult]) -> Table:
    variants = list(dict.fromkeys(r.variant for r in results))
    table = Table(
        title="paychaos: scenarios x variants (cells: promises broken; ? flaky)", show_lines=False
    )
    table.add_column("scenario", style="bold")
    for variant in variants:
        table.add_column(variant, justify="center")
    by_key = {(r.scenario.name, r.variant): r for r in results}
    for name in dict.fromkeys(r.scenario.name for r in results):
        cells = []
        for variant in variants:
            result = by_key.get((name, variant))
            cells.append("" if result is None else _cell(result))
        table.add_row(name, *cells)
    return table


def _cell(result: RunResult) -> str:
    if result.outcome == Verdict.BROKEN:
        return "[red]" + " ".join(result.broken) + "[/]"
    if result.outcome == Verdict.FLAKY:
        return "[yellow]" + " ".join(f"{v.invariant}?" for v in _flaky(result)) + "[/]"
    if result.outcome == Verdict.NOT_EXERCISED:
        return "[yellow]not exercised[/]"
    return "[green]ok[/]"


def _flaky(result: RunResult) -> list[PromiseVerdict]:
    return [v for v in result.verdicts if v.verdict == Verdict.FLAKY]


def _print_violations(console: Console, violations: Sequence[Violation], evidence: int) -> None:
    for violation in violations:
        known = invariants().get(violation.invariant)
        title = known.title if known else ""
        console.print(f"  [red]{violation.invariant}[/] {title}", highlight=False)
        console.print(f"     {violation.message}", highlight=False)
        for item in violation.evidence[:evidence]:
            console.print(f"       · {evidence_line(item)}", highlight=False, soft_wrap=True)
        log = app_log_tail(violation)
        if log:  # what the app said at that moment, its last lines
            console.print("       app log:", highlight=False)
            for line in log:
                console.print(f"         | {line}", highlight=False, soft_wrap=True)


def app_log_tail(violation: Violation) -> list[str]:
    """The last lines of the app's log that the violation's evidence carries (the app's
    answer to a refused operation), or none."""
    logs = [
        item["value"]["app_log"]
        for item in violation.evidence
        if isinstance(item.get("value"), dict) and item["value"].get("app_log")
    ]
    return logs[-1].splitlines()[-APP_LOG_LINES:] if logs else []


def print_report(
    results: Sequence[RunResult],
    console: Console,
    *,
    named: Collection[str] = (),
    evidence: int = 3,
    coverage: bool = True,
) -> None:
    """The matrix, then every failing run with its violations, evidence and replay command.

    ``named``: the scenarios ``paychaos run`` can replay by name; ``coverage``: whether to
    list the promises no run put to the test (see ``command_verdict``).
    """
    console.print(matrix(results))
    verdict = command_verdict(results, coverage=coverage)
    for result in verdict.broken:
        console.print(
            f"\n[bold red]✗ {result.scenario.name}[/] on [bold]{result.variant}[/] "
            f"(seed {result.seed}): broken, and broken again on a rerun"
        )
        _print_violations(console, result.violations, evidence)
        if result.flaky_violations:
            console.print("  [yellow]and flaky, broken in one of the two runs only:[/]")
            _print_violations(console, result.flaky_violations, evidence)
        _print_way_back(console, result, named)
    for result in verdict.flaky:
        console.print(
            f"\n[bold yellow]? {result.scenario.name}[/] on [bold]{result.variant}[/] "
            f"(seed {result.seed}): flaky, broken in one of two runs of the same schedule "
            "(the app depends on timing or on state kept between runs)"
        )
        _print_violations(console, result.flaky_violations, evidence)
        _print_way_back(console, result, named)
    for result in verdict.unexercised_runs:
        console.print(
            f"\n[bold yellow]∅ {result.scenario.name}[/] on [bold]{result.variant}[/]: "
            f"not exercised: {result.unexercised}",
            highlight=False,
        )
        _print_way_back(console, result, named)
    if verdict.unexercised_promises:
        console.print("\n[bold yellow]Promises no run put to the test[/] (not exercised):")
        for inv, why in verdict.unexercised_promises.items():
            console.print(f"  {inv}: {why}", highlight=False)
    not_applicable = {
        v.invariant: v.reason
        for r in results
        for v in r.verdicts
        if v.verdict == Verdict.NOT_APPLICABLE
    }
    if not_applicable:
        console.print("\nPromises that do not apply to this app (n/a):")
        for inv, why in not_applicable.items():
            console.print(f"  {inv}: {why}", highlight=False)
    broken = sorted({i for r in verdict.broken for i in r.broken}, key=lambda i: int(i[1:]))
    if broken:
        console.print("\nWhat the broken promises mean for the business:")
        for inv in broken:
            promise = invariants().get(inv)
            meaning = (promise.meaning or promise.title) if promise else "(unknown promise)"
            console.print(f"  {inv}: {meaning}", highlight=False)
    kept = sum(r.outcome == Verdict.KEPT for r in results)
    console.print(
        f"\n{kept} of {len(results)} runs kept every promise they put to the test; "
        f"{len(verdict.broken)} broken, {len(verdict.flaky)} flaky, "
        f"{len(verdict.unexercised_runs)} not exercised."
    )


def _print_way_back(console: Console, result: RunResult, named: Collection[str]) -> None:
    command = replay_command(result, named)
    if command:
        console.print(f"  replay: [cyan]{command}[/]", highlight=False)
    if result.history_path:
        console.print(f"  history: {result.history_path}", highlight=False)


def print_shadow_summary(shadow: dict[str, Any], console: Console) -> None:
    """The stripe-mock shadow validation line(s) of a run; nothing when it was off."""
    from paychaos.stripe_emulator.shadow import summary_lines

    for line in summary_lines(shadow):
        console.print(line, highlight=False, markup=False, soft_wrap=True)


def evidence_line(item: dict[str, Any]) -> str:
    """One evidence item on one line: a history event (``#11 customer:c1 fail validate ...``)
    or a state item (``StripeSession {...}``); the app's log is left out (shown apart)."""
    if "event" in item:
        value = {k: v for k, v in item["value"].items() if k != "app_log"}
        return f"#{item['event']} {item['process']} {item['type']} {item['name']} {json.dumps(value, default=str)}"
    kind = item.get("kind", "")
    rest = {k: v for k, v in item.items() if k != "kind" and v not in (None, "", ())}
    return f"{kind} {json.dumps(rest, default=str)}"


def write_json(
    results: Sequence[RunResult],
    path: Path,
    *,
    named: Collection[str] = (),
    coverage: bool = True,
    meta: Mapping[str, Any] | None = None,
    failure: PaychaosError | None = None,
) -> None:
    """The results as JSON, each run with its replay command when it has one. ``meta``: what
    the command was (version, seed, shard...), kept under ``"paychaos"`` for ``paychaos merge``.
    ``failure``: the harness's own environment failed, so these are the runs done before it
    (partial)."""
    payload: dict[str, Any] = {
        **({"paychaos": dict(meta)} if meta else {}),
        "runs": [{**r.to_dict(), "replay": replay_command(r, named)} for r in results],
        "kept": all(r.kept for r in results) and failure is None,
        "exit_code": _exit_code(command_verdict(results, coverage=coverage).exit_code, failure),
        "unexercised": command_verdict(results, coverage=coverage).unexercised_promises,
    }
    if failure is not None:
        payload["partial"] = True
        payload["environment_failure"] = failure_dict(failure)
    path.write_text(json.dumps(payload, indent=2, default=str) + "\n", encoding="utf-8")


def _exit_code(verdict: int, failure: PaychaosError | None) -> int:
    """A broken promise wins over the harness's own failure; the failure over the rest."""
    if failure is None or verdict == EXIT_BROKEN:
        return verdict
    return failure.exit_code


def write_explore_json(
    path: Path,
    outcome: Any,
    *,
    budget: str,
    commands: dict[int, str],
    failure: PaychaosError | None = None,
    stopped: tuple[int, str] | None = None,
    meta: Mapping[str, Any] | None = None,
) -> None:
    """What ``paychaos explore`` found, as JSON: its counts, the shrunk finding and the flaky
    findings (each with its replay command), and the environment failure that stopped it.
    ``stopped``: (exit code, signal name) of a signal that ended it early (partial counts).
    ``meta``: what the command was (version, seed, shard...), kept under ``"paychaos"`` for
    ``paychaos merge``."""
    stats = outcome.stats

    def found(finding: Any) -> dict[str, Any]:
        return {
            "steps": [step.describe() for step in finding.scenario.steps],
            "replay": commands.get(id(finding.result)),
            **finding.result.to_dict(),
        }

    if stopped is not None:
        code = stopped[0]
    elif outcome.finding is not None:
        code = EXIT_BROKEN
    else:
        code = _exit_code(EXIT_FLAKY if outcome.flaky else EXIT_KEPT, failure)
    payload: dict[str, Any] = {
        **({"paychaos": dict(meta)} if meta else {}),
        "variant": outcome.variant,
        "seed": outcome.seed,
        "budget": budget,
        "schedules": stats.examples,
        "faults": stats.faults,
        "flaky": stats.flaky,
        "seconds": round(stats.elapsed, 1),
        "exit_code": code,
        "finding": found(outcome.finding) if outcome.finding is not None else None,
        "flaky_findings": [found(f) for f in outcome.flaky_findings],
    }
    if failure is not None:
        payload["partial"] = True
        payload["environment_failure"] = failure_dict(failure)
    if stopped is not None:
        payload["partial"] = True
        payload["stopped_by"] = stopped[1]
    path.write_text(json.dumps(payload, indent=2, default=str) + "\n", encoding="utf-8")


def failure_dict(failure: PaychaosError) -> dict[str, Any]:
    """A command's stopping error as JSON (the service and its log tail, when it has them)."""
    return {"message": failure.what, "hint": failure.hint, **getattr(failure, "to_dict", dict)()}
