"""JSON bodies read by paychaos's own servers (the emulator, the fault proxy), bounded.

A body that is too large, nested too deep, not UTF-8 or not JSON is a ``JsonBodyError``
(the servers answer 400 with its message), never a ``RecursionError`` or a 500: a
100,000-deep ``[[[...]]]`` is refused before anything walks it.

>>> loads_bounded(b'{"seconds": 60}')
{'seconds': 60}
"""

from __future__ import annotations

import json
import re
from typing import Any

#: Deeper than any control request paychaos sends (a fault rule is 2 levels).
MAX_DEPTH = 32
#: Bytes; what the servers' HTTP layers already refuse above.
MAX_BYTES = 1 << 20


class JsonBodyError(ValueError):
    """A JSON body paychaos's servers refuse; the message says why (for a 400 answer)."""


def loads_bounded(
    raw: bytes | str, *, max_depth: int = MAX_DEPTH, max_bytes: int = MAX_BYTES
) -> Any:
    """Parse ``raw`` as JSON, refusing more than ``max_bytes`` or ``max_depth`` levels."""
    if len(raw) > max_bytes:
        raise JsonBodyError(f"body too large ({len(raw)} bytes; at most {max_bytes})")
    if isinstance(raw, bytes):
        try:
            raw = raw.decode("utf-8")
        except UnicodeDecodeError:
            raise JsonBodyError("body is not UTF-8 text") from None
    if bracket_depth(raw) > max_depth:
        raise JsonBodyError(f"JSON nested deeper than {max_depth} levels")
    try:
        return json.loads(raw)
    except RecursionError:  # cannot happen after the depth check; kept as a last guard
        raise JsonBodyError(f"JSON nested deeper than {max_depth} levels") from None
    except ValueError as exc:
        raise JsonBodyError(f"not valid JSON ({exc})") from None


_STRING = re.compile(r'"[^"\\]*(?:\\.[^"\\]*)*"', re.DOTALL)
_NOT_BRACKET = re.compile(r"[^\[\]{}]+")


def bracket_depth(text: str) -> int:
    """The deepest nesting of ``[``/``{`` outside strings (for broken JSON, a guess).

    Regular expressions drop the strings and everything but brackets at C speed; only the
    brackets are walked in Python.
    """
    depth = deepest = 0
    for c in _NOT_BRACKET.sub("", _STRING.sub("", text)):
        if c in "[{":
            depth += 1
            deepest = max(deepest, depth)
        else:
            depth -= 1
    return deepest
