"""A fresh Postgres data folder per run, copied from a cached ``initdb`` template.

``initdb`` costs about a second on a busy machine; copying its result costs a
tenth of that. The first run of a given Postgres version and account builds a
template in the cache folder (``PAYCHAOS_CACHE_DIR``, else
``$XDG_CACHE_HOME/paychaos``, else ``~/.cache/paychaos``); later runs copy it.
Set ``PAYCHAOS_PG_TEMPLATE_CACHE=0`` to run ``initdb`` every time.

A template is built in a staging folder of its own (carrying the owner marker, recorded in
the registry, so a run killed mid-build leaves nothing the next start does not remove), gets
a completion stamp naming its file count, and is renamed into place only then. A cached
template is used only when its stamp is there and its files are all there; one that is not
(a half-written or damaged cache) is rebuilt, never copied.

The template has a superuser ``paychaos``, a login role ``paychaos_app`` that is
nothing but the owner of the database ``paychaos`` (no superuser, no CREATEROLE, no
CREATEDB, no connection to the other databases), UTF-8 with the C locale and 1 MB WAL
segments (a smaller folder to copy). Every TCP login needs a SCRAM password; each data
folder gets fresh random passwords (``set_passwords``) before its server first starts,
so a template copied from the cache holds no password anyone knows.
"""

from __future__ import annotations

import base64
import hashlib
import hmac
import os
import shutil
import subprocess
import tempfile
from pathlib import Path

from paychaos.errors import ServiceError
from paychaos.services.binaries import PostgresBinaries
from paychaos.services.run_as import chown_tree

SUPERUSER = "paychaos"
APP_ROLE = "paychaos_app"
DBNAME = "paychaos"
TEMPLATE_REVISION = 2  # bump when the initdb options or the template's contents change
_COMPLETE = ".paychaos-template-complete"

INITDB_OPTIONS = (
    f"--username={SUPERUSER}",
    # No login is possible until set_passwords() and the pg_hba.conf below: TCP asks for
    # SCRAM, and the server opens no Unix socket.
    "--auth=trust",
    "--encoding=UTF8",
    "--locale=C",
    "--no-sync",
    "--no-instructions",
    "--wal-segsize=1",
)
# Password logins only, over loopback TCP only (listen_addresses is 127.0.0.1).
PG_HBA = """\
# written by paychaos: every login needs its SCRAM password
host all all 127.0.0.1/32 scram-sha-256
host all all ::1/128 scram-sha-256
"""
# What the template's single-user session runs: the app's role owns its database, and only
# the superuser may connect to the others.
_TEMPLATE_SQL = (
    f"CREATE ROLE {APP_ROLE} LOGIN NOSUPERUSER NOCREATEDB NOCREATEROLE NOREPLICATION",
    f"CREATE DATABASE {DBNAME} OWNER {APP_ROLE}",
    "REVOKE CONNECT, TEMPORARY ON DATABASE postgres FROM PUBLIC",
    "REVOKE CONNECT, TEMPORARY ON DATABASE template1 FROM PUBLIC",
)
# Fixed locale and zone: no scan of the system's zone files, same result everywhere.
_TOOL_ENV = {"LC_ALL": "C", "TZ": "UTC", "PATH": os.defpath}


def cache_root() -> Path | None:
    """Where templates are cached, or None when caching is off."""
    if os.environ.get("PAYCHAOS_PG_TEMPLATE_CACHE", "1") == "0":
        return None
    configured = os.environ.get("PAYCHAOS_CACHE_DIR")
    if configured:
        return Path(configured).expanduser()
    xdg = os.environ.get("XDG_CACHE_HOME")
    base = Path(xdg) if xdg else Path.home() / ".cache"
    return base / "paychaos"


def template_key(binaries: PostgresBinaries, run_as: str | None) -> str:
    """Cache key: Postgres version, which installation, the account owning the files, revision."""
    where = hashlib.sha1(str(binaries.bin_dir).encode()).hexdigest()[:8]
    owner = run_as or str(os.geteuid())
    return f"pg-{binaries.version}-{where}-{owner}-r{TEMPLATE_REVISION}"


