"""How long the embedded Postgres + Redis take to start and stop.

    .venv/bin/python bench/bench_services.py [--runs 7]

cold: an empty template cache, so every start runs initdb (the first run on a machine).
warm: the cached initdb template is copied (every later run).
Target: services up in <= 3 s. Prints medians; the machine is shared, so run it a few times.
"""

from __future__ import annotations

import argparse
import os
import shutil
import statistics
import tempfile
import time

from paychaos.services import start_services


def measure(runs: int, fresh_cache: bool) -> tuple[list[float], list[float]]:
    starts, stops = [], []
    for _ in range(runs):
        cache = tempfile.mkdtemp(prefix="paychaos-bench-cache-") if fresh_cache else None
        if cache:
            os.environ["PAYCHAOS_CACHE_DIR"] = cache
        try:
            t0 = time.perf_counter()
            svc = start_services()
            t1 = time.perf_counter()
            svc.stop()
            t2 = time.perf_counter()
        finally:
            if cache:
                del os.environ["PAYCHAOS_CACHE_DIR"]
                shutil.rmtree(cache, ignore_errors=True)
        starts.append(t1 - t0)
        stops.append(t2 - t1)
    return starts, stops


def report(label: str, values: list[float]) -> None:
    ms = sorted(v * 1000 for v in values)
    print(
        f"{label:<28} median {statistics.median(ms):7.1f} ms   "
        f"min {ms[0]:7.1f}   max {ms[-1]:7.1f}   (n={len(ms)})"
    )


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--runs", type=int, default=7)
    args = parser.parse_args()
    start_services().stop()  # fill the template cache and the OS file cache
    cold_start, cold_stop = measure(args.runs, fresh_cache=True)
    warm_start, warm_stop = measure(args.runs, fresh_cache=False)
    report("start, cold (initdb)", cold_start)
    report("start, warm (template copy)", warm_start)
    report("stop", cold_stop + warm_stop)
    verdict = "ok" if statistics.median(cold_start) <= 3.0 else "OVER TARGET"
    print(f"target: start <= 3000 ms -> {verdict}")


if __name__ == "__main__":
    main()
