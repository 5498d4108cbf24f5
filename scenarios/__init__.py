"""Named scenarios, one per file; each module's docstring says what real incident it stands for.

Adding a scenario is one new module defining ``SCENARIO`` plus one line below.
"""

from __future__ import annotations

import importlib

from paychaos.errors import ConfigError
from paychaos.schedule import Scenario

MODULES = (
    "redis_down_during_webhook",
    "redis_down_whole_flow",
    "redis_reset_mid_command",
    "redis_blackholed",
    "redis_restarted_empty",
    "webhook_dropped",
    "webhook_delivered_three_times",
    "webhook_and_validate_race",
    "postgres_blip_during_webhook",
    "app_crash_before_ack",
    "delayed_payment_succeeds",
    "delayed_payment_fails",
    "forged_webhook",
    "session_expired_unpaid",
    "db_error_customer_gone",
    "late_update_after_cancel",
    "tampered_plan_on_success_page",
    "foreign_session_on_success_page",
    "tampered_price_at_checkout",
    "account_page_of_another_company",
    "account_page_without_sign_in",
    "twin_events",
    "success_page_before_webhook",
    "webhook_before_success_page",
    "webhook_retry_while_running",
    "genuine_replay_after_tolerance",
    "buy_again_after_cancel",
    "upgrade_by_second_checkout",
    "downgrade_by_second_checkout",
    "two_companies_at_once",
    # The task side (Celery): the broker and the worker.
    "broker_down_at_dispatch",
    "broker_reset_at_dispatch",
    "broker_blackholed",
    "worker_killed_mid_task",
    "worker_killed_after_effect",
    "task_outlives_visibility_timeout",
    "worker_started_late",
    "tasks_lost_in_redis_restart",
)


def all_scenarios() -> dict[str, Scenario]:
    """Every named scenario by name, in registry order."""
    found: dict[str, Scenario] = {}
    for module in MODULES:
        scenario = importlib.import_module(f"{__name__}.{module}").SCENARIO
        found[scenario.name] = scenario
    return found


def get_scenario(name: str) -> Scenario:
    """One scenario by name; an unknown name is a ``ConfigError`` listing the known ones."""
    known = all_scenarios()
    if name not in known:
        raise ConfigError(
            f"unknown scenario {name!r}",
            hint="`paychaos scenarios` lists them: " + ", ".join(known),
        )
    return known[name]
