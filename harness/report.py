"""Reports: the scenario-by-variant matrix, each violation with its evidence, and how to replay it."""

from __future__ import annotations

import json
import shlex
from collections.abc import Collection, Sequence
from pathlib import Path
from typing import Any

from rich.console import Console
from rich.table import Table

from paychaos.invariants import invariants
from paychaos.runner import RunResult


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
        title="paychaos: scenarios x variants (cells: invariants broken)", show_lines=False
    )
    table.add_column("scenario", style="bold")
    for variant in variants:
        table.add_column(variant, justify="center")
    by_key = {(r.scenario.name, r.variant): r for r in results}
    for name in dict.fromkeys(r.scenario.name for r in results):
        cells = []
        for variant in variants:
            result = by_key.get((name, variant))
            if result is None:
                cells.append("")
            elif result.kept:
                cells.append("[green]ok[/]")
            else:
                cells.append("[red]" + " ".join(result.broken) + "[/]")
        table.add_row(name, *cells)
    return table


def print_report(
    results: Sequence[RunResult],
    console: Console,
    *,
    named: Collection[str] = (),
    evidence: int = 3,
) -> None:
    """The matrix, then every failing run with its violations, evidence and replay command.

    ``named``: the scenarios ``paychaos run`` can replay by name.
    """
    console.print(matrix(results))
    failing = [r for r in results if not r.kept]
    for result in failing:
        console.print(
            f"\n[bold red]✗ {result.scenario.name}[/] on [bold]{result.variant}[/] (seed {result.seed})"
        )
        for violation in result.violations:
            known = invariants().get(violation.invariant)
            title = known.title if known else ""
            console.print(f"  [red]{violation.invariant}[/] {title}", highlight=False)
            console.print(f"     {violation.message}", highlight=False)
            for item in violation.evidence[:evidence]:
                console.print(f"       · {evidence_line(item)}", highlight=False, soft_wrap=True)
        command = replay_command(result, named)
        if command:
            console.print(f"  replay: [cyan]{command}[/]", highlight=False)
        if result.history_path:
            console.print(f"  history: {result.history_path}", highlight=False)
    broken = sorted({i for r in failing for i in r.broken}, key=lambda i: int(i[1:]))
    if broken:
        console.print("\nWhat the broken promises mean for the business:")
        for inv in broken:
            promise = invariants().get(inv)
            meaning = (promise.meaning or promise.title) if promise else "(unknown promise)"
            console.print(f"  {inv}: {meaning}", highlight=False)
    kept = sum(r.kept for r in results)
    console.print(f"\n{kept} of {len(results)} runs kept every promise.")


def evidence_line(item: dict[str, Any]) -> str:
    """One evidence item on one line: a history event (``#11 customer:c1 fail validate ...``)
    or a state item (``StripeSession {...}``)."""
    if "event" in item:
        return f"#{item['event']} {item['process']} {item['type']} {item['name']} {json.dumps(item['value'], default=str)}"
    kind = item.get("kind", "")
    rest = {k: v for k, v in item.items() if k != "kind" and v not in (None, "", ())}
    return f"{kind} {json.dumps(rest, default=str)}"


def write_json(results: Sequence[RunResult], path: Path, *, named: Collection[str] = ()) -> None:
    """The results as JSON, each run with its replay command when it has one."""
    payload = {
        "runs": [{**r.to_dict(), "replay": replay_command(r, named)} for r in results],
        "kept": all(r.kept for r in results),
    }
    path.write_text(json.dumps(payload, indent=2, default=str) + "\n", encoding="utf-8")
