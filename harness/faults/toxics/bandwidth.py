"""bandwidth: throttle a stream to ``rate`` KB/s (1 KB = 1000 bytes, as Toxiproxy counts)."""

from __future__ import annotations

import asyncio

from paychaos.faults.toxics.base import Chunk, Emit, Toxic, ToxicRun

# Pieces of at most this many milliseconds' worth of data keep the pacing smooth.
_PIECE_MS = 20


class BandwidthToxic(Toxic):
    """Data leaves no faster than ``rate`` KB/s; ``rate`` 0 means unlimited.

    Pacing uses a virtual send clock rather than one sleep per piece, so sleep
    overshoot does not accumulate and the long-run rate stays exact.
    """

    type_name = "bandwidth"
    defaults = {"rate": 0}

    async def pipe(self, chunk: Chunk, run: ToxicRun, emit: Emit) -> None:
        rate = self.attributes["rate"]  # bytes per millisecond
        if rate <= 0 or chunk.eof:
            await emit(chunk)
            return
        loop = asyncio.get_running_loop()
        piece = max(1, rate * _PIECE_MS)
        data = chunk.data
        for start in range(0, len(data), piece):
            part = data[start : start + piece]
            send_at = max(loop.time(), run.state.get("next_free", 0.0))
            run.state["next_free"] = send_at + len(part) / (rate * 1000.0)
            if not await run.sleep_until(send_at):
                # Removed while waiting: the rest goes out unthrottled.
                await emit(Chunk(data[start:], chunk.arrived))
                return
            await emit(Chunk(part, chunk.arrived))
