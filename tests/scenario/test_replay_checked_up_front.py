"""A replay file is checked whole before anything starts: every step value that names
something the harness knows without its services (a plan, an event type the emulator sends,
an endpoint it serves, a session checked out once) is refused with exit 2, a message naming
the step, the value and what is allowed, and no traceback; no server, app or folder is made."""

from __future__ import annotations

import json
import re
from pathlib import Path
from typing import Any

import pytest

from paychaos import strategies
from paychaos.schedule import scenario_from_dict
from paychaos.schedule.step import step_from_dict
from paychaos.stripe_emulator.event_types import EVENT_TYPES
from tests.paychaos_cli import PLAIN_ENV, paychaos

_START = [{"do": "checkout", "session": "s1"}, {"do": "pay", "session": "s1"}]

BAD_STEPS = {
    "plan": (
        {"do": "checkout", "session": "s2", "plan": "gold"},
        ["scenario.steps[2].plan", "'gold'", "pro, basic"],
    ),
    "tampered-plan": (
        {"do": "tampered_validate", "session": "s1", "plan": "gold"},
        ["scenario.steps[2].plan", "'gold'", "pro, basic"],
    ),
    "forged-event-type": (
        {"do": "forge", "session": "s1", "event_type": "checkout.sesion.completed"},
        ["scenario.steps[2].event_type", "'checkout.sesion.completed'", "$fulfilment"],
    ),
    "policy-event-type": (
        {"do": "webhook_policy", "policy": {"action": "drop", "event_type": "invoice.payed"}},
        ["scenario.steps[2].policy.event_type", "'invoice.payed'", "checkout.session.*"],
    ),
    "api-fault-path": (
        {"do": "api_fault", "rule": {"action": "error", "path": "/v1/chekout/sessions"}},
        ["scenario.steps[2].rule.path", "'/v1/chekout/sessions'", "/v1/checkout/sessions/*"],
    ),
    "api-fault-method-path": (
        {"do": "api_fault", "rule": {"action": "error", "method": "DELETE", "path": "/v1/prices"}},
        ["scenario.steps[2].rule.path", "'/v1/prices'", "no DELETE endpoint"],
    ),
    "second-checkout": (
        {"do": "checkout", "session": "s1", "plan": "basic"},
        ["scenario.steps[2].session", "'s1'", "steps[0]"],
    ),
    "second-checkout-in-a-race": (
        {
            "do": "race",
            "failpoint": "fulfil.before_insert",
            "steps": [{"do": "validate", "session": "s1"}, {"do": "checkout", "session": "s1"}],
        },
        ["scenario.steps[2].steps[1].session", "'s1'", "steps[0]"],
    ),
}


def _replay(tmp_path: Path, step: dict[str, Any]) -> Path:
    path = tmp_path / "bad.json"
    scenario = {"name": "edited", "story": "by hand", "steps": [*_START, step]}
    payload = {"paychaos_replay": 1, "variant": "correct", "seed": 0, "scenario": scenario}
    path.write_text(json.dumps(payload))
    return path


@pytest.mark.parametrize("case", list(BAD_STEPS))
def test_a_bad_step_value_is_refused_before_anything_starts(tmp_path: Path, case: str):
    step, expected = BAD_STEPS[case]
    state, temp = tmp_path / "state", tmp_path / "tmp"
    temp.mkdir()
    env = {**PLAIN_ENV, "PAYCHAOS_STATE_DIR": str(state), "TMPDIR": str(temp)}
    out = paychaos("replay", str(_replay(tmp_path, step)), cwd=tmp_path, env=env, timeout=120)
    assert out.returncode == 2, out.stdout + out.stderr
    said = " ".join(out.stderr.split())  # the message as one line, however it was wrapped
    assert "Traceback" not in out.stderr, out.stderr
    for words in expected:
        assert words in said, said
    # Nothing started: no registry (every server, app and folder is recorded there), no
    # temporary folder, no report.
    assert not state.exists()
    assert list(temp.iterdir()) == []
    assert not (tmp_path / "paychaos-results").exists()


@pytest.mark.parametrize(
    "step",
    [
        {"do": "forge", "session": "s1"},
        {"do": "forge", "session": "s1", "event_type": "invoice.paid"},
        {"do": "webhook_policy", "policy": {"action": "drop", "event_type": "$fulfilment"}},
        {"do": "webhook_policy", "policy": {"action": "drop", "event_type": "checkout.session.*"}},
        {"do": "api_fault", "rule": {"action": "error", "path": "/v1/checkout/sessions/cs_*"}},
        {"do": "api_fault", "rule": {"action": "error", "method": "GET", "path": "/v1/*"}},
        {"do": "checkout", "session": "s2"},
    ],
)
def test_good_values_pass(step: dict[str, Any]):
    scenario_from_dict({"steps": [*_START, step]})


def test_what_exploration_generates_and_the_named_scenarios_pass():
    """Explore writes its schedules as replay files: none of its rules may be refused."""
    from scenarios import all_scenarios

    for rule in strategies.API_FAULTS:
        step_from_dict({"do": "api_fault", "rule": rule})
    for policy in strategies.DELIVERY_POLICIES:
        step_from_dict({"do": "webhook_policy", "policy": policy})
    for scenario in all_scenarios().values():
        scenario_from_dict(scenario.to_dict())


def test_the_event_types_list_is_what_the_emulator_emits():
    root = Path(__file__).resolve().parents[2] / "harness" / "stripe_emulator"
    emitted = set()
    for source in root.rglob("*.py"):
        emitted |= set(re.findall(r"\.emit\(\s*\"([a-z_.]+)\"", source.read_text()))
    assert emitted == set(EVENT_TYPES)
