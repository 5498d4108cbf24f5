"""``paychaos check``: start your app, make one purchase through it, and say how each part of
the adapter's contract went, with the app's answer and log where one failed."""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

import typer
from rich.console import Console

from paychaos.cli import app
from paychaos.cli.compose import open_environment
from paychaos.cli.options import AppOption
from paychaos.verdicts import EXIT_BROKEN

# How much of the app's log a failed step shows.
LOG_LINES = 15


@app.command()
def check(
    app_spec: AppOption = None,
) -> None:
    """Start the app and make one purchase through each method of its adapter.

    Exit 0: every method did its part; 1: one failed (its error, the app's answer and log
    are shown); 2: bad input; 3: the harness's own environment failed.
    """
    console = Console()
    with console.status("starting Postgres, Redis, the Stripe emulator, the proxies and the app"):
        env = open_environment(app=app_spec).__enter__()
    try:
        ok = _purchase(env, console)
    finally:
        env.close()
    if ok:
        console.print("\n[green]The adapter works end to end.[/] Next: [cyan]paychaos run[/]")
    raise typer.Exit(0 if ok else EXIT_BROKEN)


def _purchase(env: Any, console: Console) -> bool:
    adapter = env.app
    env.reset(seed=0)
    console.print(f"[bold]{type(adapter).__name__}[/] at {getattr(adapter, 'base_url', '?')}")
    found: dict[str, Any] = {}

    def step(
        what: str,
        call: Callable[[], Any],
        judge: Callable[[Any], str | None],
        show: Callable[[Any], str] = lambda v: _short(v),
    ) -> bool:
        mark = _mark(adapter)
        try:
            value = call()
        except Exception as exc:  # the adapter's or the app's failure, shown, not raised
            _failed(console, adapter, what, f"{type(exc).__name__}: {exc}", mark)
            return False
        problem = judge(value)
        if problem:
            _failed(console, adapter, what, problem, mark)
            return False
        found[what] = value
        console.print(f"  [green]✓[/] {what}: {show(value)}", highlight=False)
        return True

    def session_of(value: Any) -> str | None:
        return None if str(value).startswith("cs_") else f"expected a cs_... id, got {value!r}"

    def delivered(attempts: list[dict[str, Any]]) -> str | None:
        if not attempts:
            return "Stripe delivered no webhook (check webhook_url and webhook_events)"
        refused = [a for a in attempts if not a.get("delivered")]
        if refused:
            a = refused[0]
            return (
                f"{a['event_type']} answered {a.get('status') or a.get('error')} "
                f"{(a.get('response_body') or '')[:300]}"
            )
        return None

    ok = (
        step("create_company", lambda: adapter.create_company("Company c1"), lambda v: None)
        and step("create_plan", lambda: env.plan_id("pro", 14900), lambda v: None)
        and step(
            "create_checkout",
            lambda: adapter.create_checkout(found["create_company"], found["create_plan"]),
            session_of,
        )
        and step(
            "pay (Stripe)",
            lambda: env.emulator.control.complete_session(found["create_checkout"], "paid"),
            lambda s: None if s.get("payment_status") == "paid" else f"session {s}",
            lambda s: f"session {s.get('id')} {s.get('status')}/{s.get('payment_status')}",
        )
        and step(
            "webhooks (Stripe -> webhook_url)",
            env.emulator.control.drain,
            delivered,
            lambda attempts: ", ".join(f"{a['event_type']} {a.get('status')}" for a in attempts),
        )
        and step(
            "validate",
            lambda: adapter.validate(found["create_checkout"]),
            show=lambda a: f"the page shows {a.told!r} (HTTP {a.http_status})",
            judge=lambda a: (
                None
                if a.told == "success"
                else f"the page would show {a.told!r} (HTTP {a.http_status}) {a.body or a.error}"
            ),
        )
        and step(
            "subscriptions",
            adapter.subscriptions,
            lambda subs: (
                None
                if any(s.active and s.checkout_session_id == found["create_checkout"] for s in subs)
                else f"no active subscription for the paid session among {subs}"
            ),
            lambda subs: f"{len(subs)} row(s): " + ", ".join(f"#{s.id} {s.status}" for s in subs),
        )
        and step("payments", adapter.payments, lambda v: None, lambda v: f"{len(v)} row(s)")
        and step(
            "subscription_status",
            lambda: adapter.subscription_status(found["create_company"]),
            lambda v: None,
        )
    )
    return bool(ok)


def _mark(adapter: Any) -> int:
    try:
        return int(adapter.log_position())
    except Exception:
        return 0


def _failed(console: Console, adapter: Any, what: str, problem: str, mark: int) -> None:
    console.print(f"  [red]✗ {what}[/]: {problem}", highlight=False, soft_wrap=True)
    try:
        log = adapter.log_since(mark).strip()
    except Exception:
        log = ""
    if log:
        console.print("    the app logged:", highlight=False)
        for line in log.splitlines()[-LOG_LINES:]:
            console.print(f"    | {line}", highlight=False, soft_wrap=True)


def _short(value: Any) -> str:
    text = repr(value)
    return text if len(text) <= 120 else text[:117] + "..."
