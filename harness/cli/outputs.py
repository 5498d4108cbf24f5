"""The files a CI gate keeps from a command: JUnit XML (``--junit``) and the HTML report
(``--html``, and always one under the results folder). Shared by run, explore, replay, mutants."""

from __future__ import annotations

import contextlib
import errno
import shutil
import tempfile
from collections.abc import Callable, Iterator, Sequence
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


def check_writable(files: dict[str, Path | None], folders: dict[str, Path] | None = None) -> None:
    """Before any work starts: every file a command will write (by option name) can be
    written, and every folder it writes into can be made; a ConfigError naming the option
    otherwise. Nothing existing is changed: a file is opened to append, a new one is created
    and removed again; missing parent folders are made, as writing would make them."""
    for option, folder in (folders or {}).items():
        with _refused(option, folder, "cannot write there", "a folder you can write to"):
            folder.mkdir(parents=True, exist_ok=True)
            tempfile.NamedTemporaryFile(dir=folder, prefix=".paychaos-probe-").close()
    for option, path in files.items():
        if path is None:
            continue
        hint = "a file path in a folder you can write to"
        with _refused(option, path, "cannot write this file", hint):
            if path.is_dir():
                raise IsADirectoryError(errno.EISDIR, "it is a folder")
            blocker = next((p for p in path.parents if p.exists() and not p.is_dir()), None)
            if blocker is not None:
                raise NotADirectoryError(errno.ENOTDIR, f"{blocker} is a file, not a folder")
            path.parent.mkdir(parents=True, exist_ok=True)
            existed = path.exists()
            with open(path, "a"):
                pass
            if not existed:
                path.unlink()


@contextlib.contextmanager
def _refused(option: str, path: Path, what: str, wanted: str) -> Iterator[None]:
    """An OSError inside becomes the ConfigError that names the option and the path."""
    from paychaos.errors import ConfigError

    try:
        yield
    except OSError as exc:
        raise ConfigError(
            f"{option} {path}: {what} ({exc.strerror or exc})", hint=f"give {option} {wanted}"
        ) from None


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
