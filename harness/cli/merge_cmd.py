"""``paychaos merge``: the ``--json`` results of ``paychaos run --shard K/N`` on several machines,
joined into one report and one exit code, as if one machine had run the whole matrix."""

from __future__ import annotations

import json
from pathlib import Path
from typing import TYPE_CHECKING, Annotated, Any

import typer
from rich.console import Console

from paychaos.cli import app
from paychaos.cli.options import AcceptNotExercisedOption, AppOption
from paychaos.cli.outputs import HtmlOption, JunitOption, check_writable, write_outputs
from paychaos.errors import ConfigError
from paychaos.verdicts import EXIT_KEPT, EXIT_NOT_EXERCISED

if TYPE_CHECKING:
    from paychaos.runner import RunResult
    from paychaos.schedule import Scenario

_WHAT = "the --json file of `paychaos run --shard K/N --json FILE`"


@app.command()
def merge(
    files: Annotated[
        list[Path], typer.Argument(help="The shards' --json files (every shard K of N, once).")
    ],
    json_path: Annotated[
        Path | None, typer.Option("--json", help="Also write the joined results as JSON here.")
    ] = None,
    accept_not_exercised: AcceptNotExercisedOption = False,
    out: Annotated[Path, typer.Option(help="Folder for the joined HTML report.")] = Path(
        "paychaos-results"
    ),
    junit: JunitOption = None,
    html: HtmlOption = None,
    app_spec: AppOption = None,
) -> None:
    """Join the JSON results of `paychaos run --shard K/N` into one report and one exit code.

    Exit 0: every promise kept; 1: a broken promise; 2: bad input (a missing or foreign file, a
    shard missing or given twice, shards of different seeds or versions); 4: flaky only;
    5: something not exercised.
    """
    from paychaos.cli.compose import named_scenarios
    from paychaos.report import print_report, replay_command, write_json
    from paychaos.runner import command_verdict

    shards = [_read(path) for path in files]
    check_writable({"--json": json_path, "--html": html, "--junit": junit}, {"--out": out})
    meta = _check_together(files, shards)
    catalog = named_scenarios(app_spec)
    cells: dict[int, RunResult] = {}
    for path, payload in zip(files, shards, strict=True):
        for index, run in zip(payload["paychaos"]["cells"], payload["runs"], strict=True):
            cells[index] = _result(run, catalog, path)
    results = [cells[i] for i in sorted(cells)]
    coverage = bool(meta["catalog"])
    console = Console()
    console.print(
        f"{len(files)} shards of seed {meta['seed']}, {len(results)} runs in all", highlight=False
    )
    print_report(results, console, named=catalog, coverage=coverage)
    if json_path:
        joined = {
            **meta,
            "shard": "1/1",
            "cells": sorted(cells),
            "merged_from": [str(f) for f in files],
        }
        write_json(results, json_path, named=catalog, coverage=coverage, meta=joined)
    out.mkdir(parents=True, exist_ok=True)
    write_outputs(
        "merge", results, replay_for=lambda r: replay_command(r, catalog), results_dir=out,
        junit=junit, html=html, console=console, summary=f"seed {meta['seed']}, merged shards",
        coverage=coverage,
    )  # fmt: skip
    code = command_verdict(results, coverage=coverage).exit_code
    if code == EXIT_NOT_EXERCISED and accept_not_exercised:
        code = EXIT_KEPT
    raise typer.Exit(code)


def _read(path: Path) -> dict[str, Any]:
    if not path.is_file():
        raise ConfigError(f"no such file: {path}", hint=f"give {_WHAT}")
    try:
        payload = json.loads(path.read_text(encoding="utf-8"))
    except (UnicodeDecodeError, json.JSONDecodeError) as exc:
        raise ConfigError(f"{path} is not JSON ({exc})", hint=f"give {_WHAT}") from None
    meta = payload.get("paychaos") if isinstance(payload, dict) else None
    if isinstance(meta, dict) and payload.get("partial"):
        # Written on exit 3: it lists its whole share of cells but only the runs done.
        failure = payload.get("environment_failure")
        why = failure.get("message") if isinstance(failure, dict) else None
        why = why or "the harness's own environment failed"
        raise ConfigError(
            f"{path} is a partial shard: its run stopped with exit 3 ({why}) before its share "
            "was done",
            hint="run that shard again and merge its new --json file",
        )
    keys = ("version", "command", "seed", "shard", "catalog", "cells", "of")
    if (
        not isinstance(meta, dict)
        or any(key not in meta for key in keys)
        or not isinstance(payload.get("runs"), list)
        or len(meta["cells"]) != len(payload["runs"])
    ):
        raise ConfigError(f"{path} is not a paychaos run result", hint=f"give {_WHAT}")
    from paychaos.parallel import parse_shard

    try:
        parse_shard(str(meta["shard"]))
    except ConfigError:
        raise ConfigError(
            f"{path}: its shard {meta['shard']!r} is not K/N (1 <= K <= N)", hint=f"give {_WHAT}"
        ) from None
    return payload


