"""The seven Toxiproxy toxics, one file each, found by name through ``registry.TOXICS``."""

from paychaos.faults.toxics.base import Chunk, Toxic, ToxicRun
from paychaos.faults.toxics.registry import TOXICS, toxic_class

__all__ = ["TOXICS", "Chunk", "Toxic", "ToxicRun", "toxic_class"]
