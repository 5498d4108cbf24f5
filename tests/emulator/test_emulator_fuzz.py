"""Fuzzing the emulator's HTTP surface: whatever arrives, the answer is a 4xx (or 2xx), never a 5xx.

Each test states how many inputs it sent (run with ``-s`` to see the counts).
"""

from __future__ import annotations

import socket
from urllib.parse import quote

import pytest
import requests
from hypothesis import given
from hypothesis import strategies as st

from tests.fuzzing import fuzz_settings

FUZZ = fuzz_settings(300)
POST_PATHS = [
    "/v1/checkout/sessions",
    "/v1/customers",
    "/v1/prices",
    "/v1/products",
    "/v1/webhook_endpoints",
    "/v1/subscriptions/sub_x",
    "/v1/checkout/sessions/cs_test_x/expire",
]
GET_PATHS = [
    "/v1/checkout/sessions",
    "/v1/events",
    "/v1/subscriptions",
    "/v1/prices",
    "/v1/customers/cus_x",
    "/v1/checkout/sessions/cs_test_x/line_items",
]
NAMES = st.sampled_from(
    [
        "mode",
        "line_items",
        "metadata",
        "expand",
        "limit",
        "price",
        "quantity",
        "success_url",
        "recurring",
        "interval",
        "unit_amount",
        "currency",
        "product_data",
        "name",
        "url",
        "enabled_events",
        "starting_after",
        "created",
        "types",
        "0",
        "1",
        "",
        "zz",
    ]
)
KEY_TEXT = st.text(alphabet=st.sampled_from("ab01[]%&=_.+ \x00é"), max_size=20)
VALUES = st.one_of(
    st.text(max_size=30),
    st.integers(min_value=-(10**30), max_value=10**30).map(str),
    st.sampled_from(
        ["true", "false", "", "payment", "subscription", "month", "usd", "*", "price_x"]
    ),
    st.text(min_size=2000, max_size=20000, alphabet="xyz"),
)
counts: dict[str, int] = {}


@pytest.fixture(scope="module")
def http(paychaos_emulator):
    session = requests.Session()
    session.headers["Authorization"] = f"Bearer {paychaos_emulator.api_key}"
    return session


def _nested_key(path: list[str]) -> str:
    return path[0] + "".join(f"[{p}]" for p in path[1:])


pairs = st.lists(
    st.tuples(
        st.one_of(st.lists(NAMES, min_size=1, max_size=14).map(_nested_key), KEY_TEXT),
        VALUES,
    ),
    max_size=12,
)


def _check(response: requests.Response, what: object) -> None:
    assert response.status_code < 500, (what, response.status_code, response.text[:300])
    assert "Request-Id" in response.headers


@FUZZ
@given(path=st.sampled_from(POST_PATHS), body=pairs)
def test_form_bodies_never_get_a_5xx(paychaos_emulator, http, path, body):
    counts["form bodies"] = counts.get("form bodies", 0) + 1
    encoded = "&".join(f"{quote(k, safe='[]')}={quote(v)}" for k, v in body)
    _check(
        http.post(paychaos_emulator.url + path, data=encoded.encode(), timeout=10), encoded[:300]
    )


@FUZZ
@given(path=st.sampled_from(POST_PATHS), raw=st.binary(max_size=3000))
def test_raw_bytes_bodies_never_get_a_5xx(paychaos_emulator, http, path, raw):
    counts["raw bodies"] = counts.get("raw bodies", 0) + 1
    _check(http.post(paychaos_emulator.url + path, data=raw, timeout=10), raw[:300])


@FUZZ
@given(path=st.sampled_from(GET_PATHS), query=pairs)
def test_query_strings_never_get_a_5xx(paychaos_emulator, http, path, query):
    counts["query strings"] = counts.get("query strings", 0) + 1
    encoded = "&".join(f"{quote(k, safe='[]')}={quote(v)}" for k, v in query)
    _check(http.get(f"{paychaos_emulator.url}{path}?{encoded}", timeout=10), encoded[:300])


@FUZZ
@given(
    method=st.sampled_from(["GET", "POST", "DELETE", "PUT", "PATCH", "G\x00T", ""]),
    target=st.text(alphabet=st.sampled_from("/v1abc_?&=%[] \t\x7f"), max_size=40),
    headers=st.lists(st.text(alphabet=st.sampled_from("A-z: \t\x01é"), max_size=30), max_size=4),
    body=st.binary(max_size=200),
)
def test_raw_requests_never_get_a_5xx_or_kill_the_server(
    paychaos_emulator, method, target, headers, body
):
    counts["raw requests"] = counts.get("raw requests", 0) + 1
    head = f"{method} {target} HTTP/1.1\r\n" + "".join(
        h.replace("\r", "").replace("\n", "") + "\r\n" for h in headers
    )
    head += f"Content-Length: {len(body)}\r\nConnection: close\r\n\r\n"
    with socket.create_connection(("127.0.0.1", paychaos_emulator.port), timeout=5) as sock:
        sock.sendall(head.encode("utf-8", "replace") + body)
        reply = b""
        while chunk := sock.recv(65536):
            reply += chunk
    if reply:  # a silent close is allowed for garbage; a 5xx is not
        status = int(reply.split(b" ", 2)[1])
        assert status < 500, (head, reply[:200])


def test_fuzzing_sent_the_inputs_it_claims(paychaos_emulator, http):
    # Runs after the fuzz tests in file order; records how much was tried.
    total = sum(counts.values())
    print(f"\nemulator fuzzing: {total} inputs ({counts})")
    assert http.get(f"{paychaos_emulator.url}/v1/customers", timeout=5).status_code == 200
    if counts:
        assert total >= 4 * 100
