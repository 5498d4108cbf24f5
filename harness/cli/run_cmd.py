"""``paychaos run`` and ``paychaos scenarios``: named scenarios against app variants."""

from __future__ import annotations

from pathlib import Path
from typing import Annotated

import typer
from rich.console import Console
from rich.progress import BarColumn, MofNCompleteColumn, Progress, TextColumn, TimeElapsedColumn

from paychaos.cli import app
from paychaos.errors import ConfigError

SEED_VARIANTS = ("correct", "seed_original", "seed_fix")


def _variants(spec: str) -> list[str]:
    from paychaos.reference_app.payments.variants.names import VARIANT_NAMES

    if spec == "all":
        return list(SEED_VARIANTS)
    chosen = [v.strip() for v in spec.split(",") if v.strip()]
    for variant in chosen:
        if variant not in VARIANT_NAMES:
            raise ConfigError(
                f"unknown variant {variant!r}", hint="one of: all, " + ", ".join(VARIANT_NAMES)
            )
    return chosen


@app.command()
def scenarios() -> None:
    """List the named scenarios and the incident each stands for."""
    from paychaos.scenarios import all_scenarios

    console = Console()
    for name, scenario in all_scenarios().items():
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
    seed: Annotated[int, typer.Option(help="Seed for ids, jitter and generated choices.")] = 0,
    json_path: Annotated[
        Path | None, typer.Option("--json", help="Also write the results as JSON here.")
    ] = None,
    out: Annotated[Path, typer.Option(help="Folder for the runs' histories (JSON lines).")] = Path(
        "paychaos-results/histories"
    ),
) -> None:
    """Run named scenarios against app variants and check every invariant.

    Exit 0: every promise kept; 1: a violation; 2: bad input or a broken environment.
    """
    from paychaos.environment import Environment, EnvironmentOptions
    from paychaos.report import print_report, write_json
    from paychaos.runner import run_scenario
    from paychaos.scenarios import all_scenarios, get_scenario

    chosen = [get_scenario(n) for n in names] if names else list(all_scenarios().values())
    variants = _variants(variant)
    console = Console()
    history_dir = out
    history_dir.mkdir(parents=True, exist_ok=True)
    results = []
    with Environment(EnvironmentOptions(variant=variants[0], seed=seed)) as env, Progress(
        TextColumn("{task.description}"), BarColumn(), MofNCompleteColumn(), TimeElapsedColumn(),
        console=console, transient=True,
    ) as progress:  # fmt: skip
        task = progress.add_task("running", total=len(chosen) * len(variants))
        for v in variants:
            env.switch_variant(v)
            for scenario in chosen:
                progress.update(task, description=f"{v}: {scenario.name}")
                path = history_dir / f"{v.replace(':', '-')}__{scenario.name}.jsonl"
                results.append(run_scenario(env, scenario, seed=seed, history_path=path))
                progress.advance(task)
    print_report(results, console)
    if json_path:
        write_json(results, json_path)
    raise typer.Exit(0 if all(r.kept for r in results) else 1)
