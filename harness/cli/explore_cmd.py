"""``paychaos explore`` and ``paychaos replay``: generated schedules, shrunk failures, replays."""

from __future__ import annotations

import shlex
from dataclasses import replace
from functools import partial
from pathlib import Path
from typing import TYPE_CHECKING, Annotated, Any

import typer
from rich.console import Console
from rich.progress import BarColumn, Progress, TextColumn, TimeElapsedColumn

from paychaos.cli import app
from paychaos.cli.compose import open_environment, parse_variants
from paychaos.cli.options import AppOption, BrowserOption
from paychaos.cli.outputs import HtmlOption, JunitOption, check_writable, write_outputs
from paychaos.cli.workers import ShardOption, WorkersOption
from paychaos.errors import ConfigError
from paychaos.verdicts import EXIT_BROKEN, EXIT_FLAKY

if TYPE_CHECKING:
    from paychaos.runner import RunResult
    from paychaos.schedule import Scenario

RESULTS = Path("paychaos-results")
SCHEDULES = "paychaos.strategies:schedules"


@app.command()
def explore(
    variant: Annotated[str, typer.Option(help="App variant to explore.")] = "correct",
    budget: Annotated[
        str, typer.Option(help="Time (60s, 2m) or number of examples (200).")
    ] = "60s",
    app_spec: AppOption = None,
    browser: BrowserOption = False,
    seed: Annotated[int, typer.Option(help="Seed of the generator and the emulator.")] = 0,
    profile: Annotated[
        str, typer.Option(help="ci: bounded and repeatable; chaos: keeps an example database.")
    ] = "ci",
    max_steps: Annotated[int, typer.Option(help="Longest generated middle of a schedule.")] = 10,
    out: Annotated[Path, typer.Option(help="Where replay files go.")] = RESULTS,
    invariants: Annotated[
        str | None, typer.Option(help="Only these promises count, e.g. I1,I4 (default: all).")
    ] = None,
    junit: JunitOption = None,
    html: HtmlOption = None,
    workers: WorkersOption = None,
    shard: ShardOption = None,
    example_db: Annotated[
        str | None,
        typer.Option(
            "--example-db",
            help="Hypothesis example database shared by runs and machines: a folder (which CI "
            "can cache) or redis://host:port/db (default: OUT/examples under --profile chaos).",
        ),
    ] = None,
) -> None:
    """Generate fault schedules until a promise breaks; shrink it and write a replay file.

    Exit 0: nothing found within the budget; 1: a broken promise (replay file written);
    2: bad input; 3: the harness's own environment failed; 4: a failure that did not reproduce.
    """
    from paychaos.cli.workers import (
        example_database,
        merged_shadow,
        open_pool,
        shadow_of,
        worker_count,
    )
    from paychaos.explore import PROFILES, parse_budget
    from paychaos.explore import explore as run_explore
    from paychaos.parallel import explore_parallel, parse_shard, strategy_named
    from paychaos.replay import write_replay
    from paychaos.report import print_report, print_shadow_summary
    from paychaos.report_junit import Case, Suite, run_case
    from paychaos.strategies import schedules

    if profile not in PROFILES:
        raise ConfigError(f"unknown profile {profile!r}", hint="one of: ci, chaos")
    (variant_name,) = (
        parse_variants(variant) if "," not in variant and variant != "all" else (None,)
    )
    if variant_name is None:
        raise ConfigError("explore takes one variant at a time", hint="e.g. --variant seed_fix")
    examples, seconds = parse_budget(budget)
    if max_steps < 1:
        raise ConfigError(f"--max-steps {max_steps} would generate nothing", hint="e.g. 10")
    only = _invariant_ids(invariants)
    check_writable({"--html": html, "--junit": junit}, {"--out": out})
    console = Console()
    # JUnit: a passing case per schedule that kept every promise; the failing ones are the
    # same bug being shrunk, so the shrunk counterexample stands for them (counted apart).
    passed: list[Case] = []
    failing = [0]

    def ran(schedule: Scenario, result: RunResult) -> None:
        if not result.kept:
            failing[0] += 1
            return
        case = run_case(
            result,
            None,
            name=f"schedule {len(passed) + failing[0] + 1} ({len(schedule.steps)} steps)",
        )
        steps = "\n".join(step.describe() for step in schedule.steps)
        passed.append(
            replace(
                case, classname=f"paychaos.explore.{variant_name}", output=f"{steps}\n{case.output}"
            )
        )

    size = worker_count(workers)
    k, n = parse_shard(shard)
    database = example_database(example_db)
    with Progress(
        TextColumn("[bold]{task.description}"), BarColumn(), TextColumn("{task.fields[detail]}"),
        TimeElapsedColumn(), console=console, transient=False,
    ) as progress:  # fmt: skip
        total = examples if examples is not None else seconds
        task = progress.add_task(f"exploring {variant_name}", total=total, detail="")

        def show(stats) -> None:
            done = stats.examples if examples is not None else min(stats.elapsed, seconds or 0)
            progress.update(
                task, completed=done,
                detail=f"{stats.examples} examples · {stats.faults} faults · {len(stats.distinct)} distinct violations",
            )  # fmt: skip

        settings: dict[str, Any] = dict(
            seed=seed, max_examples=examples or 100_000, budget_seconds=seconds, profile=profile,
            database_dir=out / "examples", database=database, on_example=show, only=only,
            on_result=ran,
        )  # fmt: skip
        if size == 1 and n == 1:
            with open_environment(variant_name, seed, app_spec, browser=browser) as env:
                strategy = schedules(
                    max_steps=max_steps, untrusted_client=env.app.traits.untrusted_client
                )
                outcome = run_explore(env, strategy, **settings)
                shadow = env.emulator.control.shadow()
        else:
            # Checks the options and says which app once; the workers open their own.
            unstarted = open_environment(variant_name, seed, app_spec, browser=browser)
            untrusted = unstarted.app.traits.untrusted_client
            progress.update(task, detail=f"starting {size} workers")
            with open_pool(variant_name, seed, app_spec, browser=browser, workers=size) as pool:
                outcome = explore_parallel(
                    pool,
                    partial(
                        strategy_named, SCHEDULES, max_steps=max_steps, untrusted_client=untrusted
                    ),
                    shard=(k, n),
                    **settings,
                )
                shadow = merged_shadow(pool.call_all(shadow_of))
        progress.update(task, completed=total)
    stats = outcome.stats
    console.print(
        f"\n{stats.examples} schedules run in {stats.elapsed:.1f}s against {variant_name} "
        f"({stats.faults} faults injected, {len(stats.distinct)} distinct violations)."
    )
    print_shadow_summary(shadow, console)
    summary = (
        f"{stats.examples} generated schedules against {variant_name} (seed {seed}, budget "
        f"{budget}), {stats.faults} faults injected, {len(stats.distinct)} distinct violations"
    )
    properties = {
        "variant": variant_name, "seed": seed, "budget": budget, "examples": stats.examples,
        "faults": stats.faults, "failing schedules (shrinking)": failing[0], "flaky": outcome.flaky,
    }  # fmt: skip
    if outcome.finding is None:
        console.print("[green]No promise broken.[/]")
        write_outputs(
            "explore", [], replay_for=lambda _r: None, results_dir=out, junit=junit, html=html,
            console=console, summary=summary,
            suite=Suite("paychaos explore", passed, {k: str(v) for k, v in properties.items()}),
        )  # fmt: skip
        raise typer.Exit(0)
    finding = outcome.finding
    if outcome.flaky:
        console.print(
            "[yellow]The failure did not reproduce on a rerun of the same schedule: the app's "
            "behaviour depends on timing or on state kept between runs. Shown unshrunk.[/]"
        )
    path = out / f"replay-{variant_name.replace(':', '-')}-seed{seed}.json"
    write_replay(
        path, finding.scenario, variant=variant_name, seed=seed, only=only,
        found=[{"invariant": v.invariant, "message": v.message} for v in finding.result.violations],
    )  # fmt: skip
    console.print(f"\n[bold red]Shrunk counterexample[/] ({len(finding.scenario.steps)} steps):")
    for step in finding.scenario.steps:
        console.print(f"  · {step.describe()}", highlight=False)
    shown = finding.result.as_flaky() if outcome.flaky else finding.result
    print_report([shown], console, coverage=False)
    command = shlex.join(["paychaos", "replay", str(path)])
    console.print(f"\nreplay: [cyan]{command}[/]", highlight=False)
    shrunk = run_case(
        shown, command,
        name=f"shrunk counterexample ({len(finding.scenario.steps)} steps)"
        + (" (flaky: did not reproduce, unshrunk)" if outcome.flaky else ""),
    )  # fmt: skip
    write_outputs(
        "explore", [shown], replay_for=lambda _r: command, results_dir=out, junit=junit,
        html=html, console=console, summary=summary, coverage=False,
        suite=Suite(
            "paychaos explore", [*passed, shrunk], {k: str(v) for k, v in properties.items()}
        ),
    )  # fmt: skip
    raise typer.Exit(EXIT_FLAKY if outcome.flaky else EXIT_BROKEN)


