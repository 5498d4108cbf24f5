"""``--browser``: what the reference app's success page shows, read in headless Chromium."""

from __future__ import annotations

import os
import time
from pathlib import Path

import pytest

from paychaos.app import AppAdapter
from paychaos.environment import Environment, EnvironmentOptions
from paychaos.errors import ConfigError
from paychaos.reference_app.adapter import ReferenceAppAdapter
from paychaos.runner import run_scenario
from paychaos.scenarios import get_scenario
from paychaos.schedule import Scenario
from paychaos.schedule import step as s
from tests.browser.misrendering_page import MisrenderingPageAdapter

# A paid session whose validate meets a database outage: the correct app answers 503
# {"status": "pending"}; its page keeps confirming, and after heal it says success.
VALIDATE_DURING_DB_OUTAGE = Scenario(
    name="validate-during-db-outage",
    story="The customer's success page asks validate while Postgres is down.",
    steps=(
        s.checkout("s1"),
        s.pay("s1"),
        s.fault("postgres", "down"),
        s.validate("s1"),
        s.heal(),
        s.deliver(),
    ),
)


def _validates(result) -> list[dict]:
    return [e.value for e in result.history if e.name == "validate" and e.type != "invoke"]


def test_the_incident_page_says_payment_failed_in_the_browser(reference_browser_env):
    """seed_original under Redis down: the page itself tells the paying customer it failed."""
    env = reference_browser_env
    env.switch_variant("seed_original")
    try:
        result = run_scenario(env, get_scenario("redis-down-during-webhook"), seed=0)
    finally:
        env.switch_variant("correct")
    first = _validates(result)[0]
    assert first["browser"] is True
    assert first["told"] == "failed" and first["model_told"] == "failed"
    assert first["http_status"] == 500
    assert "Payment failed" in first["page_text"]
    assert "I4" in result.broken


def test_the_correct_page_says_payment_successful(reference_browser_env):
    env = reference_browser_env
    env.switch_variant("correct")
    result = run_scenario(env, get_scenario("redis-down-during-webhook"), seed=0)
    assert result.kept, [v.message for v in result.violations]
    shown = _validates(result)
    assert shown and all(v["told"] == "success" for v in shown), shown
    assert all("Payment successful" in v["page_text"] for v in shown)


def test_a_page_still_confirming_reads_pending_after_one_call(reference_browser_env):
    """An unpaid session: the page retries; the retry is refused, so the app got one call."""
    env = reference_browser_env
    env.switch_variant("correct")
    unpaid = Scenario(
        name="unpaid",
        story="The customer reaches the success page before paying, then closes it.",
        steps=(s.checkout("s1"), s.validate("s1"), s.leave("s1")),
    )
    result = run_scenario(env, unpaid, seed=0)
    (shown,) = _validates(result)
    assert shown["told"] == "pending" and shown["model_told"] == "pending"
    assert shown["asked_again"] is True and shown["http_status"] == 200
    assert "Confirming your payment" in shown["page_text"]


def test_the_database_outage_keeps_the_reference_page_confirming(reference_browser_env):
    env = reference_browser_env
    env.switch_variant("correct")
    result = run_scenario(env, VALIDATE_DURING_DB_OUTAGE, seed=0)
    assert result.kept, [v.message for v in result.violations]
    first = _validates(result)[0]
    assert first["http_status"] == 503 and first["told"] == "pending"


def test_a_page_that_misrenders_an_error_is_caught_only_in_the_browser(
    browser_installed, paychaos_env
):
    """The page says "Payment failed" on HTTP 503 where its model says "pending": without
    the browser I4 holds; with it, I4 is broken for the paying customer."""
    paychaos_env.switch_variant("correct")
    modelled = run_scenario(paychaos_env, VALIDATE_DURING_DB_OUTAGE, seed=0)
    assert modelled.kept, [v.message for v in modelled.violations]
    assert _validates(modelled)[0]["told"] == "pending"

    options = EnvironmentOptions(browser=True)
    with Environment(options, adapter=MisrenderingPageAdapter()) as env:
        result = run_scenario(env, VALIDATE_DURING_DB_OUTAGE, seed=0)
    first = _validates(result)[0]
    assert first["http_status"] == 503
    assert first["model_told"] == "pending" and first["told"] == "failed"
    assert "Payment failed" in first["page_text"]
    assert "I4" in result.broken
    (told,) = [v for v in result.violations if v.invariant == "I4"]
    assert "Payment failed" in told.message


class _NoSuccessPage(ReferenceAppAdapter):
    """An adapter that does not say where its success page is."""

    success_page_url = AppAdapter.success_page_url  # type: ignore[assignment]


class _NoPageOutcome(ReferenceAppAdapter):
    """An adapter that does not say how to read its success page."""

    page_outcome = {}


@pytest.mark.parametrize("adapter", [_NoSuccessPage, _NoPageOutcome])
def test_browser_mode_needs_the_adapters_success_page(adapter):
    env = Environment(EnvironmentOptions(browser=True), adapter=adapter())
    try:
        with pytest.raises(ConfigError, match="names no success page") as error:
            env.start()  # refused before anything starts
    finally:
        env.close()
    assert "success_page_url" in (error.value.hint or "")


def _descendants(pid: int) -> set[int]:
    """Every live process below ``pid`` (from /proc)."""
    children: dict[int, list[int]] = {}
    for stat in Path("/proc").glob("[0-9]*/stat"):
        try:
            fields = stat.read_text().rsplit(")", 1)[1].split()
        except OSError:
            continue
        if fields[0] != "Z":  # ended, its exit status not yet collected: nothing runs
            children.setdefault(int(fields[1]), []).append(int(stat.parent.name))
    found, todo = set(), [pid]
    while todo:
        for child in children.get(todo.pop(), []):
            found.add(child)
            todo.append(child)
    return found


def test_the_browser_starts_with_the_environment_and_leaves_nothing(browser_installed):
    before = _descendants(os.getpid())
    with Environment(EnvironmentOptions(browser=True), adapter=ReferenceAppAdapter()) as env:
        result = run_scenario(env, get_scenario("webhook-and-validate-race"), seed=0)
        assert result.kept, [v.message for v in result.violations]
        browser = env.browser
    assert env.browser is None and browser._browser is None
    # Bounded by polls: a process stopped by the close may still be on its way out.
    for _ in range(200):
        if _descendants(os.getpid()) <= before:
            break
        time.sleep(0.05)
    assert _descendants(os.getpid()) <= before