def prepare_data_dir(
    binaries: PostgresBinaries, data_dir: Path, run_as: str | None, log_path: Path
) -> bool:
    """Create ``data_dir`` ready for ``postgres -D``; True if it came from the cached template.

    Its roles have no password yet: call :func:`set_passwords` before starting the server.
    """
    root = cache_root()
    template = root / template_key(binaries, run_as) if root else None
    if template is not None and template_is_complete(template):
        try:
            _copy_tree(template, data_dir)
        except (OSError, shutil.Error):
            shutil.rmtree(data_dir, ignore_errors=True)  # replaced meanwhile: build afresh
        else:
            (data_dir / _COMPLETE).unlink(missing_ok=True)
            return True
    init_data_dir(binaries, data_dir, run_as, log_path)
    if template is not None:
        _store_template(data_dir, template)
    return False


def set_passwords(
    binaries: PostgresBinaries,
    data_dir: Path,
    run_as: str | None,
    log_path: Path,
    passwords: dict[str, str],
) -> None:
    """Give each role its password (as a SCRAM verifier: the log never holds the password)."""
    statements = "".join(
        f"ALTER ROLE {role} PASSWORD '{scram_verifier(password)}'\n"
        for role, password in passwords.items()
    )
    _single_user(binaries, data_dir, run_as, log_path, "set the role passwords", statements)


def scram_verifier(password: str, iterations: int = 4096) -> str:
    """The ``SCRAM-SHA-256$...`` form Postgres stores for ``password`` (RFC 5802/7677)."""
    salt = os.urandom(16)
    salted = hashlib.pbkdf2_hmac("sha256", password.encode(), salt, iterations)
    client_key = hmac.digest(salted, b"Client Key", "sha256")
    server_key = hmac.digest(salted, b"Server Key", "sha256")

    def b64(data: bytes) -> str:
        return base64.b64encode(data).decode()

    stored_key = hashlib.sha256(client_key).digest()
    return f"SCRAM-SHA-256${iterations}:{b64(salt)}${b64(stored_key)}:{b64(server_key)}"


def init_data_dir(
    binaries: PostgresBinaries, data_dir: Path, run_as: str | None, log_path: Path
) -> None:
    """``initdb`` into ``data_dir`` as ``run_as``; create the app's role and database."""
    data_dir.mkdir(mode=0o700)
    if run_as:
        chown_tree(data_dir, run_as)
    _run_tool(
        [str(binaries.initdb), "-D", str(data_dir), *INITDB_OPTIONS], run_as, log_path, "initdb"
    )
    (data_dir / "pg_hba.conf").write_text(PG_HBA)  # the owner keeps it: written as run_as below
    if run_as:
        chown_tree(data_dir, run_as)
    _single_user(
        binaries,
        data_dir,
        run_as,
        log_path,
        "create the paychaos role and database",
        "".join(f"{sql}\n" for sql in _TEMPLATE_SQL),
    )


def _single_user(
    binaries: PostgresBinaries,
    data_dir: Path,
    run_as: str | None,
    log_path: Path,
    what: str,
    statements: str,
) -> None:
    # Single-user mode runs SQL without opening any port (one statement per line).
    _run_tool(
        [str(binaries.postgres), "--single", "-D", str(data_dir), "-c", "fsync=off", "postgres"],
        run_as,
        log_path,
        what,
        stdin=statements,
    )


