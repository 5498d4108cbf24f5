"""latency: delay every chunk by ``latency`` ms, plus or minus up to ``jitter`` ms."""

from __future__ import annotations

from paychaos.faults.toxics.base import Chunk, Emit, Toxic, ToxicRun


class LatencyToxic(Toxic):
    """Each chunk leaves ``latency ± jitter`` ms after it arrived.

    The delay counts from arrival, so pipelined chunks are not delayed twice;
    order is kept. Jitter comes from the run's seeded random source.
    """

    type_name = "latency"
    defaults = {"latency": 0, "jitter": 0}

    async def pipe(self, chunk: Chunk, run: ToxicRun, emit: Emit) -> None:
        delay_ms = float(self.attributes["latency"])
        jitter = self.attributes["jitter"]
        if jitter:
            delay_ms += run.rng.uniform(-jitter, jitter)
        await run.sleep_until(chunk.arrived + max(delay_ms, 0) / 1000.0)
        await emit(chunk)
