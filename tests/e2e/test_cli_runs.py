"""The commands people run, as subprocesses: exit codes, the replay line, clear errors."""

from __future__ import annotations

from tests.paychaos_cli import paychaos


def test_demo_tells_one_real_purchase_and_exits_zero(tmp_path):
    out = paychaos("demo", cwd=tmp_path)
    assert out.returncode == 0, out.stderr
    assert "checkout.session.completed" in out.stdout
    assert '"Payment successful"' in out.stdout
    assert "Every promise this purchase put to the test was kept." in out.stdout


def test_run_exits_1_on_the_incident_and_prints_the_replay_command(tmp_path):
    out = paychaos(
        "run",
        "redis-down-during-webhook",
        "--variant",
        "seed_original",
        "--seed",
        "3",
        cwd=tmp_path,
    )
    assert out.returncode == 1, out.stderr
    assert "I1" in out.stdout and "I4" in out.stdout
    assert "paychaos run redis-down-during-webhook --variant seed_original --seed 3" in out.stdout


def test_run_exits_0_when_every_promise_is_kept(tmp_path):
    out = paychaos(
        "run", "webhook-delivered-three-times", "--json", str(tmp_path / "r.json"), cwd=tmp_path
    )
    assert out.returncode == 0, out.stdout + out.stderr
    assert (tmp_path / "r.json").read_text().count('"kept": true') >= 1


def test_bad_input_is_a_clear_error_with_exit_2(tmp_path):
    for args, message in [
        (("run", "no-such-scenario"), "unknown scenario"),
        (("run", "--variant", "nope"), "unknown variant"),
        (("explore", "--budget", "soon"), "--budget"),
        (("explore", "--invariants", "I99"), "unknown invariant"),
        (("replay", str(tmp_path / "missing.json")), "cannot read replay file"),
    ]:
        out = paychaos(*args, cwd=tmp_path)
        assert out.returncode == 2, (args, out.stdout, out.stderr)
        assert message in out.stderr, (args, out.stderr)
        assert "Traceback" not in out.stderr
