"""Schedules are data: named scenarios, replay files and generated schedules share one shape."""

from __future__ import annotations

import json

import pytest
from hypothesis import given, settings

from paychaos.errors import ConfigError
from paychaos.replay import read_replay, write_replay
from paychaos.scenarios import all_scenarios, get_scenario
from paychaos.schedule import scenario_from_dict, step, step_from_dict
from paychaos.strategies import schedules


def test_every_named_scenario_has_a_story_and_round_trips_through_json():
    found = all_scenarios()
    assert len(found) >= 14
    for name, scenario in found.items():
        assert scenario.story.strip(), f"{name} has no docstring"
        again = scenario_from_dict(json.loads(json.dumps(scenario.to_dict())))
        assert again.steps == scenario.steps
        assert again.needs == scenario.needs


def test_what_a_scenario_needs_of_the_app_is_data_and_checked():
    staged = get_scenario("task-outlives-visibility-timeout")
    assert staged.needs == ("tasks",)
    with pytest.raises(ConfigError, match="needs: expected a list of tasks"):
        scenario_from_dict({**staged.to_dict(), "needs": ["a-time-machine"]})


def test_an_unknown_scenario_is_a_clear_error():
    with pytest.raises(ConfigError, match="unknown scenario"):
        get_scenario("no-such-scenario")


@pytest.mark.parametrize(
    ("raw", "field"),
    [
        ({"do": "fly"}, "step.do"),
        ({"do": "pay"}, "step.session"),
        ({"do": "pay", "session": 3}, "step.session"),
        ({"do": "pay", "session": "s1", "colour": "red"}, "step.colour"),
        ({"do": "advance_clock", "seconds": True}, "step.seconds"),
        ({"do": "race", "failpoint": "x", "steps": [{"do": "deliver"}]}, "step.steps"),
        ("pay", "step"),
    ],
)
def test_a_malformed_step_names_the_field(raw, field):
    with pytest.raises(ConfigError) as info:
        step_from_dict(raw)
    assert str(info.value).startswith(field)


def test_race_steps_nest_and_round_trip():
    race = step.race("fulfil.before_insert", step.deliver(), step.validate("s1"))
    assert step_from_dict(race.to_dict()) == race
    assert "deliver() | validate(session=s1)" in race.describe()


def test_a_replay_file_round_trips_and_is_hand_editable(tmp_path):
    scenario = get_scenario("redis-down-during-webhook")
    path = write_replay(tmp_path / "r.json", scenario, variant="seed_original", seed=4)
    raw = json.loads(path.read_text())
    raw["scenario"]["steps"] = raw["scenario"]["steps"][:4]  # a person trims it by hand
    path.write_text(json.dumps(raw))
    loaded, variant, seed, _ = read_replay(path)
    assert (variant, seed, len(loaded.steps)) == ("seed_original", 4, 4)


@pytest.mark.parametrize(
    ("mutate", "message"),
    [
        (lambda r: r.update(seed="3"), "seed must be an integer"),
        (lambda r: r.update(variant=None), "variant must be"),
        (lambda r: r.update(paychaos_replay=9), "paychaos_replay must be 1"),
        (lambda r: r["scenario"]["steps"].append({"do": "validate"}), "steps[7].session"),
        (lambda r: r["scenario"].update(steps=[]), "scenario.steps"),
        (lambda r: r.update(seeed=3), "has no field 'seeed'"),
        (lambda r: r["scenario"].update(stepz=[]), "a scenario has no field 'stepz'"),
        (lambda r: r["scenario"].update(name=["x"]), "scenario.name: expected text"),
        (lambda r: r.update(seed=-1), "seed must be an integer from 0"),
        (lambda r: r.update(seed=2**63), "seed must be an integer from 0"),
        (lambda r: r.update(found="I1"), "found must be a list"),
    ],
)
def test_a_hand_broken_replay_file_names_the_field(tmp_path, mutate, message):
    path = write_replay(
        tmp_path / "r.json", get_scenario("redis-down-during-webhook"), variant="correct", seed=1
    )
    raw = json.loads(path.read_text())
    mutate(raw)
    path.write_text(json.dumps(raw))
    with pytest.raises(ConfigError, match=message.replace("[", r"\[").replace("]", r"\]")):
        read_replay(path)


