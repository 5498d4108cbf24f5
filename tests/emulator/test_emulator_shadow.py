"""Shadow validation against a stub that answers like stripe-mock (no Docker here for the real one).

The stub refuses every request that carries one of ``REFUSED`` as a parameter
name, with stripe-mock's 400 envelope, and accepts the rest with a 200.
"""

from __future__ import annotations

import http.server
import json
import threading
from urllib.parse import parse_qsl

import pytest
import requests
import stripe

from paychaos.errors import ConfigError
from paychaos.stripe_emulator import StripeEmulator
from paychaos.stripe_emulator.shadow import SHADOW_URL_ENV, summary_lines

REFUSED = ("active",)
WAIT = 60.0  # an upper bound for the queued checks, never reached in a passing run


class StubStripeMock:
    """A loopback HTTP server that records requests and refuses ``REFUSED`` parameters."""

    def __init__(self) -> None:
        self.requests: list[dict] = []
        seen = self.requests

        class Handler(http.server.BaseHTTPRequestHandler):
            protocol_version = "HTTP/1.1"

            def _answer(self) -> None:
                body = self.rfile.read(int(self.headers.get("Content-Length", "0")))
                query = self.path.partition("?")[2]
                form = body.decode() if self.command == "POST" else query
                seen.append(
                    {
                        "method": self.command,
                        "target": self.path,
                        "headers": {k.lower(): v for k, v in self.headers.items()},
                        "body": body,
                    }
                )
                names = {key.split("[")[0] for key, _ in parse_qsl(form)}
                refused = sorted(names.intersection(REFUSED))
                if refused:
                    status = 400
                    message = f"Received unknown parameter: {refused[0]}"
                    answer = {"error": {"type": "invalid_request_error", "message": message}}
                else:
                    status, answer = 200, {"object": "stub"}
                data = json.dumps(answer).encode()
                self.send_response(status)
                self.send_header("Content-Type", "application/json")
                self.send_header("Content-Length", str(len(data)))
                self.end_headers()
                self.wfile.write(data)

            do_GET = do_POST = do_DELETE = _answer

            def log_message(self, *args) -> None:
                pass

        self.server = http.server.ThreadingHTTPServer(("127.0.0.1", 0), Handler)
        self.url = f"http://127.0.0.1:{self.server.server_address[1]}"
        self.thread = threading.Thread(target=self.server.serve_forever, daemon=True)
        self.thread.start()

    def close(self) -> None:
        self.server.shutdown()
        self.server.server_close()


@pytest.fixture
def stub():
    server = StubStripeMock()
    yield server
    server.close()


@pytest.fixture
def shadowed(stub):
    with StripeEmulator(seed=0, delivery="manual", shadow_url=stub.url) as emu:
        yield emu


def _client(emu) -> stripe.StripeClient:
    return stripe.StripeClient(emu.api_key, base_addresses={"api": emu.url}, max_network_retries=0)


def test_disagreements_both_ways_are_reported_and_agreements_are_not(shadowed):
    client = _client(shadowed)
    product = client.v1.products.create({"name": "Pro"})  # both accept
    with pytest.raises(stripe.InvalidRequestError):  # the emulator refuses, the stub accepts
        client.v1.products.create({"name": "Pro", "colour": "red"})
    client.v1.products.update(product.id, {"active": False})  # the stub refuses
    with pytest.raises(stripe.InvalidRequestError):  # state, not validation: not compared
        client.v1.customers.retrieve("cus_missing")

    report = shadowed.control.shadow(wait=WAIT)
    assert report["enabled"] is True
    assert (report["sent"], report["compared"], report["unreachable"]) == (4, 3, 0)
    assert report["disagreement_count"] == 2
    refused_here, refused_there = report["disagreements"]
    assert refused_here["kind"] == "emulator_rejected"
    assert refused_here["method"] == "POST" and refused_here["path"] == "/v1/products"
    assert refused_here["emulator"]["status"] == 400
    assert "colour" in refused_here["emulator"]["message"]
    assert refused_here["stripe_mock"]["status"] == 200
    assert refused_there["kind"] == "stripe_mock_rejected"
    assert refused_there["path"] == f"/v1/products/{product.id}"
    assert refused_there["body"] == "active=false"
    assert refused_there["stripe_mock"] == {
        "status": 400,
        "message": "Received unknown parameter: active",
    }

    lines = summary_lines(report)
    assert lines[0].endswith("4 requests sent, 3 compared, 2 disagreements")
    assert "emulator refused POST /v1/products (400)" in lines[1]
    assert "stripe-mock refused POST /v1/products/" in lines[2]


def test_stripe_mock_gets_the_same_request_without_the_idempotency_key(shadowed, stub):
    client = _client(shadowed)
    client.v1.customers.create(
        {"email": "a@b.c", "metadata": {"n": "1"}},
        options={"idempotency_key": "key-1"},
    )
    client.v1.customers.list({"limit": 2, "email": "a@b.c"})
    shadowed.control.health()  # the control API is not shadowed
    shadowed.control.shadow(wait=WAIT)

    posted, listed = stub.requests
    assert posted["method"] == "POST" and posted["target"] == "/v1/customers"
    assert dict(parse_qsl(posted["body"].decode())) == {"email": "a@b.c", "metadata[n]": "1"}
    assert "idempotency-key" not in posted["headers"]
    assert posted["headers"]["authorization"] == f"Bearer {shadowed.api_key}"
    assert posted["headers"]["content-type"] == "application/x-www-form-urlencoded"
    assert listed["method"] == "GET" and listed["body"] == b""
    assert listed["target"].startswith("/v1/customers?")
    assert dict(parse_qsl(listed["target"].partition("?")[2])) == {"limit": "2", "email": "a@b.c"}


