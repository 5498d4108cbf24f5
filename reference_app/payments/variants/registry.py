"""Build a variant by name; the process's active one comes from ``PAYMENTS_VARIANT``."""

from __future__ import annotations

import functools
import importlib

from django.conf import settings

from paychaos.reference_app.payments.variants.base import Variant
from paychaos.reference_app.payments.variants.names import VARIANT_NAMES, VARIANTS


def variant_class(name: str) -> type[Variant]:
    """The class registered under ``name``; KeyError names the known ones."""
    try:
        target = VARIANTS[name]
    except KeyError:
        raise KeyError(f"unknown variant {name!r}; known: {', '.join(VARIANT_NAMES)}") from None
    module_name, _, class_name = target.partition(":")
    return getattr(importlib.import_module(module_name), class_name)


@functools.cache
def get_variant(name: str) -> Variant:
    """One shared instance per variant name."""
    return variant_class(name)()


def active_variant() -> Variant:
    """The variant this process serves (``PAYMENTS_VARIANT``)."""
    return get_variant(settings.PAYMENTS.variant)
