"""A refused webhook carries what the app answered and what it logged at that moment."""

from __future__ import annotations


def test_the_incident_shows_the_apps_own_redis_error(paychaos_run):
    result = paychaos_run("redis-down-during-webhook", variant="seed_original")
    (i5,) = [v for v in result.violations if v.invariant == "I5"]
    assert "last answered 500" in i5.message
    assert "Connection refused" in i5.message, i5.message  # the start of the app's answer
    logs = [e["value"]["app_log"] for e in i5.evidence if "app_log" in e.get("value", {})]
    assert logs and "ConnectionError" in logs[-1], i5.evidence
    i4 = [v for v in result.violations if v.invariant == "I4"]
    told_failed = [e for v in i4 for e in v.evidence if e.get("value", {}).get("told") == "failed"]
    assert told_failed and all(e["value"].get("app_log") for e in told_failed)
