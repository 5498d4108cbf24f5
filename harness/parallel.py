"""Environments in parallel: one whole environment per worker process, and the drivers that
spread exploration and the scenario x variant matrix over them.

Each worker process opens its own environment (its own Postgres, Redis, Stripe emulator, fault
proxies and app server, on free loopback ports and in its own temporary folders) from a
picklable factory, then runs what the parent hands it: a module-level function called with the
environment and picklable arguments. Nothing is shared between workers but the parent.

Exploration keeps one seed's sequence of schedules, whatever the number of workers: the parent
draws the sequence from Hypothesis exactly as a one-worker run would (the same seed and
settings, nothing run), hands schedule *i* to the next free worker, and takes as the finding
the failing schedule with the lowest index once every lower one has passed. As with one
worker, a failing schedule is run again at once where it failed: one that does not break
again is flaky, and exploring goes on past it. One worker then replays the sequence up to the
finding without running it (the schedules before it passed, and it broke twice), so its
Hypothesis run is in the very state a one-worker run was at that failure, and shrinks it once.
Same seed, same finding, same counts, with 1 worker or N.

>>> with EnvironmentPool(partial(open_environment, "correct", 0), workers=2) as pool:  # doctest: +SKIP
...     strategy = partial(strategy_named, "paychaos.strategies:schedules", max_steps=10)
...     outcome = explore_parallel(pool, strategy, seed=0)
"""

from __future__ import annotations

import contextlib
import itertools
import multiprocessing
import os
import pickle
import queue
import signal
import threading
import time
import traceback
from collections.abc import Callable, Iterable, Sequence
from dataclasses import dataclass, field
from multiprocessing.connection import Connection, wait
from pathlib import Path
from typing import TYPE_CHECKING, Any

from paychaos.errors import PaychaosError, ServiceError

if TYPE_CHECKING:
    from hypothesis.database import ExampleDatabase
    from hypothesis.strategies import SearchStrategy

    from paychaos.environment import Environment
    from paychaos.explore import ExploreOutcome, ExploreStats
    from paychaos.runner import RunResult
    from paychaos.schedule import Scenario

# How long a worker may take to stop its environment once asked, before it is killed.
_STOP_GRACE = 30.0


def default_workers() -> int:
    """The number of cores this process may run on (``--workers`` default)."""
    try:
        return max(1, len(os.sched_getaffinity(0)))
    except AttributeError:  # not Linux
        return max(1, os.cpu_count() or 1)


def strategy_named(spec: str, **kwargs: Any) -> SearchStrategy[Scenario]:
    """The strategy ``module:function(**kwargs)`` builds, e.g. ``"paychaos.strategies:schedules"``.
    ``functools.partial(strategy_named, spec, ...)`` is what :func:`explore_parallel` takes:
    unlike Hypothesis's strategy functions themselves, it can be sent to a worker process."""
    import importlib

    module, _, name = spec.partition(":")
    return getattr(importlib.import_module(module), name)(**kwargs)  # type: ignore[no-any-return]


def parse_shard(spec: str | None) -> tuple[int, int]:
    """``"K/N"`` (1 <= K <= N) -> ``(K, N)``; None -> ``(1, 1)``. Malformed: ConfigError."""
    from paychaos.errors import ConfigError

    if spec is None:
        return 1, 1
    try:
        k_text, n_text = spec.split("/")
        k, n = int(k_text), int(n_text)
    except ValueError:
        raise ConfigError(
            f"--shard {spec!r} is not K/N", hint="e.g. --shard 1/4 (shard 1 of 4)"
        ) from None
    if not 1 <= k <= n:
        raise ConfigError(
            f"--shard {spec!r}: K must be between 1 and N", hint="e.g. --shard 1/4 ... --shard 4/4"
        )
    return k, n


class WorkerFailed(ServiceError):
    """A worker process died or its environment could not start: exit status 3."""


