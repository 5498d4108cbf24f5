"""slow_close: delay the close of a stream by ``delay`` ms; data passes untouched."""

from __future__ import annotations

from paychaos.faults.toxics.base import Chunk, Emit, Toxic, ToxicRun


class SlowCloseToxic(Toxic):
    """The end of the stream is held ``delay`` ms before it reaches the other side."""

    type_name = "slow_close"
    defaults = {"delay": 0}

    async def pipe(self, chunk: Chunk, run: ToxicRun, emit: Emit) -> None:
        if chunk.eof:
            await run.sleep(self.attributes["delay"] / 1000.0)
        await emit(chunk)
