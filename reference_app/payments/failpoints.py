"""Named failure points, from ``paychaos.failpoints`` when it is importable.

The app runs without the harness installed too: then every failpoint is a
no-op. Only a missing ``paychaos.failpoints`` module falls back; any other
import error surfaces.
"""

from __future__ import annotations

try:
    from paychaos.failpoints import failpoint
except ModuleNotFoundError as exc:  # pragma: no cover - depends on what is installed
    if exc.name not in ("paychaos", "paychaos.failpoints"):
        raise

    def failpoint(name: str) -> None:
        """No-op: the harness's failpoint library is not installed."""
        return None


__all__ = ["failpoint"]
