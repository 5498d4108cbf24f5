"""Every toxic by its Toxiproxy type name; adding a toxic is one file plus one line here."""

from __future__ import annotations

from harness.faults.toxics.bandwidth import BandwidthToxic
from harness.faults.toxics.base import Toxic
from harness.faults.toxics.latency import LatencyToxic
from harness.faults.toxics.limit_data import LimitDataToxic
from harness.faults.toxics.reset_peer import ResetPeerToxic
from harness.faults.toxics.slicer import SlicerToxic
from harness.faults.toxics.slow_close import SlowCloseToxic
from harness.faults.toxics.timeout import TimeoutToxic

TOXICS: dict[str, type[Toxic]] = {
    cls.type_name: cls
    for cls in (
        LatencyToxic,
        BandwidthToxic,
        SlowCloseToxic,
        TimeoutToxic,
        ResetPeerToxic,
        SlicerToxic,
        LimitDataToxic,
    )
}


def toxic_class(type_name: str) -> type[Toxic] | None:
    """The toxic class registered under ``type_name``, or None."""
    return TOXICS.get(type_name)
