"""The JSON of answers: orjson when installed, the standard library for what orjson refuses
or when it is absent, the same values either way."""

from __future__ import annotations

import json

import pytest

from paychaos.stripe_emulator import jsonenc

AWKWARD = [
    {"big": 2**70, "id": "cus_1"},  # past 64 bits: orjson refuses it
    {"text": "\ud800 lone surrogate"},  # not UTF-8: orjson refuses it
    {1: "int key", "nested": {"t": (1, 2)}},  # non-str keys and tuples
    {"é": "ünïcode", "none": None, "flag": True, "list": [{"a": []}]},
]


@pytest.fixture(params=["orjson", "stdlib"])
def encoder(request, monkeypatch):
    if request.param == "stdlib":
        monkeypatch.setattr(jsonenc, "orjson", None)
    elif jsonenc.orjson is None:
        pytest.skip("orjson is not installed")
    return request.param


@pytest.mark.parametrize("value", AWKWARD, ids=range(len(AWKWARD)))
def test_every_value_encodes_to_what_the_standard_library_reads_back(encoder, value):
    expected = json.loads(json.dumps(value))
    assert json.loads(jsonenc.dumps(value)) == expected
    assert jsonenc.copy(value) == expected
    if all(isinstance(key, str) for key in value):  # sorted: decoded forms, keys all strings
        assert json.loads(jsonenc.dumps_sorted(value)) == expected


def test_sorted_encoding_is_the_same_for_equal_values_in_any_order(encoder):
    assert jsonenc.dumps_sorted({"b": 1, "a": {"d": 2, "c": 3}}) == jsonenc.dumps_sorted(
        {"a": {"c": 3, "d": 2}, "b": 1}
    )
    assert jsonenc.dumps_sorted({"a": 1}) != jsonenc.dumps_sorted({"a": 2})


def test_a_copy_shares_nothing_with_the_original(encoder):
    original = {"items": {"data": [{"quantity": 1}]}}
    copied = jsonenc.copy(original)
    copied["items"]["data"][0]["quantity"] = 2
    assert original["items"]["data"][0]["quantity"] == 1