def test_a_replay_file_that_is_not_json_says_where(tmp_path):
    path = tmp_path / "r.json"
    path.write_text("{\n  'variant': 1\n}")
    with pytest.raises(ConfigError, match="line 2"):
        read_replay(path)


@settings(max_examples=50, derandomize=True, database=None)
@given(schedules())
def test_generated_schedules_are_valid_data_that_round_trips(schedule):
    checkouts = ("checkout", "tampered_checkout")
    assert schedule.steps[0].do in checkouts
    assert sum(1 for s in schedule.steps if s.do == "pay") == sum(
        1 for s in schedule.steps if s.do in checkouts
    )
    assert scenario_from_dict(schedule.to_dict()).steps == schedule.steps


@pytest.mark.parametrize(
    ("raw", "message"),
    [
        ({"do": "pay", "session": "s1", "outcome": "nope"}, "outcome one of paid, delayed"),
        ({"do": "forge", "session": "s1", "kind": "polite"}, "kind one of bad_signature"),
        ({"do": "fault", "target": "mysql", "fault": "down"}, "target one of redis"),
        ({"do": "advance_clock", "seconds": -5}, "0 or more, not -5"),
    ],
)
def test_a_step_with_a_word_no_part_understands_is_refused_up_front(raw, message):
    with pytest.raises(ConfigError, match=message):
        step_from_dict(raw)


def test_a_replay_file_that_is_not_text_says_so(tmp_path):
    path = tmp_path / "r.json"
    path.write_bytes(b"\xff\xfe\x00garbage")
    with pytest.raises(ConfigError, match="not UTF-8 text"):
        read_replay(path)


@pytest.mark.parametrize(
    ("raw", "message"),
    [
        ({"do": "fault", "target": "redis", "fault": "nope"}, "unknown network fault 'nope'"),
        ({"do": "fault", "target": "redis", "fault": "latency", "params": {"nope": 1}},
         "latency takes no such parameters"),
        ({"do": "fault", "target": "redis", "fault": "latency", "params": {"ms": -5}},
         "0 or more, not -5"),
        ({"do": "fault", "target": "redis", "fault": "slicer", "params": {"stream": "sideways"}},
         "upstream or downstream"),
        ({"do": "fault", "target": "redis", "fault": "down", "params": {"toxicity": 2}},
         "from 0 to 1"),
        ({"do": "process", "target": "app", "action": "pause"}, "process app takes action"),
        ({"do": "failpoint", "name": "fulfil.before_insert", "action": "explode"},
         "malformed failpoint action"),
        ({"do": "failpoint", "name": "no spaces", "action": "off"}, "no failpoint name"),
        ({"do": "race", "failpoint": "", "steps": [{"do": "deliver"}, {"do": "deliver"}]},
         "non-empty failpoint"),
        ({"do": "webhook_policy", "policy": {"action": "explode"}}, "unknown fault action"),
        ({"do": "webhook_policy", "policy": {"action": "drop", "colour": 1}}, "unknown rule key"),
        ({"do": "api_fault", "rule": {"action": "error", "method": "FLY"}}, "method must be"),
        ({"do": "advance_clock", "seconds": 10**9}, "at most 63244800 s"),
        ({"do": "pay", "session": ""}, "non-empty session"),
        ({"do": "checkout", "session": "s1", "company": " "}, "non-empty company"),
    ],
)  # fmt: skip
def test_a_step_value_the_acting_part_would_refuse_is_refused_up_front(raw, message):
    with pytest.raises(ConfigError, match=message):
        step_from_dict(raw)


def test_a_replay_file_nested_100000_deep_is_refused_not_a_recursion_error(tmp_path):
    path = tmp_path / "r.json"
    path.write_text('{"paychaos_replay": 1, "scenario": ' + "[" * 100_000 + "]" * 100_000 + "}")
    with pytest.raises(ConfigError, match="nested deeper than"):
        read_replay(path)


def test_every_named_scenario_passes_the_schema_as_its_replay_file(tmp_path):
    from paychaos.scenarios import all_scenarios

    for name, scenario in all_scenarios().items():
        path = write_replay(tmp_path / f"{name}.json", scenario, variant="correct", seed=0)
        assert read_replay(path)[0].steps == scenario.steps
