"""A replay file is data: its ``app_env`` may set the app's timeouts, nothing that runs code."""

from __future__ import annotations

import json

import pytest

from paychaos.errors import ConfigError
from paychaos.replay import read_replay, write_replay
from paychaos.scenarios import get_scenario
from tests.paychaos_cli import paychaos


def _replay_with(tmp_path, app_env: dict[str, str]):
    path = write_replay(
        tmp_path / "r.json", get_scenario("redis-down-during-webhook"), variant="correct", seed=1
    )
    raw = json.loads(path.read_text())
    raw["scenario"]["app_env"] = app_env
    path.write_text(json.dumps(raw))
    return path


def test_a_replay_file_may_set_the_apps_timeouts(tmp_path):
    path = _replay_with(tmp_path, {"REDIS_SOCKET_TIMEOUT": "1.0", "STRIPE_TIMEOUT": "2"})
    scenario, *_ = read_replay(path)
    assert scenario.app_env == {"REDIS_SOCKET_TIMEOUT": "1.0", "STRIPE_TIMEOUT": "2"}


@pytest.mark.parametrize(
    ("app_env", "message"),
    [
        ({"PYTHONPATH": "/tmp/evil"}, "'PYTHONPATH' is not a setting a replay file may set"),
        ({"DATABASE_URL": "postgresql://x@evil/db"}, "'DATABASE_URL' is not a setting"),
        ({"REDIS_SOCKET_TIMEOUT": "$(id)"}, "REDIS_SOCKET_TIMEOUT must be a number"),
        ({"TASK_HOLD": "send_receipt:after_effect:5;id"}, "TASK_HOLD='send_receipt:after_effe"),
    ],
)
def test_anything_else_in_app_env_is_refused(tmp_path, app_env, message):
    with pytest.raises(ConfigError, match=message.replace("(", r"\(").replace(")", r"\)")):
        read_replay(_replay_with(tmp_path, app_env))


def test_the_user_not_the_file_may_allow_an_apps_own_setting(tmp_path, monkeypatch):
    path = _replay_with(tmp_path, {"SHOP_GATEWAY_TIMEOUT": "3"})
    with pytest.raises(ConfigError, match="SHOP_GATEWAY_TIMEOUT"):
        read_replay(path)
    monkeypatch.setenv("PAYCHAOS_REPLAY_APP_ENV", "SHOP_GATEWAY_TIMEOUT")
    assert read_replay(path)[0].app_env == {"SHOP_GATEWAY_TIMEOUT": "3"}


def test_paychaos_replay_refuses_a_disallowed_setting_with_exit_2_before_any_work(tmp_path):
    path = _replay_with(tmp_path, {"PYTHONPATH": str(tmp_path)})
    out = paychaos("replay", str(path), timeout=120)
    assert out.returncode == 2, out.stderr
    assert "'PYTHONPATH' is not a setting a replay file may set" in out.stderr
    assert "REDIS_SOCKET_TIMEOUT" in out.stderr  # the hint lists what a file may set
    assert "Traceback" not in out.stderr
