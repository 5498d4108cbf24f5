"""Campaign throughput: exploration with 1 worker and N, the phases of a schedule, the named
matrix with and without workers, cold start to the first detection, memory per worker.

    .venv/bin/python bench/bench_parallel.py [--examples 60] [--workers N] [--skip-matrix]

Targets (issue 15): >= 20 schedules/s with workers on 2 cores; the named matrix (3 variants x
all scenarios) <= 15 s; cold start to first detection <= 5 s; < 400 MB per worker. The machine's
load average is printed first and last: on a shared machine the numbers move with it.
"""

from __future__ import annotations

import argparse
import collections
import os
import subprocess
import sys
import tempfile
import threading
import time
from functools import partial
from pathlib import Path

import psutil

from paychaos.cli.compose import open_environment
from paychaos.explore import explore
from paychaos.parallel import EnvironmentPool, default_workers, explore_parallel, strategy_named

PHASES = ("reset", "steps", "drain", "check", "total")


class PeakRss:
    """Samples the summed RSS of each process tree (a root pid and its descendants)."""

    def __init__(self, roots: list[int]) -> None:
        self.roots = roots
        self.peak = dict.fromkeys(roots, 0)
        self._stop = threading.Event()
        self._thread = threading.Thread(target=self._sample, daemon=True)

    def _sample(self) -> None:
        while not self._stop.wait(0.2):
            for root in self.roots:
                try:
                    tree = [psutil.Process(root), *psutil.Process(root).children(recursive=True)]
                except psutil.NoSuchProcess:
                    continue
                rss = 0
                for proc in tree:
                    try:
                        rss += proc.memory_info().rss
                    except psutil.NoSuchProcess:
                        pass
                self.peak[root] = max(self.peak[root], rss)

    def __enter__(self) -> PeakRss:
        self._thread.start()
        return self

    def __exit__(self, *exc: object) -> None:
        self._stop.set()
        self._thread.join()


def _phases(rows: list[dict[str, float]]) -> str:
    totals: collections.Counter[str] = collections.Counter()
    for timings in rows:
        totals.update(timings)
    n = max(1, len(rows))
    return ", ".join(f"{key} {totals[key] / n * 1000:.0f} ms" for key in PHASES)


def _worker_pid(env) -> int:
    return os.getpid()


def explore_rates(examples: int, workers: int, seed: int) -> None:
    strategy = partial(strategy_named, "paychaos.strategies:schedules", max_sessions=1, max_steps=8)
    rows: list[dict[str, float]] = []
    with open_environment("correct", seed, quiet=True) as env, PeakRss([os.getpid()]) as rss:
        t0 = time.perf_counter()
        outcome = explore(
            env, strategy(), seed=seed, max_examples=examples,
            on_result=lambda _s, r: rows.append(r.timings),
        )  # fmt: skip
        one = time.perf_counter() - t0
    print(
        f"explore, 1 worker:  {outcome.stats.examples} schedules in {one:.1f} s = "
        f"{outcome.stats.examples / one:.2f} schedules/s"
    )
    print(f"  mean phases: {_phases(rows)}")
    print(
        f"  peak RSS of the environment (this process and its children): {rss.peak[os.getpid()] / 2**20:.0f} MB"
    )
    rows = []
    factory = partial(open_environment, "correct", seed, quiet=True)
    t_start = time.perf_counter()
    with EnvironmentPool(factory, workers) as pool:
        started = time.perf_counter() - t_start
        pids = pool.call_all(_worker_pid)
        with PeakRss(pids) as rss:
            t0 = time.perf_counter()
            outcome = explore_parallel(
                pool, strategy, seed=seed, max_examples=examples,
                on_result=lambda _s, r: rows.append(r.timings),
            )  # fmt: skip
            many = time.perf_counter() - t0
    print(
        f"explore, {workers} workers: {outcome.stats.examples} schedules in {many:.1f} s = "
        f"{outcome.stats.examples / many:.2f} schedules/s (x{one / many:.2f}; the pool started "
        f"in {started:.1f} s)"
    )
    print(f"  mean phases: {_phases(rows)}")
    for pid in pids:
        print(f"  peak RSS of worker {pid} and its environment: {rss.peak[pid] / 2**20:.0f} MB")


def _timed(args: list[str], cwd: Path) -> tuple[float, int]:
    t0 = time.perf_counter()
    done = subprocess.run(
        [sys.executable, "-m", "paychaos", *args], cwd=cwd, capture_output=True, text=True
    )
    return time.perf_counter() - t0, done.returncode


def commands(workers: int, skip_matrix: bool) -> None:
    with tempfile.TemporaryDirectory(prefix="paychaos-bench-") as tmp:
        cwd = Path(tmp)
        seconds, code = _timed(
            ["run", "redis-down-during-webhook", "--variant", "seed_original", "--workers", "1"],
            cwd,
        )
        print(
            f"cold start to first detection (fresh process, `paychaos run "
            f"redis-down-during-webhook --variant seed_original`): {seconds:.1f} s, exit {code}"
        )
        seconds, code = _timed(
            ["run", "redis-down-during-webhook", "--variant", "seed_original"], cwd
        )
        print(
            f"  the same with the default --workers ({default_workers()}): {seconds:.1f} s, exit {code}"
        )
        if skip_matrix:
            return
        for n in (1, workers):
            seconds, code = _timed(["run", "--variant", "all", "--workers", str(n)], cwd)
            print(
                f"named matrix, 3 variants x all scenarios, --workers {n}: {seconds:.1f} s, exit {code}"
            )


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--examples", type=int, default=60)
    parser.add_argument("--workers", type=int, default=default_workers())
    parser.add_argument("--seed", type=int, default=1)
    parser.add_argument("--skip-matrix", action="store_true")
    args = parser.parse_args()
    print(f"load average {os.getloadavg()}, {os.cpu_count()} cores")
    explore_rates(args.examples, args.workers, args.seed)
    commands(args.workers, args.skip_matrix)
    print(f"load average {os.getloadavg()}")


if __name__ == "__main__":
    main()