def _check_together(files: list[Path], shards: list[dict[str, Any]]) -> dict[str, Any]:
    """The shards' common description; a ConfigError when they are not one run's shards."""
    metas = [s["paychaos"] for s in shards]
    first = metas[0]
    for key, what in (
        ("version", "paychaos version"), ("command", "command"), ("seed", "seed"),
        ("catalog", "choice of scenarios"), ("of", "matrix"),
    ):  # fmt: skip
        for path, meta in zip(files, metas, strict=True):
            if meta[key] != first[key]:
                raise ConfigError(
                    f"{files[0]} and {path} are not shards of one run: {what} "
                    f"{first[key]!r} != {meta[key]!r}",
                    hint="merge the shards of one `paychaos run --shard K/N` (same version, "
                    "seed, scenarios and variants)",
                )
    counts = {str(m["shard"]).split("/")[-1] for m in metas}
    if len(counts) != 1:
        raise ConfigError(
            f"shards of different splits: {', '.join(str(m['shard']) for m in metas)}",
            hint="merge the K/N files of one N",
        )
    n = int(counts.pop())
    seen: dict[str, Path] = {}
    for path, meta in zip(files, metas, strict=True):
        if meta["shard"] in seen:
            raise ConfigError(
                f"shard {meta['shard']} given twice: {seen[meta['shard']]} and {path}",
                hint="give each shard's file once",
            )
        seen[meta["shard"]] = path
    missing = [f"{k}/{n}" for k in range(1, n + 1) if f"{k}/{n}" not in seen]
    if missing:
        # A missing shard would make an unrun part of the matrix look kept.
        raise ConfigError(
            f"shard {', '.join(missing)} missing: the joined report would leave its runs out",
            hint="give every shard's --json file (K = 1.." + str(n) + ")",
        )
    return dict(first)


def _result(run: dict[str, Any], catalog: dict[str, Scenario], path: Path) -> RunResult:
    """A run of a shard's JSON as a RunResult (the history is read back from its file when it
    is there, so the HTML report shows its timeline)."""
    from paychaos.history import load_history
    from paychaos.invariants import Violation
    from paychaos.runner import RunResult
    from paychaos.state import FinalState
    from paychaos.verdicts import PromiseVerdict, Verdict

    try:
        scenario = catalog[run["scenario"]]

        def violations(key: str) -> tuple[Violation, ...]:
            return tuple(
                Violation(v["invariant"], v["message"], tuple(v.get("evidence") or ()))
                for v in run.get(key) or ()
            )

        verdicts = tuple(
            PromiseVerdict(v["invariant"], Verdict(v["verdict"]), v.get("reason", ""))
            for v in run.get("verdicts") or ()
        )
        history_path = Path(run["history"]) if run.get("history") else None
        history = (
            tuple(load_history(history_path)) if history_path and history_path.is_file() else ()
        )
        return RunResult(
            scenario=scenario,
            variant=run["variant"],
            seed=int(run["seed"]),
            violations=violations("violations"),
            history=history,
            state=FinalState(),
            timings=dict(run.get("timings") or {}),
            history_path=history_path,
            verdicts=verdicts,
            flaky_violations=violations("flaky_violations"),
            unexercised=run.get("unexercised"),
        )
    except (KeyError, TypeError, ValueError) as exc:
        raise ConfigError(
            f"{path}: a run it lists cannot be read ({type(exc).__name__}: {exc})",
            hint=f"give {_WHAT}, written by this paychaos version",
        ) from None
