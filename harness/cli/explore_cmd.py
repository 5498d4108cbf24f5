"""``paychaos explore`` and ``paychaos replay``: generated schedules, shrunk failures, replays."""

from __future__ import annotations

import contextlib
import shlex
from dataclasses import replace
from functools import partial
from pathlib import Path
from typing import TYPE_CHECKING, Annotated, Any

import typer
from rich.console import Console
from rich.progress import BarColumn, Progress, TextColumn, TimeElapsedColumn

from paychaos.cli import app, signals
from paychaos.cli.compose import open_environment, parse_variants
from paychaos.cli.options import AppOption, BrowserOption, StrictFlakyOption
from paychaos.cli.outputs import HtmlOption, JunitOption, check_writable, write_outputs
from paychaos.cli.workers import ShardOption, WorkersOption
from paychaos.errors import ConfigError, PaychaosError, ServiceError
from paychaos.verdicts import EXIT_BROKEN, EXIT_FLAKY, EXIT_KEPT, strict_flaky_exit

if TYPE_CHECKING:
    from paychaos.explore import Finding
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
    strict_flaky: StrictFlakyOption = False,
    json_path: Annotated[
        Path | None, typer.Option("--json", help="Also write what was found as JSON here.")
    ] = None,
) -> None:
    """Generate fault schedules until a promise breaks; shrink it and write a replay file.

    A failure counts only if a rerun of the same schedule repeats it; one that does not is a
    flaky finding: shown with its schedule and replay file, not shrunk, and exploring goes on.

    Exit 0: nothing found within the budget; 1: a broken promise (replay file written);
    2: bad input; 3: the harness's own environment failed; 4: only flaky findings (1 with
    --strict-flaky).
    """
    from paychaos.cli.workers import (
        example_database,
        merged_shadow,
        open_pool,
        shadow_of,
        worker_count,
    )
    from paychaos.explore import PROFILES, ExploreOutcome, ExploreStats, parse_budget
    from paychaos.explore import explore as run_explore
    from paychaos.parallel import explore_parallel, parse_shard, strategy_named
    from paychaos.report import print_report, print_shadow_summary, write_explore_json
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
    check_writable({"--html": html, "--junit": junit, "--json": json_path}, {"--out": out})
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
    outcome: ExploreOutcome | None = None
    shadow: dict = {}
    failure: ServiceError | None = None
    seen: list[ExploreStats] = []  # the counts so far, for a --json written on an early stop
    try:
        with Progress(
            TextColumn("[bold]{task.description}"), BarColumn(),
            TextColumn("{task.fields[detail]}"), TimeElapsedColumn(), console=console,
            transient=False,
        ) as progress:  # fmt: skip
            total = examples if examples is not None else seconds
            task = progress.add_task(f"exploring {variant_name}", total=total, detail="")

            def show(stats) -> None:
                seen[:] = [stats]
                done = stats.examples if examples is not None else min(stats.elapsed, seconds or 0)
                progress.update(
                    task, completed=done,
                    detail=f"{stats.examples} examples · {stats.faults} faults · "
                    f"{len(stats.distinct)} distinct violations · {stats.flaky} flaky",
                )  # fmt: skip

            settings: dict[str, Any] = dict(
                seed=seed, max_examples=examples or 100_000, budget_seconds=seconds,
                profile=profile, database_dir=out / "examples", database=database,
                on_example=show, only=only, on_result=ran,
            )  # fmt: skip
            if size == 1 and n == 1:
                with open_environment(variant_name, seed, app_spec, browser=browser) as env:
                    strategy = schedules(
                        max_steps=max_steps, untrusted_client=env.app.traits.untrusted_client
                    )
                    outcome = run_explore(env, strategy, **settings)
                    if outcome.failure is None:
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
                            strategy_named, SCHEDULES, max_steps=max_steps,
                            untrusted_client=untrusted,
                        ),
                        shard=(k, n),
                        # The workers open --example-db themselves (a Redis client is not sent).
                        **{**settings, "database": example_db},
                    )  # fmt: skip
                    if outcome.failure is None:
                        shadow = merged_shadow(pool.call_all(shadow_of))
            failure = outcome.failure
            if failure is None:
                progress.update(task, completed=total)
    except ServiceError as exc:  # the harness's own environment failed: report what was done
        failure = exc
    except (KeyboardInterrupt, PaychaosError) as exc:  # a signal, or bad input met mid-run
        if json_path is not None:
            partial_outcome = ExploreOutcome(
                variant=variant_name, seed=seed, stats=seen[0] if seen else ExploreStats(),
                finding=None,
            )  # fmt: skip
            with contextlib.suppress(OSError):
                write_explore_json(
                    json_path, partial_outcome, budget=budget, commands={},
                    failure=exc if isinstance(exc, PaychaosError) else None,
                    stopped=None if isinstance(exc, PaychaosError) else signals.stopped_by(),
                )  # fmt: skip
        raise
    if outcome is None:  # it failed before exploring began
        outcome = ExploreOutcome(
            variant=variant_name, seed=seed, stats=ExploreStats(), finding=None
        )
    stats = outcome.stats
    console.print(
        f"\n{stats.examples} schedules run in {stats.elapsed:.1f}s against {variant_name} "
        f"({stats.faults} faults injected, {len(stats.distinct)} distinct violations, "
        f"{stats.flaky} flaky)."
    )
    if shadow:
        print_shadow_summary(shadow, console)
    summary = (
        f"{stats.examples} generated schedules against {variant_name} (seed {seed}, budget "
        f"{budget}), {stats.faults} faults injected, {len(stats.distinct)} distinct violations, "
        f"{stats.flaky} flaky"
    )
    properties = {
        "variant": variant_name, "seed": seed, "budget": budget, "examples": stats.examples,
        "faults": stats.faults, "failing schedules (shrinking)": failing[0], "flaky": stats.flaky,
    }  # fmt: skip
    shown: list[RunResult] = []
    cases: list[Case] = []
    commands: dict[int, str] = {}

    def show_finding(finding: Finding, path: Path, heading: str, case_name: str) -> None:
        command = _write_finding(path, finding, variant_name, seed, only)
        console.print(f"\n{heading}")
        for step in finding.scenario.steps:
            console.print(f"  · {step.describe()}", highlight=False)
        print_report([finding.result], console, coverage=False)
        console.print(f"\nreplay: [cyan]{command}[/]", highlight=False)
        shown.append(finding.result)
        commands[id(finding.result)] = command
        cases.append(run_case(finding.result, command, name=case_name))

    stem = f"replay-{variant_name.replace(':', '-')}-seed{seed}"
    flaky_shown = outcome.flaky_findings[:FLAKY_SHOWN]
    for number, flaky_finding in enumerate(flaky_shown, 1):
        steps = len(flaky_finding.scenario.steps)
        show_finding(
            flaky_finding, out / f"{stem}-flaky{number}.json",
            f"[bold yellow]Flaky finding {number}[/] ({steps} steps, not shrunk): it broke a "
            "promise once, and a rerun of the same schedule kept it, so it is not counted as "
            "broken (the app or the harness depends on timing or on state kept between runs):",
            f"flaky finding {number} ({steps} steps, unshrunk)",
        )  # fmt: skip
    if stats.flaky > len(flaky_shown):
        console.print(f"({stats.flaky - len(flaky_shown)} more flaky findings not shown)")
    finding = outcome.finding
    if finding is not None:
        steps = len(finding.scenario.steps)
        show_finding(
            finding, out / f"{stem}.json",
            f"[bold red]Shrunk counterexample[/] ({steps} steps), broken again on a rerun:",
            f"shrunk counterexample ({steps} steps)",
        )  # fmt: skip
        code = EXIT_BROKEN
    elif outcome.flaky:
        console.print(
            f"[yellow]No promise broken reproducibly; {stats.flaky} flaky finding(s).[/]"
            + (" --strict-flaky: exit 1." if strict_flaky else "")
        )
        code = EXIT_BROKEN if strict_flaky else EXIT_FLAKY
    elif failure is not None:
        console.print(
            f"[bold red]Exploring stopped after {stats.examples} schedules:[/] the harness's "
            "own environment failed (below); nothing broke before it."
        )
        code = EXIT_KEPT
    else:
        console.print("[green]No promise broken.[/]")
        code = EXIT_KEPT
    if failure is not None:
        summary += f"; partial: stopped when {failure.what}"
        properties["environment failure"] = failure.what
    write_outputs(
        "explore", shown, replay_for=lambda r: commands.get(id(r)), results_dir=out,
        junit=junit, html=html, console=console, summary=summary, coverage=False,
        suite=Suite(
            "paychaos explore", [*passed, *cases], {k: str(v) for k, v in properties.items()}
        ),
    )  # fmt: skip
    if json_path is not None:
        write_explore_json(json_path, outcome, budget=budget, commands=commands, failure=failure)
        console.print(f"json: {json_path}", highlight=False)
    if failure is not None:
        raise failure
    raise typer.Exit(code)


