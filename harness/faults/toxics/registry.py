"""Every toxic by its Toxiproxy type name; adding a toxic is one file plus one line here."""

from __future__ import annotations

from paychaos.faults.toxics.bandwidth import BandwidthToxic
from paychaos.faults.toxics.base import Toxic
from paychaos.faults.toxics.latency import LatencyToxic
from paychaos.faults.toxics.limit_data import LimitDataToxic
from paychaos.faults.toxics.reset_peer import ResetPeerToxic
from paychaos.faults.toxics.slicer import SlicerToxic
from paychaos.faults.toxics.slow_close import SlowCloseToxic
from paychaos.faults.toxics.timeout import TimeoutToxic

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