@dataclass
class _Worker:
    index: int
    process: Any
    conn: Connection
    busy: bool = False
    ready: bool = False  # its environment started
    tag: Any = None  # what the driver asked this worker to do (e.g. a schedule's index)
    state: dict[str, Any] = field(default_factory=dict)  # the driver's notes (e.g. its variant)


class EnvironmentPool:
    """``workers`` processes, each with its own environment from ``factory`` (a picklable
    callable returning an unstarted environment, e.g. a ``functools.partial`` of
    ``paychaos.cli.compose.open_environment``). A context manager: leaving it (normally, on
    Ctrl-C, on an error) stops every worker and so every environment; a worker whose parent
    dies gets SIGTERM and stops its environment too."""

    def __init__(self, factory: Callable[[], Environment], workers: int) -> None:
        self.factory = factory
        self.size = max(1, workers)
        self.workers: list[_Worker] = []

    def __enter__(self) -> EnvironmentPool:
        context = multiprocessing.get_context("spawn")
        try:
            for index in range(self.size):
                parent, child = context.Pipe()
                process = context.Process(
                    target=_worker_main,
                    args=(self.factory, child, os.getpid()),
                    name=f"paychaos-worker-{index + 1}",
                    daemon=False,
                )
                process.start()
                child.close()
                self.workers.append(_Worker(index, process, parent))
            for worker in self.workers:  # they start their environments side by side
                self._expect_ready(worker)
        except BaseException:
            self.close()
            raise
        return self

    def __exit__(self, *exc: object) -> None:
        self.close()

    def _expect_ready(self, worker: _Worker) -> None:
        kind, value = self._recv(worker)
        if kind != "ready":
            raise _rebuilt(value, f"worker {worker.index + 1} could not start its environment")
        worker.ready = True

    def _recv(self, worker: _Worker) -> tuple[str, Any]:
        try:
            return worker.conn.recv()  # type: ignore[no-any-return]
        except (EOFError, OSError):
            code = worker.process.exitcode
            worker.process.join(1)
            raise WorkerFailed(
                f"worker {worker.index + 1} (pid {worker.process.pid}) ended unexpectedly"
                + (f" with status {worker.process.exitcode}" if code is not None else ""),
                hint="see its output above; rerun with --workers 1 to run in this process",
            ) from None

    # --- handing out work -------------------------------------------------------------------

    def idle(self) -> list[_Worker]:
        return [w for w in self.workers if not w.busy]

    def busy(self) -> list[_Worker]:
        return [w for w in self.workers if w.busy]

    def send(self, worker: _Worker, tag: Any, fn: Callable[..., Any], *args: Any) -> None:
        """Have ``worker`` call ``fn(env, *args)``; its answer comes back from :meth:`receive`."""
        assert not worker.busy
        worker.conn.send((fn, args))
        worker.busy, worker.tag = True, tag

    def receive(self) -> tuple[_Worker, Any]:
        """The next answer of any busy worker: ``(worker, value)``; an exception raised in the
        worker is raised here (a PaychaosError as itself, anything else as WorkerFailed)."""
        busy = {w.conn: w for w in self.busy()}
        if not busy:
            raise RuntimeError("no worker is busy")
        ready = wait(list(busy))
        worker = busy[ready[0]]  # type: ignore[index]
        kind, value = self._recv(worker)
        worker.busy = False
        if kind != "ok":
            raise _rebuilt(value, f"worker {worker.index + 1} failed")
        return worker, value

    def call(self, worker: _Worker, fn: Callable[..., Any], *args: Any) -> Any:
        """Call ``fn(env, *args)`` in ``worker`` and wait for its answer."""
        self.send(worker, None, fn, *args)
        while True:
            done, value = self.receive()
            if done is worker:
                return value

    def call_all(self, fn: Callable[..., Any], *args: Any) -> list[Any]:
        """``fn(env, *args)`` in every worker at once; the answers in worker order."""
        for worker in self.workers:
            self.send(worker, worker.index, fn, *args)
        answers: dict[int, Any] = {}
        while len(answers) < len(self.workers):
            worker, value = self.receive()
            answers[worker.index] = value
        return [answers[i] for i in range(len(self.workers))]

    # --- stopping ---------------------------------------------------------------------------

    def close(self) -> None:
        """Ask every worker to stop its environment and end; kill any that does not in time."""
        for worker in self.workers:
            with contextlib.suppress(Exception):
                if worker.busy or not worker.ready:  # interrupt what it does (SIGTERM -> exit)
                    worker.process.terminate()
                else:
                    worker.conn.send(None)
        deadline = time.monotonic() + _STOP_GRACE
        for worker in self.workers:
            worker.process.join(max(0.0, deadline - time.monotonic()))
            if worker.process.is_alive():
                worker.process.kill()
                worker.process.join(5)
            with contextlib.suppress(Exception):
                worker.conn.close()
        self.workers = []


