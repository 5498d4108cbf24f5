"""The ``paychaos`` command.

Each subcommand lives in its own module in this package and registers itself on
``app``; adding a command is one new module plus one import line below.
"""

from __future__ import annotations

import sys

import typer

from paychaos.errors import PaychaosError
from paychaos.verdicts import EXIT_ENVIRONMENT

# How many lines of a failed service's log an error shows.
LOG_LINES_SHOWN = 15

app = typer.Typer(
    name="paychaos",
    help="Prove that every paid checkout ends in exactly one active subscription, whatever "
    "Redis, Postgres, the network or Stripe do.",
    no_args_is_help=True,
    add_completion=False,
    pretty_exceptions_enable=False,
)


def _register_commands() -> None:
    # One line per command module; each module adds its commands to ``app``.
    from paychaos.cli import (  # noqa: F401
        check_cmd,
        demo_cmd,
        emulator_cmd,
        explore_cmd,
        init_cmd,
        merge_cmd,
        mutants_cmd,
        proxy_cmd,
        run_cmd,
        services_cmd,
    )


@app.callback()
def _root() -> None:
    """paychaos: fault injection for webhook-driven payment flows."""


@app.command()
def version() -> None:
    """Print the paychaos version."""
    from paychaos import __version__

    typer.echo(f"paychaos {__version__}")


def main(argv: list[str] | None = None) -> int:
    """Entry point of the console script; returns the process exit code.

    Commands end with ``raise typer.Exit(code)``; a ``PaychaosError`` anywhere becomes a
    two-line message and its exit status (2 bad input, 3 the harness's own environment
    failed, with the end of the failed service's log), never a traceback. Ctrl-C, SIGTERM
    and SIGHUP stop the command cleanly and exit 128 + the signal's number.
    """
    from paychaos.cli import signals

    _register_commands()
    signals.install()
    try:
        app(args=argv, prog_name="paychaos")
    except KeyboardInterrupt:  # outside typer's own handling (which exits 130, below)
        return _interrupted()
    except PaychaosError as exc:
        from rich.console import Console

        err = Console(stderr=True)
        err.print(f"[bold red]error:[/] {exc.what}", highlight=False)
        if exc.hint:
            err.print(f"  [yellow]hint:[/] {exc.hint}", highlight=False)
        tail = getattr(exc, "log_tail", "")
        if tail:
            err.print("  its log ends:", highlight=False)
            for line in tail.strip().splitlines()[-LOG_LINES_SHOWN:]:
                err.print(f"    {line}", highlight=False, markup=False)
        return exc.exit_code
    except SystemExit as exc:
        if exc.code == _TYPER_INTERRUPTED and isinstance(exc.__context__, typer.Exit):
            return _interrupted()
        return exc.code if isinstance(exc.code, int) else (0 if exc.code is None else 1)
    except Exception:  # a bug in paychaos: never read as "a promise broke" (exit 1)
        import traceback

        traceback.print_exc()
        print(
            "error: paychaos itself failed (a bug, not a verdict on the app; the traceback is "
            "above): no verdict.\n  hint: report it with the command you ran",
            file=sys.stderr,
        )
        return EXIT_ENVIRONMENT
    return 0


_TYPER_INTERRUPTED = 130  # typer turns a KeyboardInterrupt (and so Stopped) into Exit(130)


def _interrupted() -> int:
    from paychaos.cli import signals

    # The ``with`` blocks have unwound: everything the command started is stopped.
    code, name = signals.stopped_by()
    print(f"paychaos: stopped by {name}; everything it started is stopped", file=sys.stderr)
    return code


if __name__ == "__main__":
    sys.exit(main())
