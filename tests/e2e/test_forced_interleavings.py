"""Races are forced, not hoped for; process faults leave nothing behind."""

from __future__ import annotations

import threading

import psutil
import pytest

from paychaos.runner import run_scenario
from paychaos.schedule import Scenario
from paychaos.schedule import step as s

HOLD = "fulfil.before_insert"


# Bounded by its 100 rounds; the timeout only catches a hang (two suites at once on two cores
# take minutes over the rounds' resets).
@pytest.mark.timeout(600)
def test_webhook_and_validate_are_held_together_before_the_insert_100_times_out_of_100(
    paychaos_env,
):
    """Both the webhook and validate get past reading the session, neither has inserted,
    every single time; then exactly one subscription results."""
    env = paychaos_env
    env.switch_variant("correct")
    held_together = 0
    for _ in range(100):
        env.reset(seed=0)
        company = env.app.create_company("Race Inc")
        session_id = env.app.create_checkout(company, env.plan_id("pro", 14900))
        env.emulator.control.complete_session(session_id, outcome="paid")
        env.failpoints.set(HOLD, "pause")
        webhook = threading.Thread(target=env.emulator.control.deliver_due)
        webhook.start()
        env.failpoints.wait_until_hit(HOLD, count=1, timeout=5)
        validate = threading.Thread(target=env.app.validate, args=(session_id,))
        validate.start()
        env.failpoints.wait_until_hit(HOLD, count=2, timeout=5)
        paused = env.failpoints.state(HOLD)["paused"]
        inserted = env.app.subscriptions()
        env.failpoints.clear(HOLD)
        webhook.join(10)
        validate.join(10)
        if paused == 2 and not inserted:
            held_together += 1
        assert [sub.checkout_session_id for sub in env.app.subscriptions()] == [session_id]
    assert held_together == 100


def _app_servers() -> list[int]:
    found = []
    for proc in psutil.Process().children(recursive=True):
        try:  # short-lived children (Postgres backends) may end while we look
            if "paychaos.reference_app.asgi:application" in " ".join(proc.cmdline()):
                found.append(proc.pid)
        except psutil.Error:
            continue
    return found


def test_crashing_and_restarting_the_app_leaves_no_process_behind(paychaos_env):
    env = paychaos_env
    env.switch_variant("correct")
    for _ in range(3):
        result = run_scenario(
            env,
            Scenario(
                name="crash",
                story="The app is killed mid-flow and restarted by heal.",
                steps=(s.checkout("s1"), s.pay("s1"), s.process("app", "crash"), s.deliver()),
            ),
        )
        assert result.kept, result.violations
    assert _app_servers() == [env.app.pid]