def _conversation(emu) -> list[tuple[int, str]]:
    """A fixed run of raw requests (some refused by one side) and the emulator's answers."""
    headers = {"Authorization": f"Bearer {emu.api_key}"}
    answers = []
    for method, path, form in [
        ("POST", "/v1/products", "name=Pro&active=true"),
        ("POST", "/v1/products", "name=Pro&colour=red"),
        ("GET", "/v1/products", "active=True&limit=1"),
        ("GET", "/v1/customers/cus_missing", ""),
        ("POST", "/v1/customers", "email=a%40b.c"),
    ]:
        if method == "POST":
            response = requests.post(emu.url + path, data=form, headers=headers, timeout=5)
        else:
            response = requests.get(f"{emu.url}{path}?{form}", headers=headers, timeout=5)
        answers.append((response.status_code, response.text))
    return answers


def test_the_emulator_answers_the_same_with_and_without_a_shadow(stub):
    # One epoch for both: otherwise their clocks start at the wall-clock second each started
    # in, and a busy machine puts the two in different seconds ("created" differs).
    epoch = 1_796_000_000
    with StripeEmulator(seed=0, delivery="manual", shadow_url="", epoch=epoch) as plain:
        expected = _conversation(plain)
    with StripeEmulator(seed=0, delivery="manual", shadow_url=stub.url, epoch=epoch) as shadowed:
        assert _conversation(shadowed) == expected
        assert shadowed.control.shadow(wait=WAIT)["disagreement_count"] == 3


def test_without_the_setting_nothing_is_shadowed(monkeypatch, stub):
    monkeypatch.delenv(SHADOW_URL_ENV, raising=False)
    with StripeEmulator(seed=0) as emu:
        assert emu.state.shadow is None
        assert not [t for t in threading.enumerate() if t.name == "paychaos-shadow"]
        _client(emu).v1.products.create({"name": "Pro"})
        report = emu.control.shadow()
        assert report["enabled"] is False and report["disagreements"] == []
        assert summary_lines(report) == []
    assert stub.requests == []


def test_the_environment_variable_turns_it_on_and_stopping_ends_the_worker(monkeypatch, stub):
    monkeypatch.setenv(SHADOW_URL_ENV, stub.url)
    with StripeEmulator(seed=0) as emu:
        _client(emu).v1.products.create({"name": "Pro", "active": True})
        assert emu.control.shadow(wait=WAIT)["disagreement_count"] == 1
    assert not [t for t in threading.enumerate() if t.name == "paychaos-shadow"]
    assert len(stub.requests) == 1


def test_an_api_fault_answer_counts_as_accepted_parameters(shadowed):
    shadowed.control.add_api_fault(
        {"method": "POST", "path": "/v1/products", "action": "error", "status": 500}
    )
    client = _client(shadowed)
    for params in ({"name": "Pro"}, {"name": "Pro", "active": True}):
        with pytest.raises(stripe.APIError):
            client.v1.products.create(params)
    report = shadowed.control.shadow(wait=WAIT)
    assert report["compared"] == 2
    (only,) = report["disagreements"]
    assert only["kind"] == "stripe_mock_rejected"
    assert only["emulator"] == {"status": None, "message": None, "fault": True}


def test_reports_survive_a_reset_and_clear_forgets_them(shadowed):
    _client(shadowed).v1.products.create({"name": "Pro", "active": True})
    shadowed.control.shadow(wait=WAIT)
    shadowed.control.reset(seed=1)
    assert shadowed.control.shadow(wait=WAIT)["disagreement_count"] == 1
    shadowed.control.clear_shadow()
    assert shadowed.control.shadow(wait=WAIT)["disagreement_count"] == 0


def test_an_unreachable_stripe_mock_is_counted_and_changes_nothing():
    from paychaos.net import free_port

    url = f"http://127.0.0.1:{free_port()}"
    with StripeEmulator(seed=0, shadow_url=url) as emu:
        assert _client(emu).v1.products.create({"name": "Pro"}).name == "Pro"
        report = emu.control.shadow(wait=WAIT)
    assert (report["sent"], report["unreachable"]) == (0, 1)
    assert "Connection" in report["last_error"] or "refused" in report["last_error"]
    assert "1 not reached" in summary_lines(report)[0]


@pytest.mark.parametrize("url", ["ftp://127.0.0.1:1", "127.0.0.1:12111", "http://127.0.0.1:x"])
def test_a_bad_stripe_mock_url_is_a_clear_config_error(url):
    with pytest.raises(ConfigError) as info:
        StripeEmulator(shadow_url=url)
    assert SHADOW_URL_ENV in str(info.value)
