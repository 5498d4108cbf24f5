"""The HTTP surface: keep-alive, pipelining, malformed requests, the control API's guard."""

from __future__ import annotations

import re
import socket

import requests


def _raw(emu, data: bytes, read_until_close: bool = True) -> bytes:
    with socket.create_connection(("127.0.0.1", emu.port), timeout=5) as sock:
        sock.sendall(data)
        chunks = []
        while True:
            chunk = sock.recv(65536)
            if not chunk:
                break
            chunks.append(chunk)
        return b"".join(chunks)


def test_pipelined_keep_alive_requests_are_answered_in_order(paychaos_emulator, paychaos_stripe):
    auth = f"Authorization: Bearer {paychaos_emulator.api_key}\r\n".encode()
    one = b"GET /v1/customers?limit=1 HTTP/1.1\r\nHost: x\r\n" + auth + b"\r\n"
    body = b"email=a%40b.c"
    two = (
        b"POST /v1/customers HTTP/1.1\r\nHost: x\r\n"
        + auth
        + b"Content-Type: application/x-www-form-urlencoded\r\n"
        + f"Content-Length: {len(body)}\r\n".encode()
        + b"\r\n"
        + body
    )
    three = b"GET /v1/customers HTTP/1.1\r\nHost: x\r\nConnection: close\r\n" + auth + b"\r\n"
    reply = _raw(paychaos_emulator, one + two + three)
    assert reply.count(b"HTTP/1.1 200 OK") == 3
    assert reply.count(b"Request-Id: req_") == 3
    assert re.search(rb'"email": ?"a@b\.c"', reply)


def test_malformed_requests_get_a_4xx_and_the_server_lives_on(paychaos_emulator, paychaos_stripe):
    for junk in (
        b"NONSENSE\r\n\r\n",
        b"GET / HTTP/9.9\r\n\r\n",
        b"GET /v1/customers HTTP/1.1\r\nbad header line\r\n\r\n",
        b"POST /v1/customers HTTP/1.1\r\nContent-Length: abc\r\n\r\n",
        b"POST /v1/customers HTTP/1.1\r\nTransfer-Encoding: chunked\r\n\r\n0\r\n\r\n",
        b"POST /v1/customers HTTP/1.1\r\nContent-Length: 99999999\r\n\r\n",
        b"GET /v1/customers HTTP/1.1\r\n" + b"X-Big: " + b"a" * 40000 + b"\r\n\r\n",
    ):
        status = int(_raw(paychaos_emulator, junk).split(b" ", 2)[1])
        assert 400 <= status < 500, junk[:40]
    assert paychaos_stripe.v1.customers.list().object == "list"


def test_bad_form_encodings_get_a_400_naming_the_problem(paychaos_emulator, paychaos_stripe):
    headers = {
        "Authorization": f"Bearer {paychaos_emulator.api_key}",
        "Content-Type": "application/x-www-form-urlencoded",
    }
    for body in (b"email=%FF%FE", b"metadata[a]=1&metadata=2", b"a[b]]=1", b"\xff\xfe=1"):
        response = requests.post(
            f"{paychaos_emulator.url}/v1/customers", data=body, headers=headers, timeout=5
        )
        assert response.status_code == 400, body
        assert response.json()["error"]["type"] == "invalid_request_error"


def test_control_api_needs_the_api_key(paychaos_emulator, paychaos_stripe):
    response = requests.get(f"{paychaos_emulator.url}/_paychaos/clock", timeout=5)
    assert response.status_code == 401
    ok = requests.get(
        f"{paychaos_emulator.url}/_paychaos/clock",
        headers={"Authorization": f"Bearer {paychaos_emulator.api_key}"},
        timeout=5,
    )
    assert ok.json()["now"] > 0


def test_control_api_can_be_turned_off():
    from paychaos.stripe_emulator import StripeEmulator

    with StripeEmulator(control_enabled=False) as emu:
        response = requests.get(
            f"{emu.url}/_paychaos/clock",
            headers={"Authorization": f"Bearer {emu.api_key}"},
            timeout=5,
        )
        assert response.status_code == 404


def test_stopping_frees_the_port():
    from paychaos.net import port_is_open
    from paychaos.stripe_emulator import StripeEmulator

    emu = StripeEmulator().start()
    port = emu.port
    assert port_is_open("127.0.0.1", port)
    emu.stop()
    assert not port_is_open("127.0.0.1", port)


def test_start_and_stop_leave_no_thread_or_connection_behind():
    import threading

    import stripe

    from paychaos.stripe_emulator import StripeEmulator

    before = {t.ident for t in threading.enumerate()}
    for _ in range(3):
        with StripeEmulator() as emu:
            client = stripe.StripeClient(emu.api_key, base_addresses={"api": emu.url})
            client.v1.customers.create({})
            emu.control.health()
    leftover = [
        t
        for t in threading.enumerate()
        if t.ident not in before and t.name.startswith("stripe-emulator")
    ]
    assert leftover == []
