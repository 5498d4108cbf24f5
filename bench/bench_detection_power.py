"""Detection power of exploration alone: for each mutant, how many generated schedules run
before the first one breaks a promise (no named scenario helps), and how long that took.

    .venv/bin/python bench/bench_detection_power.py [--mutants M21,M22] [--max-examples 150]
                                                  [--seed 0]

Schedules-to-detection is the number to compare across changes: it does not depend on the
machine's speed or the number of workers; the seconds beside it do.
"""

from __future__ import annotations

import argparse
import tempfile
from pathlib import Path

from paychaos.cli.compose import mutant_ids, open_environment
from paychaos.mutants import detect
from paychaos.strategies import schedules


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--mutants", default=None, help="comma-separated ids (default: all)")
    parser.add_argument("--max-examples", type=int, default=150)
    parser.add_argument("--max-steps", type=int, default=10)
    parser.add_argument("--seed", type=int, default=0)
    args = parser.parse_args()
    targets = args.mutants.split(",") if args.mutants else mutant_ids()

    print("mutant  caught  schedules-to-detection  seconds  invariants  shrunk")
    with open_environment("correct", seed=args.seed) as env, tempfile.TemporaryDirectory() as tmp:
        for target in targets:
            row = detect(
                env, target, (), schedules(max_steps=args.max_steps), seed=args.seed,
                max_examples=args.max_examples, out_dir=Path(tmp),
            )  # fmt: skip
            print(
                f"{target:7s} {'yes' if row.caught else 'no':6s}  "
                f"{row.schedules_to_detection if row.caught else f'>{row.examples}':>22}  "
                f"{row.seconds if row.seconds is not None else '-':>7}  "
                f"{' '.join(row.invariants) or '-':10s}  {row.shrunk_length or '-'}",
                flush=True,
            )
        env.switch_variant("correct")


if __name__ == "__main__":
    main()
