"""``--workers`` and ``--shard`` for ``paychaos run`` and ``paychaos explore``: what each worker
process runs, and the environments (one in this process, or a pool of worker processes)."""

from __future__ import annotations

from functools import partial
from pathlib import Path
from typing import TYPE_CHECKING, Annotated

import typer

from paychaos.errors import ConfigError

if TYPE_CHECKING:
    from hypothesis.database import ExampleDatabase

    from paychaos.environment import Environment
    from paychaos.parallel import EnvironmentPool
    from paychaos.runner import RunResult
    from paychaos.schedule import Scenario

WorkersOption = Annotated[
    int | None,
    typer.Option(
        "--workers",
        help="Environments run side by side, one per process (default: the number of cores; "
        "1 runs in this process).",
    ),
]
ShardOption = Annotated[
    str | None,
    typer.Option(
        "--shard",
        help="K/N: run only this machine's share of the work (disjoint for K = 1..N, same "
        "seed); join the shards' --json files with `paychaos merge`.",
    ),
]

# How long --example-db's Redis may take to accept a connection (seconds).
EXAMPLE_DB_CONNECT_TIMEOUT = 5.0


def worker_count(workers: int | None) -> int:
    """``--workers``: the number given (>= 1), else the number of cores."""
    from paychaos.parallel import default_workers

    if workers is None:
        return default_workers()
    if workers < 1:
        raise ConfigError(f"--workers {workers}: at least one", hint="e.g. --workers 2")
    return workers


def open_pool(
    variant: str, seed: int, app_spec: str | None, *, browser: bool, workers: int
) -> EnvironmentPool:
    """A pool (not yet started) of ``workers`` processes, each with its own environment."""
    from paychaos.cli.compose import open_environment
    from paychaos.parallel import EnvironmentPool

    factory = partial(open_environment, variant, seed, app_spec, browser=browser, quiet=True)
    return EnvironmentPool(factory, workers)


def run_cell(
    env: Environment, variant: str, scenario: Scenario, seed: int, history_dir: Path
) -> RunResult:
    """One cell of ``paychaos run``'s matrix: the scenario against the variant, a broken
    promise rerun to confirm it (one that does not repeat is flaky)."""
    from paychaos.runner import confirm, run_scenario

    env.switch_variant(variant)
    path = history_dir / f"{variant.replace(':', '-')}__{scenario.name}.jsonl"
    result = run_scenario(env, scenario, seed=seed, history_path=path)
    rerun = path.with_name(path.stem + ".rerun.jsonl")
    return confirm(env, result, history_path=rerun)


def shadow_of(env: Environment) -> dict:
    """The emulator's stripe-mock shadow report of a worker's environment."""
    return dict(env.emulator.control.shadow())


def merged_shadow(reports: list[dict]) -> dict:
    """Several environments' shadow reports as one (counts added, disagreements joined)."""
    enabled = [r for r in reports if r.get("enabled")]
    if not enabled:
        return reports[0] if reports else {}
    merged = dict(enabled[0])
    for key in ("sent", "compared", "disagreement_count", "unreachable", "pending"):
        merged[key] = sum(int(r.get(key) or 0) for r in enabled)
    merged["disagreements"] = [d for r in enabled for d in r.get("disagreements", [])]
    merged["last_error"] = next((r["last_error"] for r in enabled if r.get("last_error")), None)
    return merged


def example_database(spec: str | None) -> ExampleDatabase | None:
    """``--example-db``: a folder, or a Redis URL (Hypothesis's Redis-backed database, which
    needs the ``redis`` client); None when not given."""
    if spec is None:
        return None
    if spec.startswith(("redis://", "rediss://", "unix://")):
        shown = _without_password(spec)
        try:
            import redis
            from hypothesis.extra.redis import RedisExampleDatabase
        except ImportError:
            raise ConfigError(
                f"--example-db {shown}: a Redis example database needs the redis client",
                hint="pip install redis, or give a folder instead",
            ) from None
        hint = "e.g. --example-db redis://host:6379/0, or give a folder instead"
        try:
            client = redis.Redis.from_url(spec, socket_connect_timeout=EXAMPLE_DB_CONNECT_TIMEOUT)
        except ValueError as exc:  # e.g. a port that is not a number
            raise ConfigError(
                f"--example-db {shown} is not a Redis URL: {exc}", hint=hint
            ) from None
        try:  # asked now, so a wrong URL stops the command before any work
            client.ping()
        except redis.RedisError as exc:
            client.close()
            raise ConfigError(
                f"--example-db {shown}: its Redis does not answer ({exc})", hint=hint
            ) from None
        return RedisExampleDatabase(client)
    from hypothesis.database import DirectoryBasedExampleDatabase

    path = Path(spec)
    if path.exists() and not path.is_dir():
        raise ConfigError(
            f"--example-db {spec}: not a folder", hint="give a folder (created if missing)"
        )
    return DirectoryBasedExampleDatabase(str(path))


def _without_password(url: str) -> str:
    """``url`` as it may be shown: without the password (``redis://:secret@host``)."""
    from urllib.parse import urlsplit

    parts = urlsplit(url)
    if "@" not in parts.netloc:
        return url
    return parts._replace(netloc=parts.netloc.rpartition("@")[2]).geturl()
