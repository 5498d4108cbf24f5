"""The nemesis: network faults on the app's links, process faults, and heal with its bookkeeping.

It acts and says what it did: every call returns the ``NemesisRecord``s of what changed, and
the runner writes them into the history. It never writes the history itself.
"""

from __future__ import annotations

import inspect
import time
from dataclasses import dataclass
from typing import Any

from paychaos.errors import ConfigError
from paychaos.failpoints import FailpointError
from paychaos.faults.client import ProxyHandle
from paychaos.faults.nemesis import NemesisOp
from paychaos.faults.toxics.registry import TOXICS

# The links of the app that run through a fault proxy ("broker": the task broker's own route
# to the same Redis server, so a fault can hit the tasks and not the Channels layer).
NETWORK_TARGETS = ("redis", "broker", "postgres", "stripe_api")
# Faults made of more than one toxic (or none), besides every registered toxic by its type name.
COMPOSITE_FAULTS = ("down", "blackhole")
PROCESS_ACTIONS = {
    "redis": ("pause", "resume", "kill", "restart"),
    "postgres": ("terminate_backends", "stop", "start", "kill", "restart"),
    "app": ("crash", "restart"),
    # The app's task worker. ``kill_mid_task`` waits (a few seconds at most) until the worker is
    # inside a task, then kills it; ``stop`` is a clean shutdown, ``start`` a late start.
    "worker": ("kill", "kill_mid_task", "pause", "resume", "stop", "start", "restart"),
}
# How long ``kill_mid_task`` waits for the worker to be inside a task.
MID_TASK_WAIT = 10.0


def network_faults() -> tuple[str, ...]:
    """Every fault a ``fault`` step may name: the composites and each registered toxic."""
    return (*COMPOSITE_FAULTS, *sorted(TOXICS))


@dataclass(frozen=True)
class NemesisRecord:
    """One thing the nemesis did, as the history records it (process ``nemesis``)."""

    name: str
    value: dict[str, Any]