def _worker_main(factory: Callable[[], Environment], conn: Connection, parent_pid: int) -> None:
    """A worker process: open the environment, then call what the parent sends until told to
    stop. Ctrl-C is the parent's to handle (it stops the workers); SIGTERM, which the parent
    sends, or the kernel when the parent dies, closes the environment and ends the worker."""
    signal.signal(signal.SIGINT, signal.SIG_IGN)

    def _terminate(signum: int, frame: object) -> None:
        raise SystemExit(128 + signum)

    signal.signal(signal.SIGTERM, _terminate)
    _die_with_parent(parent_pid)
    try:
        with factory() as env:
            conn.send(("ready", os.getpid()))
            while True:
                message = conn.recv()
                if message is None:
                    return
                fn, args = message
                try:
                    value = fn(env, *args)
                except Exception as exc:  # the parent decides; the environment lives on
                    conn.send(("error", _portable(exc)))
                else:
                    conn.send(("ok", value))
    except (EOFError, OSError, SystemExit):
        return  # the parent is gone or asked us to stop: the ``with`` closed the environment
    except BaseException as exc:  # the environment did not start
        with contextlib.suppress(Exception):
            conn.send(("failed", _portable(exc)))


def _die_with_parent(parent_pid: int) -> None:
    """SIGTERM this worker when its parent dies (Linux), so no environment outlives a run."""
    try:
        import ctypes

        libc = ctypes.CDLL(None, use_errno=True)
        libc.prctl(1, int(signal.SIGTERM), 0, 0, 0)  # PR_SET_PDEATHSIG
    except (OSError, AttributeError):
        return
    if os.getppid() != parent_pid:
        raise SystemExit(1)


def _portable(exc: BaseException) -> dict[str, Any]:
    """An exception as plain data (custom exceptions do not always survive pickling). A
    PaychaosError goes as itself too (it pickles with its class and attributes), so the
    parent's ``except ServiceError`` sees a worker's EnvironmentFailed, log tail and all."""
    value: dict[str, Any] = {
        "type": type(exc).__name__,
        "what": getattr(exc, "what", None) or str(exc) or type(exc).__name__,
        "hint": getattr(exc, "hint", None),
        "exit_code": getattr(exc, "exit_code", None) if isinstance(exc, PaychaosError) else None,
        "traceback": "".join(traceback.format_exception(exc)),
    }
    if isinstance(exc, PaychaosError):
        with contextlib.suppress(Exception):  # an attribute that does not pickle: data only
            value["error"] = pickle.loads(pickle.dumps(exc))
    return value


def _rebuilt(value: Any, context: str) -> PaychaosError:
    if not isinstance(value, dict):
        return WorkerFailed(context)
    if isinstance(value.get("error"), PaychaosError):
        return value["error"]  # type: ignore[no-any-return]
    if value.get("exit_code") is not None:
        error = PaychaosError(value["what"], hint=value.get("hint"))
        error.exit_code = value["exit_code"]
        return error
    return WorkerFailed(
        f"{context}: {value['type']}: {value['what']}",
        hint="the worker's traceback:\n" + value.get("traceback", ""),
    )


# --- exploration over the pool ----------------------------------------------------------------


