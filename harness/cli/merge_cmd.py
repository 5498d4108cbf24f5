"""``paychaos merge``: the ``--json`` results of ``paychaos run --shard K/N`` (or of ``paychaos
explore --shard K/N``) on several machines, joined into one report and one exit code, as if one
machine had run the whole matrix (or explored the whole seed's sequence of schedules)."""

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
from paychaos.verdicts import (
    EXIT_BROKEN,
    EXIT_ENVIRONMENT,
    EXIT_FLAKY,
    EXIT_KEPT,
    EXIT_NOT_EXERCISED,
)

if TYPE_CHECKING:
    from paychaos.runner import RunResult
    from paychaos.schedule import Scenario

_WHAT = "the --json file of `paychaos run --shard K/N --json FILE`"
_WHAT_EXPLORE = "the --json file of `paychaos explore --shard K/N --json FILE`"


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
    """Join the JSON results of `paychaos run --shard K/N` (or of `paychaos explore --shard
    K/N`) into one report and one exit code.

    Run shards. Exit 0: every promise kept; 1: a broken promise; 2: bad input (a missing or
    foreign file, a shard missing or given twice, shards of different seeds or versions);
    4: flaky only; 5: something not exercised.

    Explore shards (each shard explored its own part of the seed's schedules). Exit 0: no
    shard found anything; 1: a shard found a broken promise; 3: a shard's own environment
    failed (its part is partial); 4: flaky findings only; 2: bad input, as above.
    """
    from paychaos.cli.compose import named_scenarios
    from paychaos.report import print_report, replay_command, write_json
    from paychaos.runner import command_verdict

    payloads = [_load(path) for path in files]
    if any(_command(p) == "explore" for p in payloads):
        if junit is not None or html is not None:
            raise ConfigError(
                "--junit and --html join run shards only",
                hint="each explore shard writes its own; merge their --json files with --json",
            )
        check_writable({"--json": json_path}, {})
        raise typer.Exit(_merge_explore(files, payloads, json_path))
    shards = [_read(path, payload) for path, payload in zip(files, payloads, strict=True)]
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


def _load(path: Path) -> Any:
    if not path.is_file():
        raise ConfigError(f"no such file: {path}", hint=f"give {_WHAT}")
    try:
        return json.loads(path.read_text(encoding="utf-8"))
    except (UnicodeDecodeError, OSError, json.JSONDecodeError) as exc:
        raise ConfigError(f"{path} is not JSON ({exc})", hint=f"give {_WHAT}") from None


def _command(payload: Any) -> Any:
    meta = payload.get("paychaos") if isinstance(payload, dict) else None
    return meta.get("command") if isinstance(meta, dict) else None


def _read(path: Path, payload: Any) -> dict[str, Any]:
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
    same = (
        ("version", "paychaos version"), ("command", "command"), ("seed", "seed"),
        ("catalog", "choice of scenarios"), ("of", "matrix"),
    )  # fmt: skip
    return dict(
        _one_campaign(
            files, [s["paychaos"] for s in shards], same, "run",
            "`paychaos run --shard K/N` (same version, seed, scenarios and variants)",
        )
    )  # fmt: skip


def _one_campaign(
    files: list[Path],
    metas: list[dict[str, Any]],
    same: tuple[tuple[str, str], ...],
    what_of: str,
    merge_these: str,
) -> dict[str, Any]:
    """The first shard's description, once every shard agrees with it on ``same`` and each
    share K/N is given once; a ConfigError naming the two files that disagree otherwise."""
    first = metas[0]
    for key, what in same:
        for path, meta in zip(files, metas, strict=True):
            if meta[key] != first[key]:
                raise ConfigError(
                    f"{files[0]} and {path} are not shards of one {what_of}: {what} "
                    f"{first[key]!r} != {meta[key]!r}",
                    hint=f"merge the shards of one {merge_these}",
                )
    _check_shards(files, [str(m["shard"]) for m in metas])
    return first


def _check_shards(files: list[Path], shards: list[str]) -> None:
    """Every shard K/N of one N, each once; a ConfigError otherwise."""
    counts = {shard.split("/")[-1] for shard in shards}
    if len(counts) != 1:
        raise ConfigError(
            f"shards of different splits: {', '.join(shards)}",
            hint="merge the K/N files of one N",
        )
    n = int(counts.pop())
    seen: dict[str, Path] = {}
    for path, shard in zip(files, shards, strict=True):
        if shard in seen:
            raise ConfigError(
                f"shard {shard} given twice: {seen[shard]} and {path}",
                hint="give each shard's file once",
            )
        seen[shard] = path
    missing = [f"{k}/{n}" for k in range(1, n + 1) if f"{k}/{n}" not in seen]
    if missing:
        # A missing shard would make an unrun part of the matrix look kept.
        raise ConfigError(
            f"shard {', '.join(missing)} missing: the joined report would leave its runs out",
            hint="give every shard's --json file (K = 1.." + str(n) + ")",
        )


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


# What every explore shard of one campaign shares (checked before joining), and how it is said.
_EXPLORE_SAME = (
    ("version", "paychaos version"), ("command", "command"), ("seed", "seed"),
    ("variant", "variant"), ("budget", "budget"), ("max_steps", "--max-steps"),
    ("profile", "profile"), ("invariants", "choice of promises"),
)  # fmt: skip


