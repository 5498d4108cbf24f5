"""``--workers``: exploration and the scenario matrix over worker processes, each with its own
environment, give what one worker gives for the same seed; nothing outlives the pool."""

from __future__ import annotations

import json
import signal
import subprocess
import sys
import time
from functools import partial

import psutil
import pytest

from paychaos.cli.compose import open_environment
from paychaos.explore import explore
from paychaos.parallel import EnvironmentPool, explore_parallel, strategy_named

STRATEGY = partial(strategy_named, "paychaos.strategies:schedules", max_sessions=1, max_steps=8)
SETTINGS = {"seed": 0, "max_examples": 80, "only": ("I1", "I4")}


def _env_pids(env) -> list[int]:
    import os

    return [os.getpid(), *(p.pid for p in psutil.Process().children(recursive=True))]


@pytest.mark.timeout(900)  # a safety net on a loaded machine; the test counts schedules
def test_the_same_seed_gives_the_same_finding_with_one_worker_and_two(paychaos_env):
    """Counted by schedules, not time: 80 examples, the seed's bug, shrunk once."""
    one_seen: list[tuple[int, bool]] = []
    two_seen: list[tuple[int, bool]] = []
    paychaos_env.switch_variant("seed_original")
    try:
        one = explore(
            paychaos_env, STRATEGY(), **SETTINGS,
            on_result=lambda s, r: one_seen.append((len(s.steps), r.kept)),
        )  # fmt: skip
    finally:
        paychaos_env.switch_variant("correct")
    factory = partial(open_environment, "seed_original", 0, quiet=True)
    with EnvironmentPool(factory, workers=2) as pool:
        pids = [pid for answer in pool.call_all(_env_pids) for pid in answer]
        assert len(set(pids)) == len(pids)  # no process shared
        two = explore_parallel(
            pool, STRATEGY, **SETTINGS,
            on_result=lambda s, r: two_seen.append((len(s.steps), r.kept)),
        )  # fmt: skip
    assert one.finding is not None and two.finding is not None
    assert set(one.finding.result.broken) & {"I1", "I4"}
    # The same sequence up to and including the first failure: the pool's part. A difference
    # here means some schedule's verdict varied between two runs of it (timing), not the pool.
    first = next(i for i, (_n, kept) in enumerate(one_seen) if not kept)
    assert two_seen[: first + 1] == one_seen[: first + 1]
    assert [s.describe() for s in two.finding.scenario.steps] == [
        s.describe() for s in one.finding.scenario.steps
    ]
    assert two.finding.result.broken == one.finding.result.broken
    assert (two.stats.examples, two.stats.faults, two.flaky) == (
        one.stats.examples,
        one.stats.faults,
        one.flaky,
    )
    assert two.stats.distinct == one.stats.distinct
    assert two_seen == one_seen  # what a JUnit report lists, in the same order
    # Every process of both environments is gone with the pool.
    assert not [pid for pid in pids if psutil.pid_exists(pid)]


def _cli(*args: str, cwd) -> subprocess.CompletedProcess[str]:
    return subprocess.run(
        [sys.executable, "-m", "paychaos", *args],
        cwd=cwd,
        capture_output=True,
        text=True,
        timeout=900,
    )


def _runs(path) -> list[tuple[str, str, str, list[str]]]:
    payload = json.loads(path.read_text())
    return [(r["variant"], r["scenario"], r["outcome"], r["broken"]) for r in payload["runs"]]