class _Stopped(BaseException):
    """Ends the parent's generation of schedules (no more are wanted)."""


class _Diverged(BaseException):
    """The shrinking worker's Hypothesis run drew another schedule where the pool's failure
    was (the example database changed in between): the pool's failure stands, unshrunk."""


def explore_parallel(
    pool: EnvironmentPool,
    strategy: Callable[[], SearchStrategy[Scenario]],
    *,
    seed: int = 0,
    max_examples: int = 100,
    budget_seconds: float | None = None,
    profile: str = "ci",
    database: ExampleDatabase | str | None = None,
    database_dir: Path | None = None,
    only: Iterable[str] | None = None,
    on_example: Callable[[ExploreStats], None] | None = None,
    on_result: Callable[[Scenario, RunResult], None] | None = None,
    shard: tuple[int, int] = (1, 1),
) -> ExploreOutcome:
    """:func:`paychaos.explore.explore` over the pool's workers; the same outcome for the same
    seed whatever the pool's size. ``strategy`` builds the schedules' strategy (a picklable
    callable such as a ``partial`` of :func:`strategy_named`: the shrinking worker builds its
    own). ``database``: the example database, or the ``--example-db`` text it opens from (a
    folder or a Redis URL), which is what the shrinking worker is sent (a Redis client cannot
    be). ``shard`` ``(K, N)``: run only the schedules whose index is K-1 modulo N (the others
    are another machine's).

    As with one worker, a failing schedule is run again at once in the same environment: a
    failure that does not repeat is flaky and exploring goes on; the first one that does is
    shrunk. A worker's environment failure (a ServiceError) ends exploring: the outcome carries
    it as ``failure``, with what ran before it (the pool is then fit only for closing)."""
    from hypothesis.database import ReadOnlyDatabase

    from paychaos.explore import FAULT_STEPS, FLAKY_KEPT, ExploreOutcome, ExploreStats, Finding
    from paychaos.explore import explore as explore_one

    wanted = tuple(only) if only is not None else None
    spec = _database_spec(profile, database, database_dir)
    db = _opened(spec)
    variant = pool.call(pool.workers[0], _variant_of)
    stats = ExploreStats()
    schedules: queue.Queue[tuple[int, Scenario] | None] = queue.Queue(maxsize=4 * pool.size)
    stop = threading.Event()
    generated = [0]

    def feed(schedule: Scenario) -> RunResult | None:
        index = generated[0]
        generated[0] += 1
        while True:
            if stop.is_set():
                raise _Stopped
            try:
                schedules.put((index, schedule), timeout=0.1)
                return None
            except queue.Full:
                continue

    def generate() -> None:
        # The same Hypothesis run a one-worker exploration makes, running nothing: every
        # schedule passes (as a flaky one does there), so the sequence is the one that run
        # sees up to its first confirmed failure.
        with contextlib.suppress(_Stopped):
            explore_one(
                None, strategy(), seed=seed, max_examples=max_examples,
                budget_seconds=budget_seconds, profile=profile, run=feed,
                database=ReadOnlyDatabase(db) if db is not None else None,
            )  # fmt: skip
        schedules.put(None)

    generator = threading.Thread(target=generate, name="paychaos-generate", daemon=True)
    generator.start()
    ran: dict[int, tuple[Scenario, RunResult]] = {}
    sent: list[int] = []  # the schedules handed out, in the sequence's order
    first_failure: int | None = None
    failure: ServiceError | None = None
    exhausted = False
    k, n = shard
    try:
        while True:
            for worker in pool.idle():
                item = None
                while not exhausted and first_failure is None:
                    item = schedules.get()
                    if item is None:
                        exhausted = True
                    elif item[0] % n == k - 1:
                        break
                    item = None
                if item is None:
                    break
                sent.append(item[0])
                pool.send(worker, item, _run_schedule, item[1], seed, wanted)
            if not pool.busy():
                break
            try:
                worker, result = pool.receive()
            except ServiceError as exc:  # a worker's environment failed: exploring ends here
                failure = exc
                break
            index, schedule = worker.tag
            ran[index] = (schedule, result)
            stats.examples += 1
            stats.faults += sum(1 for s in schedule.steps if s.do in FAULT_STEPS)
            stats.flaky += _flaky(result)
            if not result.kept:
                stats.distinct.add(tuple(result.broken) or ("error",))
            if on_example:
                on_example(stats)
            if not result.kept and (first_failure is None or index < first_failure):
                first_failure = index
                stop.set()
    finally:
        stop.set()
        with contextlib.suppress(queue.Empty):
            while True:
                schedules.get_nowait()  # unblock the generator
        generator.join(5)

    # What counts is the prefix a one-worker run would have made: every schedule before the
    # first confirmed failure (the later ones ran only because other workers were ahead), and
    # when an environment failed, those before the first one that never came back.
    done = list(itertools.takewhile(lambda i: i in ran, sent))
    total = ExploreStats(started=stats.started)
    flaky: list[Finding] = []

    def count(i: int) -> Finding:
        schedule, result = ran[i]
        total.examples += 1
        total.faults += sum(1 for s in schedule.steps if s.do in FAULT_STEPS)
        if not result.kept:
            total.distinct.add(tuple(result.broken) or ("error",))
        if _flaky(result):
            total.flaky += 1
            if len(flaky) < FLAKY_KEPT:
                flaky.append(Finding(schedule, result))
        if on_result:
            on_result(schedule, result)
        return Finding(schedule, result)

    for i in done:
        if first_failure is not None and i >= first_failure:
            break
        count(i)
    if first_failure is None or first_failure not in done:  # nothing broke before it ended
        return ExploreOutcome(
            variant=variant, seed=seed, stats=total, finding=None,
            flaky_findings=tuple(flaky), failure=failure,
        )  # fmt: skip
    if failure is not None:  # a confirmed failure, then an environment failed: it stands
        return ExploreOutcome(
            variant=variant, seed=seed, stats=total, finding=count(first_failure),
            flaky_findings=tuple(flaky), failure=failure,
        )  # fmt: skip
    failing = Finding(*ran[first_failure])
    hard_stop = None if budget_seconds is None else stats.started + 2 * budget_seconds
    shrunk: ExploreOutcome
    runs: list[tuple[Scenario, RunResult]]
    try:
        shrunk, runs = pool.call(
            pool.workers[0], _shrink, strategy, first_failure, failing.result, seed,
            max_examples, profile, spec, wanted, hard_stop,
        )  # fmt: skip
    except ServiceError as exc:  # the shrinking worker's environment failed: it stands
        return ExploreOutcome(
            variant=variant, seed=seed, stats=total, finding=count(first_failure),
            flaky_findings=tuple(flaky), failure=exc,
        )  # fmt: skip
    for schedule, result in runs:
        if on_result:
            on_result(schedule, result)
    total.examples += shrunk.stats.examples
    total.faults += shrunk.stats.faults
    total.distinct |= shrunk.stats.distinct or {tuple(failing.result.broken) or ("error",)}
    total.flaky += shrunk.stats.flaky
    return ExploreOutcome(
        variant=shrunk.variant or variant, seed=seed, stats=total,
        finding=shrunk.finding or failing,
        flaky_findings=(*flaky, *shrunk.flaky_findings)[:FLAKY_KEPT], failure=shrunk.failure,
    )  # fmt: skip


