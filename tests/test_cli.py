"""The paychaos command itself."""

import subprocess
import sys


def test_help_lists_the_command_and_exits_zero():
    out = subprocess.run(
        [sys.executable, "-m", "paychaos", "--help"], capture_output=True, text=True, check=False
    )
    assert out.returncode == 0
    assert "paychaos" in out.stdout


def test_unknown_command_is_a_usage_error_with_exit_2():
    out = subprocess.run(
        [sys.executable, "-m", "paychaos", "no-such-command"],
        capture_output=True,
        text=True,
        check=False,
    )
    assert out.returncode == 2
    assert "No such command" in out.stderr + out.stdout


def test_a_budget_that_runs_nothing_is_refused_before_anything_starts():
    for budget in ("-5s", "0", "0m", "-3"):
        out = subprocess.run(
            [sys.executable, "-m", "paychaos", "explore", "--budget", budget],
            capture_output=True, text=True, check=False, timeout=60,
        )  # fmt: skip
        assert out.returncode == 2, (budget, out.stdout, out.stderr)
        assert "would run nothing" in out.stderr and "Traceback" not in out.stderr


def test_an_empty_variant_is_refused_with_the_names():
    out = subprocess.run(
        [sys.executable, "-m", "paychaos", "run", "--variant", ""],
        capture_output=True, text=True, check=False, timeout=60,
    )  # fmt: skip
    assert out.returncode == 2 and "names no variant" in out.stderr, out.stderr
    assert "seed_original" in out.stderr


def test_an_unwritable_output_path_is_refused_before_anything_starts(tmp_path):
    a_file = tmp_path / "a-file"
    a_file.write_text("kept\n")
    for command, option, path in [
        ("run", "--json", a_file / "out.json"),  # under a file: no folder can be made there
        ("run", "--json", tmp_path),  # a folder, not a file
        ("run", "--html", a_file / "r.html"),
        ("run", "--junit", a_file / "j.xml"),
        ("run", "--out", a_file / "histories"),
        ("explore", "--html", a_file / "r.html"),
        ("explore", "--json", a_file / "e.json"),
        ("explore", "--out", a_file / "replays"),
        ("mutants", "--json", a_file / "m.json"),
    ]:
        out = subprocess.run(
            [sys.executable, "-m", "paychaos", command, option, str(path)],
            capture_output=True, text=True, check=False, timeout=60,
        )  # fmt: skip
        assert out.returncode == 2, (command, option, out.stdout, out.stderr)
        said = "".join(out.stderr.split())  # the terminal may wrap a long path anywhere
        assert f"{option}{path}" in said and "Traceback" not in said, out.stderr
        # Refused up front: no service was started (that line comes first when one is).
        assert "no app configured" not in out.stderr, out.stderr
    assert a_file.read_text() == "kept\n"


def test_a_seed_that_is_no_seed_is_refused():
    out = subprocess.run(
        [sys.executable, "-m", "paychaos", "run", "--seed", "-1"],
        capture_output=True, text=True, check=False, timeout=60,
    )  # fmt: skip
    assert out.returncode == 2 and "--seed -1" in out.stderr and "Traceback" not in out.stderr


def test_a_bug_in_paychaos_exits_3_with_its_traceback_never_1(monkeypatch, capsys):
    """Exit 1 means "a promise broke": a crash of paychaos itself must not read as one."""
    import typer

    from paychaos.cli import main

    def crash(*args, **kwargs):
        raise RuntimeError("a bug")

    monkeypatch.setattr(typer, "echo", crash)
    assert main(["version"]) == 3
    err = capsys.readouterr().err
    assert "RuntimeError: a bug" in err and "paychaos itself failed" in err


def test_an_example_db_url_that_is_wrong_is_refused_before_anything_starts():
    import socket

    with socket.socket() as sock:  # a port nothing listens on once it is closed
        sock.bind(("127.0.0.1", 0))
        port = sock.getsockname()[1]
    for url, said in [
        ("redis://localhost:notaport/0", "is not a Redis URL"),
        (f"redis://:sekrit@127.0.0.1:{port}/0", f"redis://127.0.0.1:{port}/0: its Redis does not"),
    ]:
        out = subprocess.run(
            [sys.executable, "-m", "paychaos", "explore", "--workers", "1", "--budget", "1",
             "--example-db", url],
            capture_output=True, text=True, check=False, timeout=60,
        )  # fmt: skip
        err = " ".join(out.stderr.split())
        assert out.returncode == 2 and said in err and "Traceback" not in err, out.stderr
        assert "sekrit" not in err  # the password is not shown
        assert "no app configured" not in err, out.stderr  # refused before any service started