@pytest.mark.timeout(900)
def test_run_spreads_the_matrix_and_reports_what_one_worker_reports(tmp_path):
    """Two workers, and two shards joined by `paychaos merge`, give one worker's matrix."""
    names = ["redis-down-during-webhook", "webhook-delivered-three-times"]
    matrix = ["run", *names, "--variant", "seed_original,correct"]

    def matrix_run(folder: str, *options: str) -> tuple[int, list]:
        out = tmp_path / folder
        done = _cli(
            *matrix, *options, "--json", str(out / "r.json"), "--out", str(out / "histories"),
            cwd=tmp_path,
        )  # fmt: skip
        assert done.returncode in (0, 1, 4, 5), done.stderr
        return done.returncode, _runs(out / "r.json")

    codes, runs = [], []
    for workers in ("1", "2"):
        code, got = matrix_run(f"w{workers}", "--workers", workers)
        codes.append(code)
        runs.append(got)
    assert codes[0] == codes[1] == 1  # seed_original breaks a promise
    assert runs[0] == runs[1]
    assert [(v, s) for v, s, _o, _b in runs[0]] == [
        (v, s) for v in ("seed_original", "correct") for s in names
    ]
    shards = [matrix_run(f"shard{k}", "--workers", "1", "--shard", f"{k}/2")[1] for k in "12"]
    assert len(shards[0]) == len(shards[1]) == 2  # disjoint halves of the matrix
    assert not {(v, s) for v, s, *_ in shards[0]} & {(v, s) for v, s, *_ in shards[1]}
    done = _cli(
        "merge", str(tmp_path / "shard1" / "r.json"), str(tmp_path / "shard2" / "r.json"),
        "--json", str(tmp_path / "m.json"), "--junit", str(tmp_path / "m.xml"), cwd=tmp_path,
    )  # fmt: skip
    assert done.returncode == codes[0], done.stdout + done.stderr
    assert _runs(tmp_path / "m.json") == runs[0]
    assert (tmp_path / "m.xml").read_text().count("<testcase") == len(runs[0])


@pytest.mark.parametrize(
    ("args", "said"),
    [
        (["--workers", "0"], "--workers 0"),
        (["--shard", "3/2"], "--shard '3/2'"),
        (["--shard", "one"], "is not K/N"),
        (["--shard", "0/2"], "K must be between 1 and N"),
    ],
)
def test_bad_workers_or_shard_exit_2_with_a_message(tmp_path, args, said):
    for command in (["run", "redis-down-during-webhook"], ["explore", "--budget", "1"]):
        done = _cli(*command, *args, cwd=tmp_path)
        assert done.returncode == 2, done.stdout + done.stderr
        assert said in done.stderr and "Traceback" not in done.stderr


def _workers_up(parent: psutil.Process) -> list[psutil.Process] | None:
    """Every process under ``parent`` once two workers each run their environment's servers."""
    try:
        workers = [p for p in parent.children() if "spawn_main" in " ".join(p.cmdline())]
        if len(workers) == 2 and all(len(w.children(recursive=True)) >= 3 for w in workers):
            return parent.children(recursive=True)
    except psutil.Error:
        pass
    return None


@pytest.mark.timeout(900)  # a safety net; the test waits for processes, not for a duration
@pytest.mark.parametrize("sig", [signal.SIGTERM, signal.SIGINT])
def test_stopping_the_command_stops_every_worker_and_its_environment(tmp_path, sig):
    proc = subprocess.Popen(
        [sys.executable, "-m", "paychaos", "run", "--variant", "all", "--workers", "2"],
        cwd=tmp_path,
        stdout=subprocess.DEVNULL,
        stderr=subprocess.DEVNULL,
    )
    try:
        parent = psutil.Process(proc.pid)
        tree = None
        while tree is None and proc.poll() is None:
            tree = _workers_up(parent)
            time.sleep(0.1)
        assert tree, "the workers never started"
        proc.send_signal(sig)
        proc.wait(timeout=300)
        _gone, alive = psutil.wait_procs(tree, timeout=120)
        assert not alive, [(p.pid, p.name()) for p in alive]
    finally:
        if proc.poll() is None:
            proc.kill()


@pytest.mark.timeout(900)  # a safety net; the test counts schedules (80 at most) and shrinks
def test_explore_over_workers_shares_its_examples_in_redis_and_shrinks_what_it_finds(tmp_path):
    """``--example-db redis://...`` with two workers: the shrinking worker opens the database
    itself (a Redis client cannot be sent to it), and the failure found is shrunk."""
    from paychaos.services import start_services

    with start_services(postgres=False) as services:
        url = services.redis.url
        done = _cli(
            "explore", "--workers", "2", "--variant", "seed_original", "--budget", "80",
            "--max-steps", "8", "--invariants", "I1,I4", "--seed", "0", "--example-db", url,
            "--out", str(tmp_path / "out"), "--json", str(tmp_path / "e.json"), cwd=tmp_path,
        )  # fmt: skip
    assert done.returncode == 1, done.stdout + done.stderr
    assert "Traceback" not in done.stderr, done.stderr
    found = json.loads((tmp_path / "e.json").read_text())
    assert found["finding"] is not None and set(found["finding"]["broken"]) & {"I1", "I4"}
    assert list((tmp_path / "out").glob("replay-seed_original-seed0.json"))
