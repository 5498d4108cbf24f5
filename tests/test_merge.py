"""``paychaos merge``: shards joined into one verdict; anything that is not one run's complete set
of shards is bad input (exit 2, a message, no traceback), never a partial "kept"."""

from __future__ import annotations

import json
from pathlib import Path

import pytest

from paychaos.cli import main


def _shard(path: Path, k: int, n: int, cells: list[int], *, seed: int = 0, broken: bool = False,
           version: str | None = None) -> Path:  # fmt: skip
    from paychaos import __version__

    def run(i: int) -> dict:
        bad = broken and i == cells[0]
        return {
            "scenario": "redis-down-during-webhook",
            "variant": "seed_original" if bad else "correct",
            "seed": seed,
            "kept": not bad,
            "broken": ["I1"] if bad else [],
            "outcome": "broken" if bad else "kept",
            "unexercised": None,
            "verdicts": [{"invariant": "I1", "verdict": "broken" if bad else "kept", "reason": ""}],
            "violations": [{"invariant": "I1", "message": "no subscription", "evidence": []}]
            if bad
            else [],
            "flaky_violations": [],
            "timings": {},
            "history": None,
        }

    payload = {
        "paychaos": {
            "version": version or __version__,
            "command": "run",
            "seed": seed,
            "shard": f"{k}/{n}",
            "catalog": False,
            "cells": cells,
            "of": 4,
        },
        "runs": [run(i) for i in cells],
    }
    path.write_text(json.dumps(payload))
    return path


def test_merge_joins_the_shards_into_one_verdict(tmp_path, monkeypatch):
    monkeypatch.chdir(tmp_path)
    a = _shard(tmp_path / "a.json", 1, 2, [0, 2])
    b = _shard(tmp_path / "b.json", 2, 2, [1, 3], broken=True)
    assert main(["merge", str(a), str(b), "--json", "m.json"]) == 1
    merged = json.loads((tmp_path / "m.json").read_text())
    assert [r["variant"] for r in merged["runs"]] == [
        "correct",
        "seed_original",
        "correct",
        "correct",
    ]
    assert merged["exit_code"] == 1
    assert main(["merge", str(b.with_name("a.json"))]) == 2  # one shard of two: missing
    kept = _shard(tmp_path / "c.json", 2, 2, [1, 3])
    assert main(["merge", str(a), str(kept)]) == 0


@pytest.mark.parametrize(
    ("make", "said"),
    [
        (lambda d: [d / "nowhere.json"], "no such file"),
        (lambda d: [_text(d / "x.json", "not json")], "is not JSON"),
        (lambda d: [_text(d / "x.json", '{"runs": []}')], "is not a paychaos run result"),
        (
            lambda d: [
                _shard(d / "a.json", 1, 2, [0, 2]),
                _shard(d / "b.json", 2, 2, [1, 3], seed=1),
            ],
            "seed 0 != 1",
        ),
        (
            lambda d: [
                _shard(d / "a.json", 1, 2, [0, 2]),
                _shard(d / "b.json", 2, 2, [1, 3], version="0.0.1"),
            ],
            "paychaos version",
        ),
        (
            lambda d: [_shard(d / "a.json", 1, 2, [0, 2]), _shard(d / "b.json", 1, 2, [0, 2])],
            "shard 1/2 given twice",
        ),
        (
            lambda d: [_shard(d / "a.json", 1, 2, [0, 2]), _shard(d / "b.json", 2, 3, [1])],
            "different splits",
        ),
        (lambda d: [_shard(d / "a.json", 1, 3, [0, 3])], "shard 2/3, 3/3 missing"),
    ],
)
def test_bad_input_exits_2_and_says_what_was_wrong(tmp_path, monkeypatch, capsys, make, said):
    monkeypatch.chdir(tmp_path)
    files = make(tmp_path)
    assert main(["merge", *map(str, files)]) == 2
    err = capsys.readouterr().err
    assert said in " ".join(err.split()) and "Traceback" not in err


def _edited(path: Path, *, meta: dict | None = None, **top) -> Path:
    """A shard file with some of its fields changed by hand."""
    payload = json.loads(path.read_text())
    payload["paychaos"].update(meta or {})
    payload.update(top)
    path.write_text(json.dumps(payload))
    return path


@pytest.mark.parametrize(
    ("make", "said"),
    [
        (
            lambda d: [_edited(_shard(d / "a.json", 1, 2, [0, 2]), meta={"shard": "a/b"})],
            "its shard 'a/b' is not K/N",
        ),
        (
            lambda d: [
                _shard(d / "a.json", 1, 2, [0, 2]),
                _edited(_shard(d / "b.json", 2, 2, [1, 3]), meta={"shard": "2/x"}),
            ],
            "its shard '2/x' is not K/N",
        ),
        (
            # What `paychaos run --shard 2/2 --json` writes on exit 3: its whole share of
            # cells, the runs done before the environment failed.
            lambda d: [
                _shard(d / "a.json", 1, 2, [0, 2]),
                _edited(
                    _shard(d / "b.json", 2, 2, [1]),
                    meta={"cells": [1, 3]},
                    partial=True,
                    exit_code=3,
                    environment_failure={
                        "service": "Redis",
                        "message": "the harness's own Redis failed: killed by SIGKILL",
                        "log_tail": "",
                    },
                ),
            ],
            "b.json is a partial shard: its run stopped with exit 3 (the harness's own "
            "Redis failed: killed by SIGKILL) before its share was done",
        ),
    ],
)
def test_a_hand_edited_or_partial_shard_exits_2_and_says_which(
    tmp_path, monkeypatch, capsys, make, said
):
    monkeypatch.chdir(tmp_path)
    files = make(tmp_path)
    assert main(["merge", *map(str, files)]) == 2
    err = capsys.readouterr().err
    assert said in " ".join(err.split()) and "Traceback" not in err


def _text(path: Path, text: str) -> Path:
    path.write_text(text)
    return path
