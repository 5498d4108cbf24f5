"""``paychaos run`` and ``paychaos scenarios``: named scenarios against app variants."""

from __future__ import annotations

from pathlib import Path
from typing import TYPE_CHECKING, Annotated

import typer
from rich.console import Console
from rich.progress import BarColumn, MofNCompleteColumn, Progress, TextColumn, TimeElapsedColumn

from paychaos.cli import app
from paychaos.cli.options import (
    AcceptNotExercisedOption,
    AppOption,
    BrowserOption,
    StrictFlakyOption,
)
from paychaos.cli.outputs import HtmlOption, JunitOption, check_writable, write_outputs
from paychaos.cli.workers import ShardOption, WorkersOption
from paychaos.errors import ConfigError, ServiceError
from paychaos.verdicts import EXIT_KEPT, EXIT_NOT_EXERCISED, strict_flaky_exit

if TYPE_CHECKING:
    from paychaos.runner import RunResult


@app.command()
def scenarios() -> None:
    """List the named scenarios and the incident each stands for."""
    from paychaos.cli.compose import named_scenarios

    console = Console()
    for name, scenario in named_scenarios().items():
        console.print(f"[bold]{name}[/]\n  {scenario.summary}", highlight=False)
    raise typer.Exit(0)


@app.command()
def run(
    names: Annotated[
        list[str] | None,
        typer.Argument(metavar="[SCENARIO]...", help="Scenarios to run (default: all)."),
    ] = None,
    variant: Annotated[
        str,
        typer.Option(help="App variant: correct, seed_original, seed_fix, mutant:M1..., or all."),
    ] = "correct",
    app_spec: AppOption = None,
    browser: BrowserOption = False,
    seed: Annotated[int, typer.Option(help="Seed for ids, jitter and generated choices.")] = 0,
    json_path: Annotated[
        Path | None, typer.Option("--json", help="Also write the results as JSON here.")
    ] = None,
    accept_not_exercised: AcceptNotExercisedOption = False,
    out: Annotated[Path, typer.Option(help="Folder for the runs' histories (JSON lines).")] = Path(
        "paychaos-results/histories"
    ),
    junit: JunitOption = None,
    html: HtmlOption = None,
    workers: WorkersOption = None,
    shard: ShardOption = None,
    strict_flaky: StrictFlakyOption = False,
) -> None:
    """Run named scenarios against app variants and check every invariant.

    Exit 0: every promise kept (or n/a); 1: a broken promise; 2: bad input; 3: the harness's
    own environment failed; 4: flaky findings only (1 with --strict-flaky); 5: something not
    exercised.
    """
    from paychaos.cli.compose import (
        named_scenarios,
        open_environment,
        parse_variants,
        scenario_named,
    )
    from paychaos.cli.workers import merged_shadow, open_pool, run_cell, shadow_of, worker_count
    from paychaos.parallel import parse_shard, run_matrix
    from paychaos.report import print_report, print_shadow_summary, replay_command, write_json
    from paychaos.runner import command_verdict

    catalog = named_scenarios(app_spec)
    chosen = [scenario_named(n, app_spec) for n in names] if names else list(catalog.values())
    variants = parse_variants(variant)
    k, n = parse_shard(shard)
    size = worker_count(workers)
    # The scenario x variant matrix, variant by variant; a shard keeps every n-th cell.
    cells = [(v, scenario) for v in variants for scenario in chosen]
    everything = len(cells)
    mine = [i for i in range(everything) if i % n == k - 1]
    cells = [cells[i] for i in mine]
    if not cells:
        raise ConfigError(
            f"--shard {shard}: no scenario x variant cell falls to this shard "
            f"({everything} cells in all)",
            hint=f"use at most {everything} shards",
        )
    check_writable({"--json": json_path, "--html": html, "--junit": junit}, {"--out": out})
    console = Console()
    history_dir = out
    history_dir.mkdir(parents=True, exist_ok=True)
    size = max(1, min(size, len(cells)))
    results: list = []
    done: dict[int, RunResult] = {}  # the pool's cells as they end (kept if a worker fails)
    shadow: dict = {}
    failure: ServiceError | None = None
    try:
        with Progress(
            TextColumn("{task.description}"), BarColumn(), MofNCompleteColumn(),
            TimeElapsedColumn(), console=console, transient=True,
        ) as progress:  # fmt: skip
            task = progress.add_task("running", total=len(cells))
            if size == 1:
                with open_environment(variants[0], seed, app_spec, browser=browser) as env:
                    for v, scenario in cells:
                        progress.update(task, description=f"{v}: {scenario.name}")
                        results.append(run_cell(env, v, scenario, seed, history_dir))
                        progress.advance(task)
                    shadow = shadow_of(env)
            else:
                open_environment(variants[0], seed, app_spec, browser=browser)  # checks, says
                progress.update(task, description=f"starting {size} workers")

                def finished(index: int, result: RunResult) -> None:
                    done[index] = result
                    progress.advance(task)

                with open_pool(variants[0], seed, app_spec, browser=browser, workers=size) as pool:
                    progress.update(task, description=f"{size} workers")
                    results = run_matrix(
                        pool, [(v, sc, seed, history_dir) for v, sc in cells], run_cell,
                        first_variant=variants[0], on_done=finished,
                    )  # fmt: skip
                    shadow = merged_shadow(pool.call_all(shadow_of))
    except ServiceError as exc:  # the harness's own environment failed: report what was done
        failure = exc
        results = results or [done[i] for i in sorted(done)]
    # The whole catalog is the CI gate: every promise must be put to the test by some run.
    # Named scenarios are judged on their own runs.
    # A shard judges its own runs; `paychaos merge` judges the whole catalog's coverage.
    coverage = not names and n == 1
    print_report(results, console, named=catalog, coverage=coverage)
    if shadow:
        print_shadow_summary(shadow, console)
    if json_path:
        from paychaos import __version__

        meta = {
            "version": __version__, "command": "run", "seed": seed, "shard": f"{k}/{n}",
            "catalog": not names, "cells": mine, "of": everything,
        }  # fmt: skip
        write_json(results, json_path, named=catalog, coverage=coverage, meta=meta, failure=failure)
    summary = f"seed {seed}"
    if failure is not None:
        summary += f"; partial: {len(results)} runs before {failure.what}"
    write_outputs(
        "run", results, replay_for=lambda r: replay_command(r, catalog), results_dir=out.parent,
        junit=junit, html=html, console=console, summary=summary, coverage=coverage,
    )  # fmt: skip
    if failure is not None:
        raise failure
    code = command_verdict(results, coverage=coverage).exit_code
    if code == EXIT_NOT_EXERCISED and accept_not_exercised:
        code = EXIT_KEPT
    raise typer.Exit(strict_flaky_exit(code, strict_flaky))
