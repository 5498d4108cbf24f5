"""reset_peer: ``timeout`` ms after data arrives, reset the connection (RST, SO_LINGER 0)."""

from __future__ import annotations

from paychaos.faults.toxics.base import Chunk, Emit, Toxic, ToxicRun


class ResetPeerToxic(Toxic):
    """The first chunk on the stream starts the timer; then both sides get a TCP reset.

    Data that arrives meanwhile is dropped, so the peer never sees a reply,
    only ``Connection reset by peer``.
    """

    type_name = "reset_peer"
    defaults = {"timeout": 0}

    async def pipe(self, chunk: Chunk, run: ToxicRun, emit: Emit) -> None:
        if chunk.eof:
            await emit(chunk)
            return
        if await run.sleep_until(chunk.arrived + self.attributes["timeout"] / 1000.0):
            run.connection.reset()
            return
        await emit(chunk)
