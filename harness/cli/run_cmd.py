"""``paychaos run`` and ``paychaos scenarios``: named scenarios against app variants."""

from __future__ import annotations

from pathlib import Path
from typing import Annotated

import typer
from rich.console import Console
from rich.progress import BarColumn, MofNCompleteColumn, Progress, TextColumn, TimeElapsedColumn

from paychaos.cli import app
from paychaos.cli.options import AppOption, BrowserOption
from paychaos.cli.outputs import HtmlOption, JunitOption, check_writable, write_outputs
from paychaos.verdicts import EXIT_KEPT, EXIT_NOT_EXERCISED


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
    accept_not_exercised: Annotated[
        bool,
        typer.Option(
            "--accept-not-exercised",
            help="Exit 0 rather than 5 when nothing broke but some run or promise was not put "
            "to the test (still reported): e.g. Redis scenarios on an app without Redis.",
        ),
    ] = False,
    out: Annotated[Path, typer.Option(help="Folder for the runs' histories (JSON lines).")] = Path(
        "paychaos-results/histories"
    ),
    junit: JunitOption = None,
    html: HtmlOption = None,
) -> None:
    """Run named scenarios against app variants and check every invariant.

    Exit 0: every promise kept (or n/a); 1: a broken promise; 2: bad input; 3: the harness's
    own environment failed; 4: flaky findings only; 5: something not exercised.
    """
    from paychaos.cli.compose import (
        named_scenarios,
        open_environment,
        parse_variants,
        scenario_named,
    )
    from paychaos.report import print_report, print_shadow_summary, replay_command, write_json
    from paychaos.runner import command_verdict, confirm, run_scenario

    catalog = named_scenarios(app_spec)
    chosen = [scenario_named(n, app_spec) for n in names] if names else list(catalog.values())
    variants = parse_variants(variant)
    check_writable({"--json": json_path, "--html": html, "--junit": junit}, {"--out": out})
    console = Console()
    history_dir = out
    history_dir.mkdir(parents=True, exist_ok=True)
    results = []
    with open_environment(variants[0], seed, app_spec, browser=browser) as env, Progress(
        TextColumn("{task.description}"), BarColumn(), MofNCompleteColumn(), TimeElapsedColumn(),
        console=console, transient=True,
    ) as progress:  # fmt: skip
        task = progress.add_task("running", total=len(chosen) * len(variants))
        for v in variants:
            env.switch_variant(v)
            for scenario in chosen:
                progress.update(task, description=f"{v}: {scenario.name}")
                path = history_dir / f"{v.replace(':', '-')}__{scenario.name}.jsonl"
                result = run_scenario(env, scenario, seed=seed, history_path=path)
                # A broken promise counts only if a rerun of the same schedule breaks it
                # again; one that does not reproduce is reported as flaky.
                rerun = path.with_name(path.stem + ".rerun.jsonl")
                results.append(confirm(env, result, history_path=rerun))
                progress.advance(task)
        shadow = env.emulator.control.shadow()
    # The whole catalog is the CI gate: every promise must be put to the test by some run.
    # Named scenarios are judged on their own runs.
    coverage = not names
    print_report(results, console, named=catalog, coverage=coverage)
    print_shadow_summary(shadow, console)
    if json_path:
        write_json(results, json_path, named=catalog, coverage=coverage)
    write_outputs(
        "run", results, replay_for=lambda r: replay_command(r, catalog), results_dir=out.parent,
        junit=junit, html=html, console=console, summary=f"seed {seed}", coverage=coverage,
    )  # fmt: skip
    code = command_verdict(results, coverage=coverage).exit_code
    if code == EXIT_NOT_EXERCISED and accept_not_exercised:
        code = EXIT_KEPT
    raise typer.Exit(code)
