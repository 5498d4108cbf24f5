"""Object ids derived from a seed: the same seed and the same calls give the same ids."""

from __future__ import annotations

import hashlib

_ALPHABET = "0123456789ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz"
# Two base62 digits at a time, least significant first: half the divisions per id.
_PAIRS = [_ALPHABET[n % 62] + _ALPHABET[n // 62] for n in range(62 * 62)]


class IdFactory:
    """Makes ``prefix + 24 base62 chars``, one independent counter per prefix.

    >>> IdFactory(seed=0).new("cus_") == IdFactory(seed=0).new("cus_")
    True
    """

    def __init__(self, seed: int = 0, length: int = 24) -> None:
        self.seed = seed
        self.length = length
        self._counters: dict[str, int] = {}

    def new(self, prefix: str) -> str:
        """The next id for ``prefix`` (e.g. ``"cs_test_"``)."""
        n = self._counters.get(prefix, 0) + 1
        self._counters[prefix] = n
        digest = hashlib.blake2b(f"{self.seed}:{prefix}:{n}".encode(), digest_size=20).digest()
        value = int.from_bytes(digest, "big")
        chars = []
        for _ in range(self.length // 2):
            value, rem = divmod(value, 62 * 62)
            chars.append(_PAIRS[rem])
        if self.length % 2:
            chars.append(_ALPHABET[value % 62])
        return prefix + "".join(chars)
