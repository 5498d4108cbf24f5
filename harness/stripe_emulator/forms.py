"""Decoding of Stripe's form encoding: ``a[b][0][c]=x``, ``expand[]=y``."""

from __future__ import annotations

import re
from typing import Any
from urllib.parse import parse_qsl

from paychaos.stripe_emulator.errors import invalid

MAX_DEPTH = 8
MAX_FIELDS = 1000

_SEGMENT = re.compile(r"\[([^\[\]]*)\]")


def _split_key(key: str) -> list[str]:
    bracket = key.find("[")
    if bracket == -1:
        return [key]
    head = key[:bracket]
    rest = key[bracket:]
    segments = _SEGMENT.findall(rest)
    if not head or "".join(f"[{s}]" for s in segments) != rest:
        raise invalid(f"Invalid parameter name: {key}", param=key)
    if len(segments) > MAX_DEPTH:
        raise invalid(f"Parameter nested too deeply: {key}", param=key)
    if "" in segments[:-1]:
        raise invalid(f"Invalid parameter name: {key} ([] only at the end)", param=key)
    return [head, *segments]


def decode_form(raw: bytes | str) -> dict[str, Any]:
    """Turn a form-encoded body or query string into nested dicts and lists.

    Indexed keys stay dict keys (``{"0": ...}``); the parameter specs turn them
    into lists. ``key[]`` appends to a list.

    >>> decode_form("line_items[0][price]=price_1&expand[]=subscription")
    {'line_items': {'0': {'price': 'price_1'}}, 'expand': ['subscription']}
    """
    if isinstance(raw, bytes):
        try:
            raw = raw.decode("utf-8")
        except UnicodeDecodeError:
            raise invalid("The request body is not valid UTF-8.") from None
    if not raw:
        return {}
    try:
        pairs = parse_qsl(raw, keep_blank_values=True, errors="strict", max_num_fields=MAX_FIELDS)
    except UnicodeDecodeError:
        raise invalid("The request contains percent-encoded bytes that are not UTF-8.") from None
    except ValueError:
        raise invalid(f"Too many parameters (at most {MAX_FIELDS}).") from None
    root: dict[str, Any] = {}
    for key, value in pairs:
        path = _split_key(key)
        node: Any = root
        for i, seg in enumerate(path[:-1]):
            child = node.get(seg)
            if child is None:
                child = [] if path[i + 1] == "" else {}
                node[seg] = child
            elif not isinstance(child, (dict, list)) or (
                isinstance(child, list) and path[i + 1] != ""
            ):
                raise invalid(f"Conflicting values for parameter: {key}", param=key)
            node = child
        last = path[-1]
        if last == "":
            if not isinstance(node, list):
                raise invalid(f"Conflicting values for parameter: {key}", param=key)
            node.append(value)
        else:
            if not isinstance(node, dict) or isinstance(node.get(last), (dict, list)):
                raise invalid(f"Conflicting values for parameter: {key}", param=key)
            node[last] = value
    return root
