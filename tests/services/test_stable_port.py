"""Servers that stop and start again get their port from below the kernel's ephemeral range,
where no outgoing connection and no bind on port 0 (ours or another program's) can take it
while they are down; and no other draw, in this run or another, hands it out again."""

from __future__ import annotations

import os
import socket
import subprocess
import sys

from paychaos import net
from paychaos.net import LOOPBACK, _ephemeral_low, free_port, release_port, stable_port
from paychaos.services.registry import ProcessRegistry


def test_a_stable_port_is_free_and_below_the_ephemeral_range():
    low = _ephemeral_low()
    ports = {stable_port() for _ in range(50)}
    assert all(10000 <= p < low for p in ports)
    assert len(ports) > 1  # drawn, not one fixed port every environment would share
    for port in ports:
        with socket.socket() as sock:
            sock.bind((LOOPBACK, port))  # nothing holds it


def test_binds_on_port_zero_never_land_on_a_stable_port():
    low = _ephemeral_low()
    assert all(free_port() >= low for _ in range(200))


def test_a_taken_port_is_not_handed_out(monkeypatch):
    with socket.socket() as held:
        held.bind((LOOPBACK, 0))
        taken = held.getsockname()[1]
        draws = iter([taken, taken, *range(20000, 20200)])

        class Draw:
            def randrange(self, low: int, high: int) -> int:
                return next(draws)

        monkeypatch.setattr("paychaos.net.random.SystemRandom", Draw)
        monkeypatch.setattr("paychaos.net._ephemeral_low", lambda: 65535)
        assert stable_port() != taken


def _draws(monkeypatch, *ports: int) -> None:
    draws = iter([*ports, *range(21000, 21200)])

    class Draw:
        def randrange(self, low: int, high: int) -> int:
            return next(draws)

    monkeypatch.setattr("paychaos.net.random.SystemRandom", Draw)
    monkeypatch.setattr("paychaos.net._ephemeral_low", lambda: 65535)


def test_a_drawn_port_is_not_drawn_again_while_its_server_is_still_to_start(monkeypatch, tmp_path):
    # The app's port is drawn when its adapter is made and bound only after its migrations: a
    # fault proxy's draw in between must not get it, though nothing listens there yet.
    monkeypatch.setenv("PAYCHAOS_STATE_DIR", str(tmp_path))
    first = free_port()  # a port that is free now, as the first draw's
    _draws(monkeypatch, first, first)
    assert stable_port() == first
    second = stable_port()
    assert second != first
    release_port(first)
    release_port(second)
    _draws(monkeypatch, first)
    assert stable_port() == first  # given back, it can be drawn again
    release_port(first)


_CLAIM = "from paychaos.net import stable_port\nprint(stable_port(), flush=True)\ninput()\n"


def _other_run() -> tuple[subprocess.Popen[str], int]:
    """Another paychaos process that drew a stable port and holds it until told to end."""
    other = subprocess.Popen(
        [sys.executable, "-c", _CLAIM], stdin=subprocess.PIPE, stdout=subprocess.PIPE, text=True
    )
    assert other.stdout is not None
    return other, int(other.stdout.readline())


def test_a_port_another_run_drew_is_not_handed_out(monkeypatch, tmp_path):
    monkeypatch.setenv("PAYCHAOS_STATE_DIR", str(tmp_path))
    other, theirs = _other_run()
    try:
        _draws(monkeypatch, theirs)
        mine = stable_port()
        assert mine != theirs
        release_port(mine)
    finally:
        other.communicate("\n")
    # Ended normally, the other run gave its port back.
    assert not (tmp_path / "ports" / str(theirs)).exists()


def test_the_claim_of_a_killed_run_goes_at_the_next_reap(monkeypatch, tmp_path):
    monkeypatch.setenv("PAYCHAOS_STATE_DIR", str(tmp_path))
    other, theirs = _other_run()
    other.kill()
    other.communicate()
    claim = tmp_path / "ports" / str(theirs)
    assert claim.exists()  # a SIGKILL runs no exit handler
    (tmp_path / "ports" / "1").write_text("not json")  # damaged, and old
    os.utime(tmp_path / "ports" / "1", (0, 0))
    ProcessRegistry.default().reap()
    assert not claim.exists()
    assert not (tmp_path / "ports" / "1").exists()


def test_a_signal_at_exit_leaves_the_claims_to_the_reap_without_a_traceback(monkeypatch, tmp_path):
    # A pool worker told to stop (SIGTERM: its handler raises SystemExit) while its exit
    # handlers give its ports back.
    monkeypatch.setenv("PAYCHAOS_STATE_DIR", str(tmp_path))
    port = stable_port()

    def signalled(_port: int) -> None:
        raise SystemExit(143)

    monkeypatch.setattr("paychaos.net.release_port", signalled)
    net._release_all()  # raises nothing
    monkeypatch.undo()
    release_port(port)
