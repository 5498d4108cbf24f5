"""``paychaos services``: run Postgres and Redis for local development until Ctrl-C."""

from __future__ import annotations

import typer

from paychaos.cli import app


@app.command("services")
def services(
    postgres: bool = typer.Option(True, "--postgres/--no-postgres", help="Start Postgres."),
    redis: bool = typer.Option(True, "--redis/--no-redis", help="Start Redis."),
    postgres_port: int = typer.Option(0, help="Port for Postgres (0: a free one)."),
    redis_port: int = typer.Option(0, help="Port for Redis (0: a free one)."),
) -> None:
    """Start the embedded Postgres and Redis, print their URLs, and stop them on Ctrl-C.

    Export the printed lines in another shell to point paychaos (and your app) at them.
    The URLs carry the servers' random passwords: the database URL is the app's role (it
    owns the database and nothing else), PAYCHAOS_DATABASE_ADMIN_URL the superuser's.
    """
    from paychaos.services import start_services
    from paychaos.services.lifecycle import run_until_interrupted

    with start_services(
        postgres=postgres, redis=redis, postgres_port=postgres_port, redis_port=redis_port
    ) as svc:

        def announce() -> None:
            if postgres:
                typer.echo(f"PAYCHAOS_DATABASE_URL={svc.postgres.url}")
            if redis:
                typer.echo(f"PAYCHAOS_REDIS_URL={svc.redis.url}")
            if postgres:
                typer.echo(f"PAYCHAOS_DATABASE_ADMIN_URL={svc.postgres.admin_url}")
            typer.echo("services running; press Ctrl-C to stop", err=True)

        run_until_interrupted(on_ready=announce)
    typer.echo("services stopped", err=True)
    raise typer.Exit(0)
