"""``paychaos demo``: one real purchase (or one named scenario), told step by step."""

from __future__ import annotations

from typing import Annotated

import typer
from rich.console import Console

from paychaos.cli import app
from paychaos.cli.compose import open_environment, parse_variants, scenario_named
from paychaos.cli.options import AppOption, BrowserOption
from paychaos.verdicts import EXIT_BROKEN, Verdict


@app.command()
def demo(
    scenario: Annotated[
        str | None, typer.Argument(help="A named scenario to tell (default: a plain purchase).")
    ] = None,
    variant: Annotated[str, typer.Option(help="App variant.")] = "correct",
    app_spec: AppOption = None,
    browser: BrowserOption = False,
    seed: Annotated[int, typer.Option(help="Seed.")] = 0,
) -> None:
    """Start everything for real, make one purchase, and tell what happened.

    Real Postgres and Redis, the Stripe emulator, the fault proxies and the app server:
    a company buys a plan, pays, Stripe delivers the signed webhook, the browser is told.
    """
    from paychaos.narrate import narrate
    from paychaos.report import print_report
    from paychaos.runner import run_scenario
    from paychaos.schedule import Scenario
    from paychaos.schedule import step as s

    (variant_name,) = parse_variants(variant)[:1]
    chosen = (
        scenario_named(scenario, app_spec)
        if scenario
        else Scenario(
            name="purchase",
            story="A company buys the $149 plan and pays by card.",
            steps=(s.checkout("s1"), s.pay("s1"), s.deliver(), s.validate("s1")),
        )
    )
    console = Console()
    console.print(f"[bold]{chosen.name}[/] on [bold]{variant_name}[/]: {chosen.summary}")
    with console.status("starting Postgres, Redis, the Stripe emulator, the proxies and the app"):
        env = open_environment(variant_name, seed, app_spec, browser=browser).__enter__()
    try:
        result = run_scenario(env, chosen, seed=seed)
    finally:
        env.close()
    for line in narrate(result):
        console.print(f"  {line}", highlight=False)
    if result.outcome == Verdict.KEPT:
        console.print("[green]Every promise this purchase put to the test was kept.[/]")
    else:
        print_report([result], console, named=[chosen.name] if scenario else [], coverage=False)
    raise typer.Exit(EXIT_BROKEN if result.outcome == Verdict.BROKEN else 0)
