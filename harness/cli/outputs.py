"""The files a CI gate keeps from a command: JUnit XML (``--junit``) and the HTML report
(``--html``, and always one under the results folder). Shared by run, explore, replay, mutants."""

from __future__ import annotations

import shutil
from collections.abc import Callable, Sequence
from pathlib import Path
from typing import TYPE_CHECKING, Annotated

import typer
from rich.console import Console

if TYPE_CHECKING:
    from paychaos.report_junit import Suite
    from paychaos.runner import RunResult

JunitOption = Annotated[
    Path | None,
    typer.Option("--junit", help="Also write the results as JUnit XML here (for CI systems)."),
]
HtmlOption = Annotated[
    Path | None,
    typer.Option(
        "--html",
        help="Also write the HTML report here (one is always written in the results folder).",
    ),
]


def write_outputs(
    command: str,
    results: Sequence[RunResult],
    *,
    replay_for: Callable[[RunResult], str | None],
    results_dir: Path,
    junit: Path | None,
    html: Path | None,
    console: Console,
    suite: Suite | None = None,
    title: str = "",
    summary: str = "",
    sections: Sequence[str] = (),
    coverage: bool = False,
) -> None:
    """Write the HTML report (always ``results_dir/report-COMMAND.html``, and ``html`` when
    given) and, when asked, the JUnit file: ``suite``, or one case per run by default.
    ``coverage``: the command is also judged on whether every promise was put to the test."""
    from paychaos.report_html import write_html
    from paychaos.report_junit import run_suite, write_junit

    kept = results_dir / f"report-{command}.html"
    write_html(
        kept,
        results,
        title=title or f"paychaos {command}",
        replay_for=replay_for,
        summary=summary,
        sections=sections,
        coverage=coverage,
    )
    if html is not None and html.resolve() != kept.resolve():
        html.parent.mkdir(parents=True, exist_ok=True)
        shutil.copyfile(kept, html)
    console.print(f"report: {html or kept}", highlight=False)
    if junit is not None:
        default = run_suite(f"paychaos {command}", results, replay_for, coverage=coverage)
        write_junit([suite or default], junit)
        console.print(f"junit: {junit}", highlight=False)
