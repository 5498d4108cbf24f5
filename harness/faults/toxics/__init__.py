"""The seven Toxiproxy toxics, one file each, found by name through ``registry.TOXICS``."""

from harness.faults.toxics.base import Chunk, Toxic, ToxicRun
from harness.faults.toxics.registry import TOXICS, toxic_class

__all__ = ["TOXICS", "Chunk", "Toxic", "ToxicRun", "toxic_class"]
