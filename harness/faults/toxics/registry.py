"""Every toxic by its Toxiproxy type name; adding a toxic is one file plus its name below."""

from __future__ import annotations

from paychaos.faults.toxics.base import Toxic
from paychaos.plugins import plugins_in

MODULES = ("latency", "bandwidth", "slow_close", "timeout", "reset_peer", "slicer", "limit_data")

TOXICS: dict[str, type[Toxic]] = {
    cls.type_name: cls for cls in plugins_in("paychaos.faults.toxics", MODULES, Toxic)
}


def toxic_class(type_name: str) -> type[Toxic] | None:
    """The toxic class registered under ``type_name``, or None."""
    return TOXICS.get(type_name)
