"""limit_data: close the connection once ``bytes`` bytes have passed on the stream."""

from __future__ import annotations

from paychaos.faults.toxics.base import Chunk, Emit, Toxic, ToxicRun


class LimitDataToxic(Toxic):
    """Exactly ``bytes`` bytes get through (counted per connection), then both sides close."""

    type_name = "limit_data"
    defaults = {"bytes": 0}

    async def pipe(self, chunk: Chunk, run: ToxicRun, emit: Emit) -> None:
        if chunk.eof:
            await emit(chunk)
            return
        limit = self.attributes["bytes"]
        sent = run.state.get("sent", 0)
        room = limit - sent
        if room > 0:
            part = chunk.data[:room]
            run.state["sent"] = sent + len(part)
            await emit(Chunk(part, chunk.arrived))
        if run.state.get("sent", 0) >= limit:
            run.connection.close()
