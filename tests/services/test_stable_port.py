"""Servers that stop and start again get their port from below the kernel's ephemeral range,
where no outgoing connection and no bind on port 0 (ours or another program's) can take it
while they are down."""

from __future__ import annotations

import socket

from paychaos.net import LOOPBACK, _ephemeral_low, free_port, stable_port


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