def _flaky(result: RunResult) -> bool:
    """A failure its rerun did not repeat (``paychaos.runner.confirm`` re-judged it flaky)."""
    return result.kept and bool(result.flaky_violations)


def _database_spec(
    profile: str, database: ExampleDatabase | str | None, database_dir: Path | None
) -> ExampleDatabase | str | None:
    """The example database as a worker can be sent it: the ``--example-db`` text (a folder or
    a Redis URL), or the database object the caller gave."""
    if database is not None:
        return database
    if profile == "chaos" and database_dir:
        return str(database_dir)
    return None


def _opened(spec: ExampleDatabase | str | None) -> ExampleDatabase | None:
    if isinstance(spec, str):
        from paychaos.cli.workers import example_database

        return example_database(spec)
    return spec


def _variant_of(env: Environment) -> str:
    return env.variant


def _run_schedule(
    env: Environment, schedule: Scenario, seed: int, only: tuple[str, ...] | None
) -> RunResult:
    """Run one schedule; a broken promise is run again at once, in the same environment, as
    one worker does: what does not repeat comes back kept and flaky."""
    from paychaos.runner import confirm, run_scenario

    return confirm(env, run_scenario(env, schedule, seed=seed, only=only))


def _shrink(
    env: Environment,
    strategy: Callable[[], SearchStrategy[Scenario]],
    replayed: int,
    failure: RunResult,
    seed: int,
    max_examples: int,
    profile: str,
    database: ExampleDatabase | str | None,
    only: tuple[str, ...] | None,
    hard_stop: float | None,
) -> tuple[ExploreOutcome, list[tuple[Scenario, RunResult]]]:
    """In a worker: the one-worker Hypothesis run, with its first ``replayed`` schedules
    (known to pass, run by the pool) not run again, nor the next one, the pool's ``failure``
    (confirmed there: run twice, as one worker runs it); then shrunk. ``hard_stop``: the
    monotonic time past which shrinking stops, the smallest failure so far standing (once a
    rerun repeats it, as with one worker). ``database``: as :func:`explore_parallel` takes it,
    opened here."""
    from paychaos.explore import ExploreOutcome, ExploreStats, _ShrinkSpent
    from paychaos.explore import explore as explore_one
    from paychaos.runner import run_scenario

    calls = [0]
    runs: list[tuple[Scenario, RunResult]] = []

    def run(schedule: Scenario) -> RunResult | None:
        calls[0] += 1
        if calls[0] <= replayed:
            return None
        if calls[0] == replayed + 1:
            if schedule.to_dict() != failure.scenario.to_dict():
                raise _Diverged
            return failure
        if hard_stop is not None and time.monotonic() > hard_stop:
            raise _ShrinkSpent  # shrinking past its allowance: the smallest failure so far
        return run_scenario(env, schedule, seed=seed, only=only)

    try:
        outcome = explore_one(
            env, strategy(), seed=seed, max_examples=max_examples, profile=profile,
            database=_opened(database), only=only, run=run,
            on_result=lambda schedule, result: runs.append((schedule, result)),
        )  # fmt: skip
    except _Diverged:
        outcome = ExploreOutcome(variant=env.variant, seed=seed, stats=ExploreStats(), finding=None)
    return outcome, runs


