"""Decoding of Stripe's form encoding: ``a[b][0][c]=x``, ``expand[]=y``."""

from __future__ import annotations

from typing import Any
from urllib.parse import unquote

from paychaos.stripe_emulator.errors import invalid

MAX_DEPTH = 8
MAX_FIELDS = 1000


def _split_key(key: str) -> list[str]:
    """``a[b][]`` -> ``["a", "b", ""]``; a name that is not ``head[seg][seg]...`` (no
    brackets inside a segment) is a 400."""
    bracket = key.find("[")
    if bracket == -1:
        return [key]
    head = key[:bracket]
    inner = key[bracket + 1 : -1]
    bare = inner.replace("][", "")  # brackets left over sit inside a segment
    if not head or key[-1] != "]" or "[" in bare or "]" in bare:
        raise invalid(f"Invalid parameter name: {key}", param=key)
    segments = inner.split("][")
    if len(segments) > MAX_DEPTH:
        raise invalid(f"Parameter nested too deeply: {key}", param=key)
    return [head, *segments]


def decode_form(raw: bytes | str) -> dict[str, Any]:
    """Turn a form-encoded body or query string into nested dicts and lists.

    Indexed keys stay dict keys (``{"0": ...}``); the parameter specs turn them
    into lists. ``key[]`` appends to a list; ``key[][field]`` builds a list of hashes.

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
    if raw.count("&") >= MAX_FIELDS:
        raise invalid(f"Too many parameters (at most {MAX_FIELDS}).")
    root: dict[str, Any] = {}
    try:
        for key, value in _pairs(raw):
            _assign(root, _split_key(key), value, key)
    except UnicodeDecodeError:
        raise invalid("The request contains percent-encoded bytes that are not UTF-8.") from None
    return root


def _unquote(text: str) -> str:
    text = text.replace("+", " ")
    return unquote(text, errors="strict") if "%" in text else text


def _pairs(raw: str) -> list[tuple[str, str]]:
    """``urllib.parse.parse_qsl(raw, keep_blank_values=True, errors="strict")`` without its
    per-pair calls: empty pieces are skipped, a piece without ``=`` has an empty value."""
    pairs = []
    for piece in raw.split("&"):
        if not piece:
            continue
        name, _, value = piece.partition("=")
        pairs.append((_unquote(name), _unquote(value)))
    return pairs


def _has_path(node: Any, path: list[str]) -> bool:
    """True when the keys of ``path`` up to its first ``[]`` already exist under ``node``."""
    for seg in path:
        if seg == "":
            break
        if not isinstance(node, dict) or seg not in node:
            return False
        node = node[seg]
    return True


def _assign(node: Any, path: list[str], value: str, key: str) -> None:
    """Store ``value`` at ``path`` below ``node``, the way Rack (and so Stripe) reads forms.

    ``a[]=x`` appends to a list. ``a[][b]=x`` builds a list of hashes: it fills the
    last hash unless that one already has ``b``, then starts a new one, so
    ``a[][b]=1&a[][c]=2&a[][b]=3`` is ``[{b: 1, c: 2}, {b: 3}]``.
    """
    for i, seg in enumerate(path[:-1]):
        following = path[i + 1]
        if seg == "":  # ``[]`` then more keys: a hash inside a list
            if not isinstance(node, list):
                raise invalid(f"Conflicting values for parameter: {key}", param=key)
            rest = path[i + 1 :]
            if not node or not isinstance(node[-1], dict) or _has_path(node[-1], rest):
                node.append({})
            node = node[-1]
            continue
        if not isinstance(node, dict):
            raise invalid(f"Conflicting values for parameter: {key}", param=key)
        child = node.get(seg)
        if child is None:
            child = [] if following == "" else {}
            node[seg] = child
        elif not isinstance(child, (dict, list)) or (isinstance(child, list) != (following == "")):
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
