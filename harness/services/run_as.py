"""Running the embedded servers when the harness is root (as CI is).

Postgres refuses to run as root, and a Redis running as root could write root-owned
files anywhere; so under root the harness runs ``initdb``, ``postgres`` and
``redis-server`` as an unprivileged account: ``PAYCHAOS_PG_USER`` if set, else
``nobody``, else a ``paychaos`` account it creates with ``useradd``.
"""

from __future__ import annotations

import os
import pwd
import stat
import subprocess
from pathlib import Path

from paychaos.errors import ConfigError, ServiceError


def server_run_as() -> str | None:
    """The account the embedded servers run as, or None to run as the current user (not root)."""
    if os.geteuid() != 0:
        return None
    configured = os.environ.get("PAYCHAOS_PG_USER")
    if configured:
        if _exists(configured) is None:
            raise ConfigError(
                f"PAYCHAOS_PG_USER={configured} is not an account on this machine",
                hint="create it (useradd) or unset PAYCHAOS_PG_USER",
            )
        return configured
    for name in ("nobody", "paychaos"):
        entry = _exists(name)
        if entry is not None and entry.pw_uid != 0:
            return name
    try:
        subprocess.run(
            ["useradd", "--system", "--no-create-home", "paychaos"],
            check=True,
            capture_output=True,
            text=True,
        )
    except (OSError, subprocess.CalledProcessError) as exc:
        raise ServiceError(
            "the embedded Postgres and Redis cannot run as root and no unprivileged account exists",
            hint="create one (useradd postgres) and set PAYCHAOS_PG_USER to it",
        ) from exc
    return "paychaos"


def _exists(name: str) -> pwd.struct_passwd | None:
    try:
        return pwd.getpwnam(name)
    except KeyError:
        return None


def chown_tree(root: Path, user: str) -> None:
    """Give ``root`` and everything under it to ``user``."""
    entry = pwd.getpwnam(user)
    for folder, dirs, files in os.walk(root):
        os.chown(folder, entry.pw_uid, entry.pw_gid)
        for name in dirs + files:
            os.lchown(os.path.join(folder, name), entry.pw_uid, entry.pw_gid)


def make_traversable(path: Path) -> None:
    """Let any account reach ``path``: add search (o+x) permission to every folder above it.

    Needed when root's files (a venv under /root, a private temp folder) hold
    what the unprivileged Postgres must read. Only the search bit is added, so
    nobody can list those folders.
    """
    for folder in [path, *path.parents]:
        mode = folder.stat().st_mode
        if not mode & stat.S_IXOTH:
            os.chmod(folder, stat.S_IMODE(mode) | stat.S_IXOTH)
