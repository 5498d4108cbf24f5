"""The cached Postgres template is all or nothing: a build cut short (the runner killed while
copying it into the cache) or a damaged cache is rebuilt at the next start, never copied,
and the killed build's staging folder is removed by that start."""

from __future__ import annotations

import os
import shutil
import subprocess
import sys
from pathlib import Path

import psycopg
import pytest

from paychaos.services import start_services
from paychaos.services.binaries import find_postgres
from paychaos.services.pg_datadir import prepare_data_dir, template_is_complete, template_key
from paychaos.services.registry import OWNED_MARKER
from paychaos.services.run_as import server_run_as

from .helpers import child_env, registry_files

# A runner killed while it copies the fresh data folder into the cache: half the files are
# there (``base`` is missing) when SIGKILL lands, before any stamp or rename.
_KILLED_MID_BUILD = """
import os, shutil, signal
from paychaos.services import pg_datadir, start_services
copy = pg_datadir._copy_tree
def copy_then_die(src, dst):
    copy(src, dst)
    if dst.name == "template":
        shutil.rmtree(dst / "base")
        os.kill(os.getpid(), signal.SIGKILL)
pg_datadir._copy_tree = copy_then_die
with start_services(redis=False):
    pass
"""


@pytest.fixture
def cache(tmp_path: Path, state_dir: Path, monkeypatch: pytest.MonkeyPatch) -> Path:
    folder = tmp_path / "cache"
    monkeypatch.setenv("PAYCHAOS_CACHE_DIR", str(folder))
    monkeypatch.delenv("PAYCHAOS_PG_TEMPLATE_CACHE", raising=False)
    return folder


def _template(cache: Path) -> Path:
    return cache / template_key(find_postgres(), server_run_as())


def _start_and_query() -> None:
    """A start that works: the app's role logs in and its database answers."""
    with start_services(redis=False) as svc, psycopg.connect(svc.postgres.url) as conn:
        assert conn.execute("SELECT current_database(), 1").fetchone() == ("paychaos", 1)


def _came_from_cache(tmp_path: Path) -> bool:
    log = tmp_path / "prepare.log"
    log.touch()
    return prepare_data_dir(find_postgres(), tmp_path / "probe", server_run_as(), log)


def test_a_cache_folder_without_its_stamp_is_rebuilt_not_used(cache: Path, tmp_path: Path):
    template = _template(cache)
    (template / "base").mkdir(parents=True)  # what a build cut short could leave
    (template / "PG_VERSION").write_text("16\n")
    assert not template_is_complete(template)

    _start_and_query()
    assert template_is_complete(template)  # rebuilt in place
    assert _came_from_cache(tmp_path)  # and the next start uses it
    assert sorted(p.name for p in cache.iterdir()) == [template.name]


def test_a_stamped_template_missing_files_is_rebuilt(cache: Path, tmp_path: Path):
    _start_and_query()
    template = _template(cache)
    assert template_is_complete(template)
    victim = next(p for p in (template / "base").rglob("*") if p.is_file())
    victim.unlink()  # damaged after the build (a cleaner, a full disk)
    assert not template_is_complete(template)

    _start_and_query()
    assert template_is_complete(template)
    assert victim.exists()


def test_a_runner_killed_mid_build_leaves_only_what_the_next_start_removes(
    cache: Path, state_dir: Path, tmp_path: Path
):
    temp = tmp_path / "tmp"
    temp.mkdir()
    killed = subprocess.run(
        [sys.executable, "-c", _KILLED_MID_BUILD],
        env=child_env(state_dir, PAYCHAOS_CACHE_DIR=str(cache), TMPDIR=str(temp)),
        capture_output=True,
        text=True,
        timeout=300,
    )
    assert killed.returncode == -9, killed.stderr
    template = _template(cache)
    assert not template.exists()  # nothing half-written under the key
    (staging,) = [p for p in cache.iterdir() if p.name.startswith(f".{template.name}.build-")]
    assert (staging / OWNED_MARKER).exists()
    assert not (staging / "template" / "base").exists()

    _start_and_query()  # reaps the staging folder, then builds and stores the template
    assert not staging.exists()
    assert template_is_complete(template)
    assert sorted(p.name for p in cache.iterdir()) == [template.name]
    assert registry_files(state_dir) == []
    assert _came_from_cache(tmp_path)


def test_an_earlier_release_staging_folder_of_a_gone_run_is_removed(cache: Path):
    template = _template(cache)
    cache.mkdir()
    dead = subprocess.Popen([sys.executable, "-c", "pass"])
    dead.wait()
    stale = cache / f"{template.name}.tmp-{dead.pid}"
    (stale / "base").mkdir(parents=True)
    live = cache / f"{template.name}.tmp-{os.getpid()}"
    live.mkdir()
    try:
        _start_and_query()
        assert not stale.exists() and live.exists()  # a live run's staging is left alone
    finally:
        shutil.rmtree(live, ignore_errors=True)
