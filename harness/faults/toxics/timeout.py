"""timeout: stop all data; close the connection after ``timeout`` ms (0 = hold forever)."""

from __future__ import annotations

from paychaos.faults.toxics.base import Chunk, Emit, Toxic, ToxicRun


class TimeoutToxic(Toxic):
    """A blackhole: nothing passes while the toxic is present.

    Data is held, not dropped, so removing the toxic lets it flow again and a
    live Redis connection resumes, as TCP does once a partition heals (its
    retransmissions get through). Toxiproxy instead drops the data and closes
    the connection when the toxic is removed; harness code that wants that
    adds ``reset_peer`` or ``down`` after the blackhole. With ``timeout`` > 0
    the connection is closed that many ms after the toxic started applying.
    """

    type_name = "timeout"
    defaults = {"timeout": 0}

    def attach(self, run: ToxicRun) -> None:
        timeout_ms = self.attributes["timeout"]
        if timeout_ms > 0:

            async def close_later() -> None:
                if await run.sleep(timeout_ms / 1000.0):
                    run.connection.close()

            run.spawn(close_later())

    async def pipe(self, chunk: Chunk, run: ToxicRun, emit: Emit) -> None:
        await run.removed.wait()
        await emit(chunk)
