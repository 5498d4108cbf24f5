"""Task-side steps as data: the broker is a fault target, the worker a process target."""

from __future__ import annotations

from types import SimpleNamespace

import pytest

from paychaos.errors import ConfigError
from paychaos.nemesis import Nemesis
from paychaos.schedule import step_from_dict


def test_broker_faults_and_worker_actions_are_steps():
    fault = step_from_dict({"do": "fault", "target": "broker", "fault": "blackhole"})
    assert fault.args["target"] == "broker"
    kill = step_from_dict({"do": "process", "target": "worker", "action": "kill_mid_task"})
    assert kill.args["action"] == "kill_mid_task"
    assert step_from_dict({"do": "heal", "target": "worker"}).args["target"] == "worker"


def _nemesis(app):
    return Nemesis(
        services=None, app=app, proxies={}, faults=None, emulator_control=None, failpoints=None
    )


def test_an_unknown_worker_action_names_the_known_ones():
    with pytest.raises(ConfigError, match="worker: kill, kill_mid_task"):
        _nemesis(SimpleNamespace(has_worker=True)).process_fault("worker", "explode")


def test_acting_on_a_worker_the_app_does_not_have_changes_nothing_and_says_so():
    records = _nemesis(SimpleNamespace(has_worker=False)).process_fault("worker", "kill")
    assert records[0].value == {"target": "worker", "action": "kill", "absent": True}