class Nemesis:
    """Breaks and heals one environment's services, app server and links."""

    def __init__(
        self,
        *,
        services: Any,
        app: Any,
        proxies: dict[str, ProxyHandle],
        faults: Any,
        emulator_control: Any,
        failpoints: Any,
    ) -> None:
        self.services = services
        self.app = app
        self.proxies = proxies
        self.faults = faults
        self.emulator_control = emulator_control
        self.failpoints = failpoints
        self._paused: set[str] = set()
        self._down: set[str] = set()
        self._ops: list[NemesisOp] = []
        # Whether the app server was (re)started while faults were on (see ``take_app_dirty``).
        self._app_dirty = False
        # The worker: whether a step stopped, killed or paused it (heal brings it back), and
        # whether a step touched it at all since the last reset.
        self._worker_down = False
        self._worker_paused = False
        self._worker_dirty = False

    # The fault layer calls this for every toxic switched on or off.
    def on_fault_op(self, op: NemesisOp) -> None:
        self._ops.append(op)

    def _taken_ops(self) -> list[NemesisRecord]:
        ops, self._ops = self._ops, []
        return [
            NemesisRecord("fault", {k: v for k, v in op.to_dict().items() if k != "time"})
            for op in ops
        ]

    @property
    def redis_healthy(self) -> bool:
        """Whether Redis runs unpaused (I8 expects notifications only then)."""
        return not self._paused and "redis" not in self._down

    def stopped_on_purpose(self) -> frozenset[str]:
        """The services a fault paused or stopped and no heal has brought back yet."""
        return frozenset(self._paused | self._down)

    def take_worker_dirty(self) -> bool:
        """Whether a step acted on the worker since the last call (then reset)."""
        dirty, self._worker_dirty = self._worker_dirty, False
        return dirty

    def take_app_dirty(self) -> bool:
        """Whether the app was started while faults were on since the last call (then reset)."""
        dirty, self._app_dirty = self._app_dirty, False
        return dirty

    def network_fault(self, target: str, fault: str, params: dict[str, Any]) -> list[NemesisRecord]:
        """Switch ``fault`` on for ``target``'s link until healed."""
        if target not in NETWORK_TARGETS:
            raise ConfigError(
                f"unknown fault target {target!r}", hint=f"one of: {', '.join(NETWORK_TARGETS)}"
            )
        if fault not in network_faults():
            raise ConfigError(
                f"unknown network fault {fault!r}", hint=f"one of: {', '.join(network_faults())}"
            )
        proxy = self.proxies.get(target)
        if proxy is None:
            raise ConfigError(f"{target} is not behind a fault proxy in this environment")
        try:
            if _is_named_fault(fault):
                getattr(proxy, fault)(**params)
            else:  # a toxic with no shorthand on the handle: its Toxiproxy attributes as given
                attributes = {k: v for k, v in params.items() if k not in ("stream", "toxicity")}
                proxy.toxic(
                    fault,
                    attributes,
                    stream=params.get("stream", "downstream"),
                    toxicity=params.get("toxicity", 1.0),
                )
        except TypeError as exc:
            raise ConfigError(
                f"fault {fault} on {target}: bad parameters {params} ({exc})"
            ) from None
        return self._taken_ops()

    def process_fault(self, target: str, action: str) -> list[NemesisRecord]:
        """Pause, kill, stop or restart a service, or crash / restart the app server."""
        if action not in PROCESS_ACTIONS.get(target, ()):
            raise ConfigError(
                f"unknown process fault {target}.{action}",
                hint="; ".join(f"{t}: {', '.join(a)}" for t, a in PROCESS_ACTIONS.items()),
            )
        done = [NemesisRecord("process", {"target": target, "action": action})]
        if target == "worker":
            return [NemesisRecord("process", self._worker_fault(action))]
        if target == "app":
            self._app_dirty = True
            if action == "crash":
                self.app.crash()
            else:
                self.app.restart()
            return done
        if action == "pause":
            self._paused.add(target)
        elif action == "resume":
            self._paused.discard(target)
        elif action in ("kill", "stop"):
            self._down.add(target)
        elif action in ("restart", "start"):
            self._down.discard(target)
        getattr(getattr(self.services, target), action)()
        return done

    def _worker_fault(self, action: str) -> dict[str, Any]:
        """Act on the app's task worker; what was done, as the history records it."""
        value: dict[str, Any] = {"target": "worker", "action": action}
        if not getattr(self.app, "has_worker", False):
            return {**value, "absent": True}  # the app has no worker: nothing to break
        self._worker_dirty = True
        if action == "kill_mid_task":
            deadline = time.monotonic() + MID_TASK_WAIT
            busy = self.app.worker_busy()
            while busy is False and time.monotonic() < deadline:
                time.sleep(0.05)
                busy = self.app.worker_busy()
            value["mid_task"] = busy
        if action in ("kill", "kill_mid_task"):
            self.app.kill_worker()
            self._worker_down, self._worker_paused = True, False
        elif action == "stop":
            self.app.stop_worker()
            self._worker_down, self._worker_paused = True, False
        elif action == "pause":
            self.app.pause_worker()
            self._worker_paused = True
        elif action == "resume":
            self.app.resume_worker()
            self._worker_paused = False
        elif action in ("start", "restart"):
            if action == "restart":
                self.app.stop_worker()
            self.app.start_worker()
            self._worker_down, self._worker_paused = False, False
        return value

    def heal(self, target: str | None) -> list[NemesisRecord]:
        """Remove network faults, Stripe API faults and failpoints; bring stopped processes back.

        Webhook delivery policies stay: a dropped, delayed or reordered delivery is what
        Stripe did, not a fault that heals (the drain releases what is merely late).
        """
        if target in (None, "stripe_api"):
            self.emulator_control.clear_faults(kind="api")
        if target is None:
            self.faults.heal_all()
        elif target in self.proxies:
            self.proxies[target].heal()
        for name in list(self._paused):
            if target in (None, name):
                getattr(self.services, name).resume()
                self._paused.discard(name)
        for name in list(self._down):
            if target in (None, name):
                getattr(self.services, name).start()
                self._down.discard(name)
        # Failpoints go before the app is judged, the world healed: a request still in flight
        # meeting an armed crash after the check below would leave the drain a dead server,
        # which reads as the harness's own environment failing. A server whose failpoints
        # could not be cleared (it did not answer in time) is restarted: a new one has none.
        failpoints_cleared = True
        if target is None and self.failpoints is not None:
            try:
                self.failpoints.clear_all()  # paused callers go on
            except FailpointError as exc:
                failpoints_cleared = exc.answered  # an app without failpoints answers 404
            except Exception:
                failpoints_cleared = False
        # Not just "is the process alive": a crashed server may still be exiting, and a hung
        # one is alive but useless. Either way, heal means a server that answers.
        if target in (None, "app") and (not failpoints_cleared or not self.app.responsive()):
            # After a full heal this start-up sees a healthy world, so the server is as good as
            # new; a partial heal may start it while other faults are still on.
            self._app_dirty = target is not None
            self.app.restart()
        if target in (None, "worker") and getattr(self.app, "has_worker", False):
            if self._worker_paused:
                self.app.resume_worker()
            if not self.app.worker_running:
                self.app.start_worker()
            self._worker_down = self._worker_paused = False
        return [*self._taken_ops(), NemesisRecord("heal", {"target": target})]


def _is_named_fault(fault: str) -> bool:
    """Whether ``ProxyHandle`` has a shorthand method for ``fault`` (with friendlier params)."""
    method = getattr(ProxyHandle, fault, None)
    return callable(method) and not fault.startswith("_") and inspect.isfunction(method)