# --- the scenario x variant matrix over the pool ------------------------------------------------


def run_matrix(
    pool: EnvironmentPool,
    cells: Sequence[tuple[Any, ...]],
    cell_fn: Callable[..., RunResult],
    *,
    first_variant: str,
    on_done: Callable[[int, RunResult], None] | None = None,
) -> list[RunResult]:
    """Run every ``(variant, *args)`` cell as ``cell_fn(env, variant, *args)`` in some worker;
    the results in the cells' order. A worker keeps to its current variant while cells of it
    remain (a switch restarts its app server). ``on_done(index, result)`` sees each cell as it
    ends: when a worker's environment fails (a ServiceError, raised here), the cells done
    before it are the ones it saw."""
    results: dict[int, RunResult] = {}
    left = list(range(len(cells)))
    for worker in pool.workers:
        worker.state.setdefault("variant", first_variant)
    while left or pool.busy():
        for worker in pool.idle():
            if not left:
                break
            same = [i for i in left if cells[i][0] == worker.state["variant"]]
            pick = same[0] if same else left[0]
            left.remove(pick)
            worker.state["variant"] = cells[pick][0]
            pool.send(worker, pick, cell_fn, *cells[pick])
        worker, result = pool.receive()
        results[worker.tag] = result
        if on_done:
            on_done(worker.tag, result)
    return [results[i] for i in range(len(cells))]