# How many flaky findings explore prints (and writes replay files for); the rest are counted.
FLAKY_SHOWN = 3


def _write_finding(
    path: Path, finding: Finding, variant: str, seed: int, only: tuple[str, ...] | None
) -> str:
    """Write the finding's replay file; its replay command."""
    from paychaos.replay import write_replay

    violations = finding.result.violations or finding.result.flaky_violations
    write_replay(
        path, finding.scenario, variant=variant, seed=seed, only=only,
        found=[{"invariant": v.invariant, "message": v.message} for v in violations],
    )  # fmt: skip
    return shlex.join(["paychaos", "replay", str(path)])


@app.command()
def replay(
    file: Annotated[Path, typer.Argument(help="A replay file written by `paychaos explore`.")],
    app_spec: AppOption = None,
    browser: BrowserOption = False,
    junit: JunitOption = None,
    html: HtmlOption = None,
    strict_flaky: StrictFlakyOption = False,
) -> None:
    """Run a replay file again. Exit 0: every promise kept; 1: broken again; 2: bad file;
    3: the harness's own environment failed; 4: flaky (1 with --strict-flaky); 5: not
    exercised."""
    from paychaos.replay import read_replay
    from paychaos.report import print_report
    from paychaos.runner import command_verdict, confirm, run_scenario

    scenario, variant, seed, only = read_replay(file)
    parse_variants(variant)
    check_writable({"--html": html, "--junit": junit}, {"the results folder": RESULTS})
    console = Console()
    results: list[RunResult] = []
    failure: ServiceError | None = None
    try:
        with open_environment(variant, seed, app_spec, browser=browser) as env:
            results.append(confirm(env, run_scenario(env, scenario, seed=seed, only=only)))
    except ServiceError as exc:  # the harness's own environment failed: no verdict
        failure = exc
    for step in scenario.steps:
        console.print(f"  · {step.describe()}", highlight=False)
    if results:
        print_report(results, console, coverage=False)
    command = shlex.join(["paychaos", "replay", str(file)])
    summary = f"replay file {file}"
    if failure is not None:
        summary += f"; not run to the end: {failure.what}"
    write_outputs(
        "replay", results, replay_for=lambda _r: command, results_dir=RESULTS, junit=junit,
        html=html, console=console, summary=summary, coverage=False,
    )  # fmt: skip
    if failure is not None:
        raise failure
    (result,) = results
    code = command_verdict([result], coverage=False).exit_code
    raise typer.Exit(strict_flaky_exit(code, strict_flaky))


def _invariant_ids(spec: str | None) -> tuple[str, ...] | None:
    from paychaos.invariants import invariants

    if spec is None:
        return None
    chosen = tuple(part.strip().upper() for part in spec.split(",") if part.strip())
    unknown = [i for i in chosen if i not in invariants()]
    if unknown or not chosen:
        raise ConfigError(
            f"--invariants {spec!r}: unknown invariant {unknown[0] if unknown else '(none)'}",
            hint=f"use ids from {', '.join(invariants())}, comma-separated",
        )
    return chosen