def _read_explore(path: Path, payload: Any) -> dict[str, Any]:
    meta = payload.get("paychaos") if isinstance(payload, dict) else None
    counts = ("schedules", "faults", "flaky", "exit_code")
    if (
        not isinstance(meta, dict)
        or meta.get("command") != "explore"
        or any(key not in meta for key, _ in _EXPLORE_SAME)
        or not _is_shard(meta.get("shard"))
        or any(not isinstance(payload.get(key), int) for key in counts)
        or not isinstance(payload.get("flaky_findings"), list)
        or not isinstance(payload.get("finding"), dict | None)
    ):
        raise ConfigError(
            f"{path} is not a paychaos explore result",
            hint=f"give {_WHAT_EXPLORE}, written by this paychaos version; run and explore "
            "shards are merged apart",
        )
    return payload


def _is_shard(spec: Any) -> bool:
    from paychaos.parallel import parse_shard

    try:
        parse_shard(str(spec))
    except ConfigError:
        return False
    return isinstance(spec, str)


def _explore_exit(payload: dict[str, Any]) -> int:
    """A shard's own verdict, as ``paychaos explore`` gave it (without --strict-flaky)."""
    if payload.get("finding") is not None:
        return EXIT_BROKEN
    if payload.get("environment_failure") is not None:
        return EXIT_ENVIRONMENT
    return EXIT_FLAKY if payload["flaky_findings"] or payload["flaky"] else EXIT_KEPT


def _merge_explore(files: list[Path], payloads: list[Any], json_path: Path | None) -> int:
    """Join explore shards: one report, one exit code in explore's own order (a broken promise
    first, then a failed environment: that part of the campaign is partial; flaky, kept)."""
    shards = [_read_explore(path, payload) for path, payload in zip(files, payloads, strict=True)]
    metas = [s["paychaos"] for s in shards]
    first = _one_campaign(
        files, metas, _EXPLORE_SAME, "exploration",
        "`paychaos explore --shard K/N` (same version, seed, variant, budget and options)",
    )  # fmt: skip
    codes = [_explore_exit(s) for s in shards]
    order = sorted(range(len(shards)), key=lambda i: int(str(metas[i]["shard"]).split("/")[0]))
    console = Console()
    total = sum(s["schedules"] for s in shards)
    console.print(
        f"{len(files)} explore shards of seed {first['seed']} against {first['variant']} "
        f"(budget {first['budget']} each): {total} schedules, "
        f"{sum(s['faults'] for s in shards)} faults injected, "
        f"{sum(s['flaky'] for s in shards)} flaky",
        highlight=False,
    )
    words = {
        EXIT_KEPT: "nothing found",
        EXIT_BROKEN: "[bold red]a broken promise[/]",
        EXIT_FLAKY: "[yellow]flaky findings only[/]",
        EXIT_ENVIRONMENT: "[bold red]its own environment failed[/] (partial)",
    }
    for i in order:
        shard = shards[i]
        console.print(
            f"  shard {metas[i]['shard']}: {shard['schedules']} schedules, "
            f"{words[codes[i]]}  ({files[i]})"
        )
        finding = shard.get("finding")
        if finding is not None:
            console.print(f"    broken: {', '.join(finding.get('broken') or [])}", highlight=False)
            for step in finding.get("steps") or ():
                console.print(f"      · {step}", highlight=False)
            if finding.get("replay"):
                console.print(f"    replay: [cyan]{finding['replay']}[/]", highlight=False)
        failure = shard.get("environment_failure")
        if isinstance(failure, dict):
            console.print(f"    {failure.get('message')}", highlight=False)
    if EXIT_BROKEN in codes:
        code = EXIT_BROKEN
    elif EXIT_ENVIRONMENT in codes:
        code = EXIT_ENVIRONMENT
    elif EXIT_FLAKY in codes:
        code = EXIT_FLAKY
    else:
        code = EXIT_KEPT
    if json_path is not None:
        joined = {
            "paychaos": {**first, "shard": "1/1", "merged_from": [str(f) for f in files]},
            "variant": first["variant"],
            "seed": first["seed"],
            "budget": first["budget"],
            "schedules": total,
            "faults": sum(s["faults"] for s in shards),
            "flaky": sum(s["flaky"] for s in shards),
            "seconds": max(float(s.get("seconds") or 0) for s in shards),
            "exit_code": code,
            "findings": [
                {"shard": metas[i]["shard"], **shards[i]["finding"]}
                for i in order
                if shards[i].get("finding") is not None
            ],
            "flaky_findings": [
                {"shard": metas[i]["shard"], **f}
                for i in order
                for f in shards[i]["flaky_findings"]
            ],
            "shards": [
                {
                    "shard": metas[i]["shard"],
                    "file": str(files[i]),
                    "schedules": shards[i]["schedules"],
                    "exit_code": codes[i],
                }
                for i in order
            ],
        }
        json_path.write_text(json.dumps(joined, indent=2, default=str) + "\n", encoding="utf-8")
        console.print(f"json: {json_path}", highlight=False)
    return code
