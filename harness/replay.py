"""Replay files: a schedule, its seed and its variant, as JSON a person can read and edit.

Every failure that exploration finds is written as one, and
``paychaos replay FILE`` runs it again.

    {
      "paychaos_replay": 1,
      "variant": "seed_original",
      "seed": 3,
      "scenario": {"name": "generated", "story": "...", "steps": [{"do": "checkout", "session": "s1"}, ...]},
      "found": [{"invariant": "I4", "message": "..."}]
    }
"""

from __future__ import annotations

import json
from pathlib import Path
from typing import Any

from paychaos.errors import ConfigError
from paychaos.json_limits import MAX_DEPTH, JsonBodyError, bracket_depth
from paychaos.schedule import Scenario, scenario_from_dict
from paychaos.stripe_emulator.config import MAX_SEED, seed_problem

FORMAT = 1
#: Every field a replay file may have (``found`` says what the run that wrote it saw).
FIELDS = ("paychaos_replay", "variant", "seed", "invariants", "scenario", "found")


def write_replay(
    path: Path,
    scenario: Scenario,
    *,
    variant: str,
    seed: int,
    found: list[dict[str, Any]] | None = None,
    only: tuple[str, ...] | None = None,
) -> Path:
    payload = {
        "paychaos_replay": FORMAT,
        "variant": variant,
        "seed": seed,
        **({"invariants": list(only)} if only else {}),
        "scenario": scenario.to_dict(),
        "found": found or [],
    }
    path.parent.mkdir(parents=True, exist_ok=True)
    path.write_text(json.dumps(payload, indent=2) + "\n", encoding="utf-8")
    return path


def read_replay(path: Path) -> tuple[Scenario, str, int, tuple[str, ...] | None]:
    """Load a replay file; anything malformed is a ``ConfigError`` naming the field."""
    try:
        text = path.read_text(encoding="utf-8")
    except OSError as exc:
        raise ConfigError(f"cannot read replay file {path}: {exc.strerror}") from None
    except UnicodeDecodeError:
        raise ConfigError(
            f"{path} is not a replay file: it is not UTF-8 text",
            hint="a replay file is the JSON that paychaos explore writes",
        ) from None
    try:
        if bracket_depth(text) > MAX_DEPTH:
            raise JsonBodyError(f"nested deeper than {MAX_DEPTH} levels")
        raw = json.loads(text)
    except json.JSONDecodeError as exc:
        raise ConfigError(
            f"{path}: not valid JSON (line {exc.lineno}, column {exc.colno}: {exc.msg})",
            hint="a replay file is the JSON that `paychaos explore` wrote; fix or regenerate it",
        ) from None
    except JsonBodyError as exc:
        raise ConfigError(f"{path}: not a replay file: {exc}") from None
    if not isinstance(raw, dict):
        raise ConfigError(f"{path}: expected a JSON object with variant, seed and scenario")
    unknown = sorted(set(raw) - set(FIELDS))
    if unknown:
        raise ConfigError(
            f"{path}: a replay file has no field {unknown[0]!r}",
            hint=f"its fields: {', '.join(FIELDS)}",
        )
    if raw.get("paychaos_replay") != FORMAT:
        raise ConfigError(
            f"{path}: paychaos_replay must be {FORMAT} (got {raw.get('paychaos_replay')!r})"
        )
    variant = raw.get("variant")
    if not isinstance(variant, str) or not variant:
        raise ConfigError(f'{path}: variant must be a variant name such as "correct"')
    seed = raw.get("seed")
    if not isinstance(seed, int) or seed_problem(seed):
        raise ConfigError(f"{path}: seed must be an integer from 0 to {MAX_SEED} (got {seed!r})")
    found = raw.get("found", [])
    if not isinstance(found, list) or not all(isinstance(f, dict) for f in found):
        raise ConfigError(f'{path}: found must be a list of objects like {{"invariant": "I4"}}')
    only = raw.get("invariants")
    if only is not None and (
        not isinstance(only, list) or not only or not all(isinstance(i, str) for i in only)
    ):
        raise ConfigError(f'{path}: invariants must be a list of ids such as ["I1", "I4"]')
    if only:
        from paychaos.invariants import invariants

        unknown = [i for i in only if i not in invariants()]
        if unknown:
            raise ConfigError(f"{path}: invariants names {unknown[0]!r}; use ids from I1 to I8")
    scenario = scenario_from_dict(raw.get("scenario"), where=f"{path.name}: scenario")
    return scenario, variant, seed, tuple(only) if only else None
