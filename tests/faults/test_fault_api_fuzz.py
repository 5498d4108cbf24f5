"""Fuzzing the fault proxy's HTTP API: whatever a client sends, the answer is a 2xx or a 4xx
with Toxiproxy's error body, never a 5xx or a dropped connection, and the server goes on.

Each fuzz test sends a bounded number of examples (Hypothesis ``max_examples``), derandomized.
"""

from __future__ import annotations

import json

import pytest
import requests
from hypothesis import given, settings
from hypothesis import strategies as st

from paychaos.faults import FaultProxyServer
from tests.fuzzing import any_json, fuzz_settings

FUZZ = fuzz_settings(150)
BASE = "fz"  # the proxy every example may touch; others an example creates are removed
PATHS = ["/version", "/reset", "/populate", "/proxies", f"/proxies/{BASE}",
         f"/proxies/{BASE}/toxics", f"/proxies/{BASE}/toxics/lat", "/proxies/nope",
         f"/proxies/{BASE}/toxics/nope", "/proxies/a%2Fb", "/"]  # fmt: skip
METHODS = st.sampled_from(["POST", "POST", "POST", "PATCH", "GET", "DELETE", "PUT"])
FIELDS = ["name", "upstream", "listen", "enabled", "type", "stream", "toxicity", "attributes",
          "proxies", "latency", "jitter", "rate", "timeout", "bytes", "x"]  # fmt: skip
KEYS = st.sampled_from(FIELDS)
JSON = any_json(
    ["latency", "timeout", "bandwidth", "slicer", "reset_peer", "limit_data", "slow_close",
     "upstream", "downstream", "127.0.0.1:0", "localhost:0", "0.0.0.0:0", "[::1]:0",
     "127.0.0.1:99999", "127.0.0.1:1", "x:y:z", BASE, "lat"],
    KEYS,
)  # fmt: skip


# Mostly objects with the API's own field names, each present or not, of any JSON type.
OBJECTS = st.fixed_dictionaries({}, optional={k: JSON for k in FIELDS})
BODIES = st.one_of(OBJECTS, OBJECTS, st.lists(OBJECTS, max_size=3), JSON)


@pytest.fixture(scope="module")
def server():
    with FaultProxyServer(seed=0) as fault_server:
        yield fault_server


def _restore(server: FaultProxyServer) -> None:
    """Only the base proxy, with one latency toxic named ``lat``: each example starts there."""
    for name in requests.get(server.url + "/proxies", timeout=30).json():
        requests.delete(f"{server.url}/proxies/{name}", timeout=30)
    created = requests.post(
        server.url + "/proxies",
        json={"name": BASE, "upstream": "127.0.0.1:1", "listen": "127.0.0.1:0"},
        timeout=30,
    )
    assert created.status_code == 201, created.text
    toxic = requests.post(
        f"{server.url}/proxies/{BASE}/toxics",
        json={"name": "lat", "type": "latency", "attributes": {"latency": 1}},
        timeout=30,
    )
    assert toxic.status_code == 200, toxic.text


def _check(response: requests.Response, what: object) -> None:
    assert response.status_code < 500, (what, response.status_code, response.text[:300])
    if response.status_code >= 400:
        assert response.json()["error"], what


# The endpoints that read a body, each fuzzed on its own so every one gets its share.
WRITES = [("POST", "/populate"), ("POST", "/proxies"), ("POST", f"/proxies/{BASE}"),
          ("PATCH", f"/proxies/{BASE}"), ("POST", f"/proxies/{BASE}/toxics"),
          ("POST", f"/proxies/{BASE}/toxics/lat"), ("PATCH", f"/proxies/{BASE}/toxics/lat")]  # fmt: skip


@pytest.mark.parametrize(("method", "path"), WRITES)
@settings(FUZZ, max_examples=50)
@given(body=BODIES)
def test_json_bodies_never_get_a_5xx(server, method, path, body):
    _restore(server)
    _check(requests.request(method, server.url + path, data=json.dumps(body), timeout=30),
           (method, path, body))  # fmt: skip
    _check(requests.get(server.url + "/version", timeout=30), "version after a fuzz request")


@FUZZ
@given(method=METHODS, path=st.sampled_from(PATHS), body=BODIES)
def test_any_method_and_path_never_gets_a_5xx(server, method, path, body):
    _restore(server)
    _check(requests.request(method, server.url + path, data=json.dumps(body), timeout=30),
           (method, path, body))  # fmt: skip


@FUZZ
@given(method=METHODS, path=st.sampled_from(PATHS), raw=st.binary(max_size=200))
def test_raw_bodies_never_get_a_5xx(server, method, path, raw):
    _restore(server)
    _check(requests.request(method, server.url + path, data=raw, timeout=30), (path, raw))


@pytest.mark.parametrize("path", ["/populate", "/proxies", f"/proxies/{BASE}",
                                  f"/proxies/{BASE}/toxics", f"/proxies/{BASE}/toxics/lat"])  # fmt: skip
def test_deep_json_is_refused_with_400(server, path):
    _restore(server)
    answer = requests.post(server.url + path, data=b"[" * 100_000 + b"]" * 100_000, timeout=30)
    assert answer.status_code == 400 and "deeper than" in answer.json()["error"], answer.text