def _run_tool(
    argv: list[str], run_as: str | None, log_path: Path, what: str, stdin: str | None = None
) -> None:
    user: str | None = None
    group: int | None = None
    if run_as:
        import pwd

        user, group = run_as, pwd.getpwnam(run_as).pw_gid
    try:
        out = subprocess.run(
            argv,
            input=stdin,
            capture_output=True,
            text=True,
            env=_TOOL_ENV,
            timeout=120,
            check=False,
            user=user,
            group=group,
            extra_groups=[] if run_as else None,
        )
    except (OSError, subprocess.SubprocessError) as exc:
        raise ServiceError(f"Postgres could not {what}: {exc}", hint=f"see {log_path}") from exc
    with open(log_path, "a") as log:
        log.write(out.stdout + out.stderr)
    failed = out.returncode != 0 or "ERROR:" in out.stdout + out.stderr
    if failed:
        tail = (out.stdout + out.stderr).strip()[-1200:]
        raise ServiceError(f"Postgres could not {what} (exit {out.returncode})", hint=tail)


def _copy_tree(src: Path, dst: Path) -> None:
    # cp -a keeps owners and modes (Postgres insists on 0700 and on owning every file).
    if shutil.which("cp"):
        done = subprocess.run(["cp", "-a", str(src), str(dst)], capture_output=True, check=False)
        if done.returncode == 0:
            return
        shutil.rmtree(dst, ignore_errors=True)
    shutil.copytree(src, dst, symlinks=True)
    st = src.stat()
    if os.geteuid() == 0:
        for folder, dirs, files in os.walk(dst):
            os.chown(folder, st.st_uid, st.st_gid)
            for name in dirs + files:
                os.lchown(os.path.join(folder, name), st.st_uid, st.st_gid)


def template_is_complete(template: Path) -> bool:
    """True when ``template`` has its completion stamp and as many files as the stamp names."""
    try:
        stamp = (template / _COMPLETE).read_text().split()
        expected = int(stamp[0]) if stamp else None
    except (OSError, ValueError):
        return False  # no stamp (a build cut short), or a stamp from no known build
    if not (template / "global" / "pg_control").is_file():
        return False
    # An empty stamp is an earlier release's, also written only once the copy was whole.
    return expected is None or _count_files(template) == expected


def _count_files(folder: Path) -> int:
    """Files under ``folder``, the completion stamp excluded."""
    count = sum(len(files) for _, _, files in os.walk(folder))
    return count - int((folder / _COMPLETE).exists())


def _store_template(data_dir: Path, template: Path) -> None:
    """Copy a fresh data folder into the cache, atomically: built in an owned staging folder,
    stamped, renamed into place. An incomplete template found there is replaced; a
    concurrent run storing the same key is fine (the first rename wins)."""
    from paychaos.services.registry import ProcessRegistry

    staging_root: Path | None = None
    entry: Path | None = None
    registry = ProcessRegistry.default()
    try:
        template.parent.mkdir(parents=True, exist_ok=True, mode=0o700)
        _remove_stale_staging(template)
        staging_root = Path(
            tempfile.mkdtemp(prefix=f".{template.name}.build-", dir=template.parent)
        )
        entry = registry.add_folder("postgres-template", staging_root)
        staging = staging_root / "template"
        _copy_tree(data_dir, staging)
        (staging / _COMPLETE).write_text(f"{_count_files(staging)}\n")
        if template.exists() and not template_is_complete(template):
            os.rename(template, staging_root / "incomplete")  # out of the way, removed below
        os.rename(staging, template)  # atomic; fails if another run got there first
    except OSError:
        pass  # the cache is an optimisation: a read-only home must not stop the run
    finally:
        if staging_root is not None:
            shutil.rmtree(staging_root, ignore_errors=True)
        registry.remove(entry)


def _remove_stale_staging(template: Path) -> None:
    """Staging folders named ``KEY.tmp-PID`` (earlier releases) whose run is gone."""
    for stale in template.parent.glob(f"{template.name}.tmp-*"):
        pid = stale.name.rpartition("-")[2]
        if not pid.isdigit() or not _pid_alive(int(pid)):
            shutil.rmtree(stale, ignore_errors=True)


def _pid_alive(pid: int) -> bool:
    try:
        os.kill(pid, 0)
    except ProcessLookupError:
        return False
    except PermissionError:
        return True
    return True
