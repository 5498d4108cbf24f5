"""``paychaos emulator``: a standalone stateful Stripe emulator with webhooks, until Ctrl-C."""

from __future__ import annotations

import signal
import threading

import typer

from paychaos.cli import app


@app.command("emulator")
def emulator(
    host: str = typer.Option("127.0.0.1", help="Loopback address to listen on."),
    port: int = typer.Option(12111, help="Port to listen on (0: a free one)."),
    seed: int = typer.Option(0, help="Seed for object ids: same seed, same ids."),
    api_key: str = typer.Option(
        "sk_test_paychaos000000000000000000", help="The secret key clients must send."
    ),
    delivery: str = typer.Option(
        "auto", help="Webhook delivery: auto (at once) or manual (on drain via the control API)."
    ),
    retry_schedule: str = typer.Option("test", help="Webhook retry schedule: test or live."),
    webhook_timeout: float = typer.Option(10.0, help="Seconds before a webhook attempt fails."),
) -> None:
    """Serve Stripe's v1 API (the parts paychaos emulates) until Ctrl-C.

    Point the stripe library at it with
    ``StripeClient(key, base_addresses={"api": "http://127.0.0.1:12111"})``; drive it
    with ``paychaos.stripe_emulator.EmulatorControl(url, key)``.
    """
    from paychaos.stripe_emulator import StripeEmulator

    emu = StripeEmulator(
        host=host,
        port=port,
        seed=seed,
        api_key=api_key,
        delivery=delivery,
        retry_schedule=retry_schedule,
        webhook_timeout=webhook_timeout,
    )

    def interrupt(signum: int, frame: object) -> None:
        raise KeyboardInterrupt

    # Ctrl-C, a plain ``kill`` and a closed terminal all stop cleanly (SIGINT may arrive
    # ignored from a shell).
    for sig in (signal.SIGINT, signal.SIGTERM, signal.SIGHUP):
        signal.signal(sig, interrupt)
    emu.start()
    try:
        typer.echo(f"STRIPE_API_BASE={emu.url}")
        typer.echo(f"STRIPE_SECRET_KEY={emu.api_key}")
        typer.echo(f"control API: {emu.url}/_paychaos/  (Ctrl-C to stop)", err=True)
        threading.Event().wait()
    except KeyboardInterrupt:
        pass
    finally:
        emu.stop()
    typer.echo("emulator stopped", err=True)
    raise typer.Exit(0)
