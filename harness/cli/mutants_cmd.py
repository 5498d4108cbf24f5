"""``paychaos mutants``: the detection run, every mutant caught or not, by what and how fast."""

from __future__ import annotations

import json
from pathlib import Path
from typing import TYPE_CHECKING, Annotated

import typer
from rich.console import Console
from rich.progress import BarColumn, MofNCompleteColumn, Progress, TextColumn, TimeElapsedColumn
from rich.table import Table

from paychaos.cli import app
from paychaos.cli.outputs import HtmlOption, JunitOption, check_writable, write_outputs
from paychaos.errors import ConfigError

if TYPE_CHECKING:
    from rich.console import JustifyMethod

    from paychaos.mutants import Detection


@app.command()
def mutants(
    budget_per_mutant: Annotated[
        str, typer.Option(help="Time per mutant, scenarios and exploration together (60s, 2m).")
    ] = "60s",
    seed: Annotated[int, typer.Option(help="Seed of the scenarios, the generator and Stripe.")] = 0,
    json_path: Annotated[
        Path | None, typer.Option("--json", help="Also write the table as JSON here.")
    ] = None,
    only: Annotated[
        str | None, typer.Option(help="Only these mutants, e.g. M1,M5 (default: all).")
    ] = None,
    include_correct: Annotated[
        bool, typer.Option(help="Also run correct through the same path: it must report nothing.")
    ] = True,
    out: Annotated[Path, typer.Option(help="Where replay files go.")] = Path("paychaos-results"),
    junit: JunitOption = None,
    html: HtmlOption = None,
) -> None:
    """Run the named scenarios, then exploration, against every mutant; print what caught each.

    Exit 0: every mutant caught and correct clean; 1: a mutant missed or a false alarm;
    2: bad input.
    """
    from paychaos.cli.compose import mutant_ids, named_scenarios, open_environment
    from paychaos.explore import parse_budget
    from paychaos.mutants import all_ok, detection_run, parse_targets
    from paychaos.strategies import schedules

    targets = parse_targets(only, mutant_ids())
    _examples, seconds = parse_budget(budget_per_mutant)
    if seconds is None or seconds <= 0:
        raise ConfigError(
            f"--budget-per-mutant {budget_per_mutant!r} must be a positive time",
            hint="e.g. 60s or 2m",
        )
    check_writable({"--json": json_path, "--html": html, "--junit": junit}, {"--out": out})
    console = Console()
    if not console.is_terminal:  # piped into a file or a doc: keep each row on one line
        console = Console(width=max(console.width, 180))
    total = len(targets) + (1 if include_correct else 0)
    with open_environment("correct", seed) as env, Progress(
        TextColumn("[bold]{task.description}"), BarColumn(), MofNCompleteColumn(),
        TextColumn("{task.fields[detail]}"), TimeElapsedColumn(), console=console, transient=True,
    ) as progress:  # fmt: skip
        task = progress.add_task("mutants", total=total, detail="")

        def show(target: str, what: str) -> None:
            progress.update(task, description=target, detail=what)

        def done(row: Detection) -> None:
            progress.advance(task)
            if row.caught:
                how = f"{'false alarm' if row.is_correct else 'caught'} by {row.by}"
                how += f" ({' '.join(row.invariants)}) in {row.seconds}s"
            else:
                how = "clean" if row.is_correct else "NOT caught"
            if row.flaky:
                how += f"; flaky, not counted: {', '.join(row.flaky)}"
            progress.console.print(f"  {row.target}: {how}", highlight=False)

        rows = detection_run(
            env, targets, list(named_scenarios().values()), schedules(max_steps=10, untrusted_client=env.app.traits.untrusted_client), seed=seed, budget_seconds=seconds, include_correct=include_correct,
            out_dir=out, on_progress=show, on_done=done,
        )  # fmt: skip
    console.print(detection_table(rows, seconds))
    mutant_rows = [r for r in rows if not r.is_correct]
    caught = sum(r.caught for r in mutant_rows)
    console.print(f"\n{caught} of {len(mutant_rows)} mutants caught (seed {seed}).")
    for row in rows:
        if row.is_correct:
            verdict = "[red]FALSE ALARM[/]" if row.caught else "[green]no false alarm[/]"
            console.print(
                f"correct: {verdict} ({row.scenarios_run} scenarios, {row.examples} generated "
                f"schedules, {row.elapsed:.1f}s)"
            )
    from paychaos.report_html import table_section
    from paychaos.report_junit import Suite, detection_case

    caught_in = [row.caught_in for row in rows if row.caught_in is not None]
    replays = {id(row.caught_in): row.replay for row in rows if row.caught_in is not None}
    write_outputs(
        "mutants", caught_in, replay_for=lambda r: replays.get(id(r)), results_dir=out,
        junit=junit, html=html, console=console,
        summary=f"{caught} of {len(mutant_rows)} mutants caught (seed {seed}, {seconds:g}s each)",
        sections=[table_section("Mutant detection", DETECTION_COLUMNS, [_cells(r) for r in rows])],
        suite=Suite(
            "paychaos mutants", [detection_case(r) for r in rows],
            {"seed": str(seed), "budget_seconds": f"{seconds:g}"},
        ),
    )  # fmt: skip
    if json_path:
        payload = {
            "seed": seed,
            "budget_seconds": seconds,
            "ok": all_ok(rows),
            "rows": [r.to_dict() for r in rows],
        }
        json_path.write_text(json.dumps(payload, indent=2) + "\n", encoding="utf-8")
    raise typer.Exit(0 if all_ok(rows) else 1)


RIGHT = ("time", "schedules", "shrunk length")
DETECTION_COLUMNS = (
    "mutant", "caught", "by", "invariants", "time", "schedules", "shrunk length", "replay",
)  # fmt: skip


def detection_table(rows: list[Detection], budget_seconds: float) -> Table:
    """The detection table: one row per mutant, ``correct`` last."""
    table = Table(title=f"paychaos: mutant detection ({budget_seconds:g}s budget each)")
    for name in DETECTION_COLUMNS:
        justify: JustifyMethod = (
            "center" if name == "caught" else "right" if name in RIGHT else "left"
        )
        table.add_column(name, justify=justify, overflow="fold")
    for row in rows:
        cells = _cells(row)
        good = row.ok
        table.add_row(cells[0], f"[{'green' if good else 'red'}]{cells[1]}[/]", *cells[2:])
    return table


def _cells(row: Detection) -> list[str]:
    """One row of the detection table as plain text (the terminal colours the second cell)."""
    if row.is_correct:
        caught = "false alarm" if row.caught else "clean"
    else:
        caught = "yes" if row.caught else "no"
    return [
        row.target,
        caught,
        row.by or "-",
        " ".join(row.invariants) or "-",
        f"{row.seconds:.1f}s" if row.seconds is not None else f"({row.elapsed:.0f}s)",
        str(row.schedules_to_detection)
        if row.schedules_to_detection is not None
        else f"({row.scenarios_run + row.examples})",
        str(row.shrunk_length) if row.shrunk_length is not None else "-",
        row.replay or "-",
    ]
