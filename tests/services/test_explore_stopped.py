"""An ``explore`` stopped by SIGTERM (a CI cancel) still writes the ``--json`` it was asked
for (the counts so far, marked partial, with the signal and its exit code), and leaves no
folder behind, even when the signal lands while the app server is still starting."""

from __future__ import annotations

import json
import signal
import subprocess
import sys
import time
from pathlib import Path

from .helpers import child_env, registry_files

_POLLS = 3000  # at 0.05 s apiece: a count bound, not a timing assertion


def test_explore_stopped_by_sigterm_writes_a_partial_json(state_dir: Path, tmp_path: Path):
    temp = tmp_path / "tmp"
    temp.mkdir()
    out = tmp_path / "explore.json"
    runner = subprocess.Popen(
        [sys.executable, "-m", "paychaos", "explore", "--variant", "correct",
         "--budget", "100000", "--seed", "5", "--workers", "1",
         "--out", str(tmp_path / "results"), "--json", str(out)],
        stdout=subprocess.DEVNULL, stderr=subprocess.PIPE, text=True,
        env=child_env(state_dir, TMPDIR=str(temp)),
    )  # fmt: skip
    try:
        # Exploring: the app server is up (its folder is in the registry).
        for _ in range(_POLLS):
            names = set()
            for entry in registry_files(state_dir):
                try:
                    names.add(json.loads(entry.read_text())["name"])
                except (OSError, ValueError):
                    continue
            if "app" in names or runner.poll() is not None:
                break
            time.sleep(0.05)
        assert runner.poll() is None, runner.stderr.read() if runner.stderr else ""
        time.sleep(2)  # some schedules in; what counts is that the file is written at all
        runner.send_signal(signal.SIGTERM)
        code = runner.wait(timeout=120)
    finally:
        if runner.poll() is None:
            runner.kill()
            runner.wait()
    stderr = runner.stderr.read() if runner.stderr else ""
    assert code == 128 + signal.SIGTERM, stderr
    assert "Traceback" not in stderr, stderr
    written = json.loads(out.read_text())
    assert written["partial"] is True and written["stopped_by"] == "SIGTERM"
    assert written["exit_code"] == 128 + signal.SIGTERM
    assert written["variant"] == "correct" and written["seed"] == 5
    assert isinstance(written["schedules"], int) and written["finding"] is None
    left = [json.loads(f.read_text()) for f in registry_files(state_dir)]
    assert left == [], (left, [Path(e["folder"]).exists() for e in left], list(temp.iterdir()))
