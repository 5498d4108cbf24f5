"""The pytest plugin under pytest-xdist: ``pytest -n 2`` gives each worker its own environment
(its own ports, folders and processes), and nothing of either is left when the run ends."""

from __future__ import annotations

import json
import os
import subprocess
import sys
import textwrap
from pathlib import Path

import psutil
import pytest

PROBE = """
import json, os
from pathlib import Path
from urllib.parse import urlsplit

import psutil
import pytest

OUT = Path(os.environ["PAYCHAOS_XDIST_PROBE"])


@pytest.mark.parametrize("n", range(4))
def test_probe(paychaos_env, paychaos_run, n):
    result = paychaos_run("redis-down-during-webhook")
    assert result.kept, result.violations
    env = paychaos_env
    ports = {env.services.postgres.port, env.services.redis.port}
    ports |= {urlsplit(url).port for url in (env.emulator.url, env.app.base_url)}
    ports |= {p.listen_port for p in env.proxies.values()}
    record = {
        "worker": os.environ.get("PYTEST_XDIST_WORKER"),
        "pid": os.getpid(),
        "ports": sorted(ports),
        "folders": [str(env.services.workdir)],
        "pids": sorted(p.pid for p in psutil.Process().children(recursive=True)),
    }
    (OUT / f"{n}.json").write_text(json.dumps(record))
"""


@pytest.mark.timeout(900)  # a safety net on a loaded machine; the test counts runs
def test_each_xdist_worker_gets_an_environment_of_its_own(tmp_path: Path):
    probe = tmp_path / "probe"
    probe.mkdir()
    (tmp_path / "test_probe.py").write_text(textwrap.dedent(PROBE))
    (tmp_path / "pytest.ini").write_text(
        "[pytest]\npaychaos_app = paychaos.reference_app.adapter:ReferenceAppAdapter\n"
    )
    done = subprocess.run(
        [
            sys.executable,
            "-m",
            "pytest",
            "-n",
            "2",
            "-q",
            "-p",
            "no:cacheprovider",
            "test_probe.py",
        ],
        cwd=tmp_path,
        env={**os.environ, "PAYCHAOS_XDIST_PROBE": str(probe)},
        capture_output=True,
        text=True,
        timeout=900,
    )
    assert done.returncode == 0, done.stdout + done.stderr
    records = [json.loads(p.read_text()) for p in sorted(probe.glob("*.json"))]
    assert len(records) == 4
    by_worker: dict[str, list[dict]] = {}
    for record in records:
        by_worker.setdefault(record["worker"], []).append(record)
    assert len(by_worker) == 2, sorted(by_worker)  # both workers ran tests
    envs = []
    for worker_records in by_worker.values():
        # One environment per worker: every test of a worker saw the same one.
        assert len({tuple(r["ports"]) for r in worker_records}) == 1
        envs.append(worker_records[0])
    a, b = envs
    assert a["pid"] != b["pid"]
    assert not set(a["ports"]) & set(b["ports"])
    assert not set(a["folders"]) & set(b["folders"])
    assert not set(a["pids"]) & set(b["pids"])
    # Nothing outlives the run: processes and folders of both environments are gone.
    left = [pid for r in envs for pid in [r["pid"], *r["pids"]] if psutil.pid_exists(pid)]
    assert not left, left
    assert not [f for r in envs for f in r["folders"] if Path(f).exists()]
