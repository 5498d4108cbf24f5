"""``PAYCHAOS_WORKERS`` sets the default of ``--workers``; a bad value is bad input (exit 2, a
message naming the variable, no traceback) before any environment starts."""

from __future__ import annotations

import os

import pytest

from paychaos.cli import main
from paychaos.cli.workers import worker_count
from paychaos.errors import ConfigError
from paychaos.parallel import default_workers


def test_the_variable_sets_the_default_and_the_option_wins(monkeypatch):
    monkeypatch.setenv("PAYCHAOS_WORKERS", "3")
    assert default_workers() == 3
    assert worker_count(None) == 3
    assert worker_count(1) == 1  # --workers N overrides it
    monkeypatch.setenv("PAYCHAOS_WORKERS", " 2 ")
    assert worker_count(None) == 2


def test_unset_empty_or_auto_is_one_per_core(monkeypatch):
    cores = len(os.sched_getaffinity(0))
    monkeypatch.delenv("PAYCHAOS_WORKERS", raising=False)
    assert default_workers() == cores
    for value in ("", "auto", "AUTO"):
        monkeypatch.setenv("PAYCHAOS_WORKERS", value)
        assert default_workers() == cores


@pytest.mark.parametrize("value", ["0", "-2", "two", "1.5", "2x"])
def test_a_bad_value_is_a_config_error(monkeypatch, value):
    monkeypatch.setenv("PAYCHAOS_WORKERS", value)
    with pytest.raises(ConfigError, match="PAYCHAOS_WORKERS"):
        default_workers()


@pytest.mark.parametrize(
    "command", [["run", "redis-down-during-webhook"], ["explore", "--budget", "1"]]
)
def test_a_bad_value_exits_2_with_a_message(tmp_path, monkeypatch, capsys, command):
    monkeypatch.chdir(tmp_path)
    monkeypatch.setenv("PAYCHAOS_WORKERS", "lots")
    assert main(command) == 2
    err = " ".join(capsys.readouterr().err.split())
    assert "PAYCHAOS_WORKERS='lots' is not a number of workers" in err
    assert "Traceback" not in err
