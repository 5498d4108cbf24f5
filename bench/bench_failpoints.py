"""Cost of a ``failpoint()`` call: nothing set, another name set, this name set to ``off``.

    .venv/bin/python bench/bench_failpoints.py [--calls 2000000]

Prints nanoseconds per call (best of 5 runs), next to an empty function call.
"""

from __future__ import annotations

import argparse
import timeit

from paychaos.failpoints import clear_all_failpoints, failpoint, set_failpoint


def _empty(name: str) -> None:
    return None


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--calls", type=int, default=2_000_000)
    args = parser.parse_args()

    def per_call(stmt: str, env: dict) -> float:
        runs = timeit.repeat(stmt, globals=env, number=args.calls, repeat=5)
        return min(runs) / args.calls * 1e9

    env = {"failpoint": failpoint, "_empty": _empty}
    clear_all_failpoints()
    rows = [("empty function call (baseline)", per_call("_empty('fulfil.before_insert')", env))]
    rows.append(("failpoint, nothing set", per_call("failpoint('fulfil.before_insert')", env)))
    set_failpoint("webhook.before_response", "pause")
    rows.append(("failpoint, another name set", per_call("failpoint('fulfil.before_insert')", env)))
    set_failpoint("fulfil.before_insert", "off")
    rows.append(
        ("failpoint, this name set to off", per_call("failpoint('fulfil.before_insert')", env))
    )
    clear_all_failpoints()
    for label, ns in rows:
        print(f"{label:<34}{ns:>8.1f} ns/call")


if __name__ == "__main__":
    main()
