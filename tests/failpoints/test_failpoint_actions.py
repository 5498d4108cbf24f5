"""Failpoint actions: parsing, counts, and what each task does to the caller."""

from __future__ import annotations

import asyncio
import subprocess
import sys
import threading
import time
from collections.abc import Iterator

import pytest
import redis

from paychaos.failpoints import (
    FailpointActionError,
    FailpointError,
    afailpoint,
    clear_all_failpoints,
    clear_failpoint,
    failpoint,
    failpoint_hits,
    list_failpoints,
    parse_action,
    release_failpoint,
    set_failpoint,
    wait_until_hit,
)


@pytest.fixture(autouse=True)
def _clean() -> Iterator[None]:
    clear_all_failpoints()
    yield
    clear_all_failpoints()


def test_parse_reads_counts_tasks_and_arguments():
    terms = parse_action(
        "2*sleep(50)->1*raise(redis.exceptions.ConnectionError, Error 111)->pause(200)->off"
    )
    assert [(t.task, t.count) for t in terms] == [
        ("sleep", 2),
        ("raise", 1),
        ("pause", None),
        ("off", None),
    ]
    assert terms[0].sleep_ms == 50
    assert (
        terms[1].exception is redis.exceptions.ConnectionError and terms[1].message == "Error 111"
    )
    assert terms[2].timeout_ms == 200
    assert parse_action("crash(3)")[0].exit_code == 3
    assert parse_action("raise(builtins.RuntimeError, 'quoted')")[0].message == "quoted"


@pytest.mark.parametrize(
    ("action", "fragment"),
    [
        ("", "empty action"),
        ("slep(5)", "unknown task 'slep'"),
        ("sleep", "sleep needs milliseconds"),
        ("sleep(soon)", "must be a number"),
        ("raise", "needs an exception path"),
        ("raise(nowhere.Boom)", "cannot import exception"),
        ("raise(os.path)", "not an exception class"),
        ("raise(RuntimeError)", "import path"),
        ("50%pause", "probabilities"),
        ("off(1)", "takes no argument"),
        ("crash(300)", "0..255"),
        ("2*", "cannot read term"),
    ],
)
def test_malformed_actions_say_what_is_wrong(action, fragment):
    with pytest.raises(FailpointActionError, match="malformed failpoint action") as caught:
        parse_action(action)
    assert fragment in str(caught.value)


def test_unset_failpoint_does_nothing_and_counts_nothing():
    failpoint("nothing.here")
    assert failpoint_hits("nothing.here") == 0
    assert list_failpoints() == {}


def test_count_then_off_raises_once_then_passes():
    set_failpoint("pay.once", "1*raise(builtins.RuntimeError, boom)->off")
    with pytest.raises(RuntimeError, match="boom"):
        failpoint("pay.once")
    failpoint("pay.once")
    failpoint("pay.once")
    assert failpoint_hits("pay.once") == 3


def test_counted_terms_run_in_order_and_end_in_nothing():
    set_failpoint("steps", "2*sleep(30)->1*raise(builtins.ValueError)")
    start = time.perf_counter()
    failpoint("steps")
    failpoint("steps")
    assert time.perf_counter() - start >= 0.06
    with pytest.raises(ValueError, match="failpoint steps"):
        failpoint("steps")
    start = time.perf_counter()
    failpoint("steps")  # every term used up: nothing happens
    assert time.perf_counter() - start < 0.02


def test_clear_makes_a_failpoint_inert_again():
    set_failpoint("gone", "raise(builtins.RuntimeError)")
    clear_failpoint("gone")
    failpoint("gone")
    assert failpoint_hits("gone") == 0


def test_pause_blocks_threads_until_released_first_come_first_served():
    set_failpoint("gate", "pause")
    order: list[str] = []

    def caller(label: str) -> None:
        failpoint("gate")
        order.append(label)

    first = threading.Thread(target=caller, args=("first",))
    first.start()
    wait_until_hit("gate", 1)
    second = threading.Thread(target=caller, args=("second",))
    second.start()
    wait_until_hit("gate", 2)
    assert list_failpoints()["gate"]["paused"] == 2
    assert release_failpoint("gate", 1) == 1
    first.join(5)
    assert order == ["first"] and second.is_alive()
    assert release_failpoint("gate") == 1
    second.join(5)
    assert order == ["first", "second"]


def test_pause_gives_up_after_its_safety_timeout():
    set_failpoint("stuck", "pause(50)")
    start = time.perf_counter()
    failpoint("stuck")
    assert 0.045 <= time.perf_counter() - start < 1.0
    assert list_failpoints()["stuck"]["paused"] == 0


def test_clearing_releases_paused_callers():
    set_failpoint("held", "pause")
    worker = threading.Thread(target=failpoint, args=("held",))
    worker.start()
    wait_until_hit("held", 1)
    clear_failpoint("held")
    worker.join(5)
    assert not worker.is_alive()


def test_wait_until_hit_times_out_with_the_hits_so_far():
    set_failpoint("rare", "off")
    failpoint("rare")
    with pytest.raises(TimeoutError, match="reached 1 time"):
        wait_until_hit("rare", 2, timeout=0.05)


def test_async_pause_waits_without_blocking_the_loop():
    set_failpoint("async.gate", "pause")

    async def scenario() -> list[str]:
        events: list[str] = []

        async def paused() -> None:
            await afailpoint("async.gate")
            events.append("released")

        task = asyncio.create_task(paused())
        await asyncio.sleep(0.02)
        events.append("loop still runs")
        await asyncio.to_thread(release_failpoint, "async.gate")
        await asyncio.wait_for(task, 5)
        return events

    assert asyncio.run(scenario()) == ["loop still runs", "released"]


def test_sync_pause_on_the_event_loop_thread_refuses_instead_of_freezing():
    set_failpoint("loop.gate", "pause")

    async def call() -> None:
        failpoint("loop.gate")

    with pytest.raises(FailpointError, match="afailpoint"):
        asyncio.run(call())


def test_crash_exits_the_process_with_the_status():
    code = "from paychaos.failpoints import *; set_failpoint('boom', 'crash(7)'); failpoint('boom'); print('survived')"
    result = subprocess.run(
        [sys.executable, "-c", code], capture_output=True, text=True, timeout=60
    )
    assert result.returncode == 7
    assert "survived" not in result.stdout


def test_async_failpoint_sleeps_and_raises_like_the_sync_one():
    set_failpoint("async.steps", "1*sleep(30)->raise(builtins.LookupError, gone)")

    async def scenario() -> float:
        start = time.perf_counter()
        await afailpoint("async.steps")
        elapsed = time.perf_counter() - start
        with pytest.raises(LookupError, match="gone"):
            await afailpoint("async.steps")
        return elapsed

    assert asyncio.run(scenario()) >= 0.03
    assert failpoint_hits("async.steps") == 2