@app.command()
def replay(
    file: Annotated[Path, typer.Argument(help="A replay file written by `paychaos explore`.")],
    app_spec: AppOption = None,
    browser: BrowserOption = False,
    junit: JunitOption = None,
    html: HtmlOption = None,
) -> None:
    """Run a replay file again. Exit 0: every promise kept; 1: broken again; 2: bad file;
    3: the harness's own environment failed; 4: flaky; 5: not exercised."""
    from paychaos.replay import read_replay
    from paychaos.report import print_report
    from paychaos.runner import command_verdict, confirm, run_scenario

    scenario, variant, seed, only = read_replay(file)
    parse_variants(variant)
    check_writable({"--html": html, "--junit": junit}, {"the results folder": RESULTS})
    console = Console()
    with open_environment(variant, seed, app_spec, browser=browser) as env:
        result = confirm(env, run_scenario(env, scenario, seed=seed, only=only))
    for step in scenario.steps:
        console.print(f"  · {step.describe()}", highlight=False)
    print_report([result], console, coverage=False)
    command = shlex.join(["paychaos", "replay", str(file)])
    write_outputs(
        "replay", [result], replay_for=lambda _r: command, results_dir=RESULTS, junit=junit,
        html=html, console=console, summary=f"replay file {file}", coverage=False,
    )  # fmt: skip
    raise typer.Exit(command_verdict([result], coverage=False).exit_code)


def _invariant_ids(spec: str | None) -> tuple[str, ...] | None:
    from paychaos.invariants import invariants

    if spec is None:
        return None
    chosen = tuple(part.strip().upper() for part in spec.split(",") if part.strip())
    unknown = [i for i in chosen if i not in invariants()]
    if unknown or not chosen:
        raise ConfigError(
            f"--invariants {spec!r}: unknown invariant {unknown[0] if unknown else '(none)'}",
            hint="use ids from I1 to I8, comma-separated",
        )
    return chosen
