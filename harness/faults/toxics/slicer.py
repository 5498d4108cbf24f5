"""slicer: cut data into pieces of ``average_size`` ± ``size_variation`` bytes, ``delay`` µs apart."""

from __future__ import annotations

from paychaos.faults.toxics.base import Chunk, Emit, Toxic, ToxicRun


class SlicerToxic(Toxic):
    """Every byte is delivered, in small writes; exercises a peer's framing code.

    Piece sizes come from the run's seeded random source. ``average_size`` 0
    leaves chunks whole.
    """

    type_name = "slicer"
    defaults = {"average_size": 0, "size_variation": 0, "delay": 0}

    async def pipe(self, chunk: Chunk, run: ToxicRun, emit: Emit) -> None:
        average = self.attributes["average_size"]
        if chunk.eof or average <= 0:
            await emit(chunk)
            return
        variation = min(self.attributes["size_variation"], average - 1)
        delay_s = self.attributes["delay"] / 1_000_000.0
        data = chunk.data
        start = 0
        while start < len(data):
            size = average + (run.rng.randint(-variation, variation) if variation else 0)
            await emit(Chunk(data[start : start + size], chunk.arrived))
            start += size
            if start < len(data) and delay_s and not run.removed.is_set():
                await run.sleep(delay_s)
