"""Form encodings Stripe's v1 API accepts: every spelling clients send, and still no unknown names."""

from __future__ import annotations

import re
from urllib.parse import parse_qsl

import pytest
import requests
from hypothesis import given, settings
from hypothesis import strategies as st

from paychaos.stripe_emulator.errors import StripeApiError
from paychaos.stripe_emulator.forms import _pairs, _split_key, decode_form


def _post(emu, path: str, body: str) -> requests.Response:
    headers = {
        "Authorization": f"Bearer {emu.api_key}",
        "Content-Type": "application/x-www-form-urlencoded",
    }
    return requests.post(emu.url + path, data=body.encode(), headers=headers, timeout=5)


def _get(emu, path: str, query: str) -> requests.Response:
    headers = {"Authorization": f"Bearer {emu.api_key}"}
    return requests.get(f"{emu.url}{path}?{query}", headers=headers, timeout=5)


def _recurring_price(emu) -> str:
    product = _post(emu, "/v1/products", "name=Pro").json()["id"]
    body = f"product={product}&currency=usd&unit_amount=1500&recurring[interval]=month"
    return _post(emu, "/v1/prices", body).json()["id"]


@pytest.mark.parametrize(
    ("spelling", "expected"), [("true", True), ("True", True), ("false", False), ("False", False)]
)
def test_booleans_are_accepted_in_both_spellings_in_bodies_and_queries(
    paychaos_emulator, paychaos_stripe, spelling, expected
):
    created = _post(paychaos_emulator, "/v1/products", f"name=Pro&active={spelling}")
    assert created.status_code == 200, created.text
    assert created.json()["active"] is expected
    listed = _get(paychaos_emulator, "/v1/products", f"active={spelling}")
    assert listed.status_code == 200, listed.text
    assert [p["active"] for p in listed.json()["data"]] == [expected]


@pytest.mark.parametrize("spelling", ["yes", "1", "TRUE ", ""])
def test_other_boolean_spellings_get_a_400_naming_the_parameter(
    paychaos_emulator, paychaos_stripe, spelling
):
    response = _post(paychaos_emulator, "/v1/products", f"name=Pro&active={spelling}")
    assert response.status_code == 400
    error = response.json()["error"]
    assert error["param"] == "active"
    assert error["code"] == "parameter_invalid_boolean"


def test_python_booleans_inside_nested_hashes_are_accepted(paychaos_emulator, paychaos_stripe):
    price = _recurring_price(paychaos_emulator)
    body = (
        f"mode=subscription&line_items[0][price]={price}&line_items[0][quantity]=1"
        "&success_url=http://127.0.0.1/ok&allow_promotion_codes=True"
    )
    response = _post(paychaos_emulator, "/v1/checkout/sessions", body)
    assert response.status_code == 200, response.text


@pytest.mark.parametrize(
    "line_items",
    [
        "line_items[0][price]={price}&line_items[0][quantity]=1",
        "line_items[][price]={price}&line_items[][quantity]=1",
    ],
    ids=["indexed", "rack-style"],
)
@pytest.mark.parametrize("expand", ["expand[]=line_items", "expand[0]=line_items"])
def test_arrays_of_hashes_and_expand_in_every_array_spelling(
    paychaos_emulator, paychaos_stripe, line_items, expand
):
    price = _recurring_price(paychaos_emulator)
    body = "&".join(
        [
            "mode=subscription",
            line_items.format(price=price),
            "success_url=http://127.0.0.1/ok",
            "metadata[company_id]=7",
            "client_reference_id=company-7",
            expand,
        ]
    )
    response = _post(paychaos_emulator, "/v1/checkout/sessions", body)
    assert response.status_code == 200, response.text
    session = response.json()
    assert session["metadata"] == {"company_id": "7"}
    assert session["line_items"]["data"][0]["price"]["id"] == price


def test_rack_style_arrays_start_a_new_hash_when_a_key_repeats():
    form = "a[][price]=p1&a[][quantity]=1&a[][price]=p2&a[][quantity]=2&tags[]=x&tags[]=y"
    assert decode_form(form) == {
        "a": [{"price": "p1", "quantity": "1"}, {"price": "p2", "quantity": "2"}],
        "tags": ["x", "y"],
    }


@pytest.mark.parametrize(
    ("body", "param"),
    [
        ("name=Pro&bogus=1", "bogus"),
        ("name=Pro&metadata[a]=1&active=True&not_a_param=True", "not_a_param"),
    ],
)
def test_unknown_parameters_are_still_rejected_by_name(
    paychaos_emulator, paychaos_stripe, body, param
):
    response = _post(paychaos_emulator, "/v1/products", body)
    assert response.status_code == 400
    assert response.json()["error"]["param"] == param
    assert response.json()["error"]["code"] == "parameter_unknown"


@pytest.mark.parametrize(
    "line_items",
    ["line_items[0][price]={price}&line_items[0][colour]=red", "line_items[][colour]=red"],
    ids=["indexed", "rack-style"],
)
def test_unknown_nested_parameters_are_rejected_with_their_full_name(
    paychaos_emulator, paychaos_stripe, line_items
):
    price = _recurring_price(paychaos_emulator)
    body = f"mode=subscription&success_url=http://127.0.0.1/ok&{line_items.format(price=price)}"
    response = _post(paychaos_emulator, "/v1/checkout/sessions", body)
    assert response.status_code == 400
    assert response.json()["error"]["param"] == "line_items[0][colour]"


def test_empty_strings_unset_metadata_and_numbers(paychaos_emulator, paychaos_stripe):
    product = _post(
        paychaos_emulator, "/v1/products", "name=Pro&metadata[a]=1&metadata[b]=2"
    ).json()
    one_key_gone = _post(paychaos_emulator, f"/v1/products/{product['id']}", "metadata[a]=")
    assert one_key_gone.json()["metadata"] == {"b": "2"}
    all_gone = _post(paychaos_emulator, f"/v1/products/{product['id']}", "metadata=")
    assert all_gone.json()["metadata"] == {}
    listed = _get(paychaos_emulator, "/v1/products", "limit=&starting_after=")
    assert listed.status_code == 200, listed.text


# The decoder splits pairs and names by hand (half the time of parse_qsl and a regex on
# every call); these pin it to the standard library and to the bracket grammar.
_FORM_TEXT = st.text(alphabet="ab[]%2BFC3A9+=&0\u00e9", max_size=18)
_SEGMENT = re.compile(r"\[([^\[\]]*)\]")


def _reference_split(key: str) -> list[str] | None:
    bracket = key.find("[")
    if bracket == -1:
        return [key]
    head, rest = key[:bracket], key[bracket:]
    segments = _SEGMENT.findall(rest)
    if not head or "".join(f"[{s}]" for s in segments) != rest:
        return None
    return [head, *segments]


@settings(max_examples=3000, deadline=None)
@given(_FORM_TEXT)
def test_pairs_are_what_parse_qsl_reads(text):
    try:
        expected: object = parse_qsl(text, keep_blank_values=True, errors="strict")
    except UnicodeDecodeError:
        expected = "not UTF-8"
    try:
        got: object = _pairs(text)
    except UnicodeDecodeError:
        got = "not UTF-8"
    assert got == expected


@settings(max_examples=3000, deadline=None)
@given(_FORM_TEXT)
def test_names_split_as_the_bracket_grammar_says(key):
    expected = _reference_split(key)
    if expected is not None and len(expected) > 9:
        expected = None  # nested too deeply: a 400 too
    try:
        got: list[str] | None = _split_key(key)
    except StripeApiError as exc:
        assert exc.status == 400
        got = None
    assert got == expected
