"""``paychaos proxy``: run the embedded Toxiproxy-compatible fault proxy standalone."""

from __future__ import annotations

import typer

from paychaos.cli import app


@app.command("proxy")
def proxy(
    host: str = typer.Option("127.0.0.1", help="Loopback address for the API and the proxies."),
    port: int = typer.Option(8474, help="Port of the Toxiproxy HTTP API (0 picks a free one)."),
    seed: int = typer.Option(0, help="Seed for jitter, toxicity and slicer sizes."),
    token: str = typer.Option(
        "",
        envvar="PAYCHAOS_TOXIPROXY_TOKEN",
        help="Demand this token (Authorization: Bearer) on every API request. Without one "
        "the API is Toxiproxy's, but refuses non-JSON bodies, Origin headers and non-loopback "
        "Host names (what a web page could send).",
        show_default=False,
    ),
) -> None:
    """Serve Toxiproxy's HTTP API (and its proxies) until Ctrl-C.

    Any Toxiproxy client can drive it, and the harness uses it when
    PAYCHAOS_TOXIPROXY_URL points at it (with PAYCHAOS_TOXIPROXY_TOKEN, if it has a token).
    """
    from paychaos.faults.server import serve_forever

    def ready(actual_port: int) -> None:
        typer.echo(f"fault proxy: Toxiproxy API on http://{host}:{actual_port} (seed {seed})")
        if token:
            typer.echo(
                "every API request must carry Authorization: Bearer $PAYCHAOS_TOXIPROXY_TOKEN"
            )
        typer.echo("Ctrl-C stops it")

    serve_forever(host, port, seed, on_ready=ready, token=token or None)
    raise typer.Exit(0)
