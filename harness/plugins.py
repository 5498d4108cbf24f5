"""Registries of plug-ins: one module per plug-in, each module named once in its registry.

>>> plugins_in("paychaos.faults.toxics", ("latency", "timeout"), Toxic)   # doctest: +SKIP
[<class 'LatencyToxic'>, <class 'TimeoutToxic'>]
"""

from __future__ import annotations

import importlib
import inspect
from collections.abc import Sequence
from typing import TypeVar

T = TypeVar("T")


def plugins_in(package: str, modules: Sequence[str], base: type[T]) -> list[type[T]]:
    """The one subclass of ``base`` that each of ``package``'s ``modules`` defines, in order."""
    found: list[type[T]] = []
    for name in modules:
        module = importlib.import_module(f"{package}.{name}")
        own = [
            cls
            for _, cls in inspect.getmembers(module, inspect.isclass)
            if issubclass(cls, base) and cls is not base and cls.__module__ == module.__name__
        ]
        if len(own) != 1:
            raise TypeError(
                f"{module.__name__} must define exactly one {base.__name__} subclass, "
                f"found {len(own)}"
            )
        found.append(own[0])
    return found
