"""Each plug-in owns its metadata: adding one is a new file plus one registry line."""

from __future__ import annotations

import io

import pytest
from rich.console import Console

from paychaos.faults.toxics.registry import TOXICS
from paychaos.fixtures.state import DeliveryAttemptFactory
from paychaos.invariants import Invariant, Violation, invariants
from paychaos.nemesis import network_faults
from paychaos.plugins import plugins_in
from paychaos.report import print_report
from paychaos.runner import RunResult
from paychaos.schedule import Scenario
from paychaos.state import FinalState
from paychaos.stripe_emulator.faults.delivery import DELIVERY_ACTIONS
from paychaos.stripe_emulator.faults.rules import Action


def _result(*violations: Violation) -> RunResult:
    return RunResult(
        scenario=Scenario(name="inline", story="A test.", steps=()),
        variant="correct",
        seed=0,
        violations=violations,
        history=(),
        state=FinalState(),
    )


def test_every_registered_toxic_is_a_fault_a_step_can_name():
    assert set(TOXICS) <= set(network_faults())
    assert {"down", "blackhole"} <= set(network_faults())


def test_every_invariant_declares_its_meaning():
    assert all(inv.meaning for inv in invariants().values()), [
        inv.id for inv in invariants().values() if not inv.meaning
    ]


def test_a_promise_without_a_meaning_or_an_unknown_one_does_not_crash_the_report(monkeypatch):
    quiet = Invariant(id="I99", title="a promise someone forgot to explain", check=lambda h, s: [])
    monkeypatch.setitem(invariants(), "I99", quiet)
    out = io.StringIO()
    print_report(
        [_result(Violation("I99", "it broke"), Violation("I98", "nobody knows this one"))],
        Console(file=out, width=200),
    )
    text = out.getvalue()
    assert "I99: a promise someone forgot to explain" in text
    assert "I98: (unknown promise)" in text


def test_delivery_actions_declare_what_they_do_on_purpose():
    refused = {name for name, cls in DELIVERY_ACTIONS.items() if cls.must_be_refused}
    assert refused == {"bad_signature", "wrong_secret", "stale_timestamp", "unsigned"}
    assert all(DELIVERY_ACTIONS[name].tampering for name in refused)
    assert DELIVERY_ACTIONS["deliver"].tampering is None


def test_i6_judges_what_the_attempt_declares_not_a_list_of_names():
    """A delivery action nobody told I6 about is judged by what it declares."""
    i6 = invariants()["I6"]
    novel = DeliveryAttemptFactory(tampering="a_new_trick", must_reject=True, http_status=200)
    assert [v.invariant for v in i6.check([], FinalState(deliveries=(novel,)))] == ["I6"]
    honest = DeliveryAttemptFactory(tampering="a_new_trick", must_reject=False, http_status=200)
    assert i6.check([], FinalState(deliveries=(honest,))) == []


def test_a_registry_module_must_define_exactly_one_plug_in():
    with pytest.raises(TypeError, match="exactly one Action subclass, found 0"):
        plugins_in("paychaos.stripe_emulator.faults", ("rules",), Action)
