"""Toxiproxy v2's HTTP API over the proxies of one server: routes, bodies, status codes.

Every answer is ``(status, json_or_None)``; errors are ``{"error": ..., "status": N}``
as Toxiproxy writes them. The transport (``http.py``) knows nothing of proxies.
"""

from __future__ import annotations

import ipaddress
import logging
from typing import Any
from urllib.parse import unquote

from paychaos import __version__
from paychaos.faults.proxy import STREAMS, ApiError, Proxy, ToxicSpec, split_address
from paychaos.faults.toxics.base import InvalidAttribute
from paychaos.faults.toxics.registry import TOXICS
from paychaos.json_limits import JsonBodyError, loads_bounded

# The Toxiproxy API version this server speaks (what clients compare against).
TOXIPROXY_API_VERSION = "2.12.0"

Answer = tuple[int, Any]
log = logging.getLogger(__name__)


def _loopback_host(host: str) -> str:
    if host == "localhost":
        return "127.0.0.1"
    try:
        if ipaddress.ip_address(host).is_loopback:
            return host
    except ValueError:
        pass
    raise ApiError(
        400, f"listen address {host!r} is not loopback; the embedded proxy binds loopback only"
    )


def _body(raw: bytes) -> Any:
    if not raw.strip():
        raise ApiError(400, "bad request body: empty")
    try:
        return loads_bounded(raw)
    except JsonBodyError as exc:
        raise ApiError(400, f"bad request body: {exc}") from None


def _object(raw: bytes) -> dict[str, Any]:
    body = _body(raw)
    if not isinstance(body, dict):
        raise ApiError(400, "bad request body: expected a JSON object")
    return body


class ToxiproxyApi:
    """All proxies of one server and the handlers of every Toxiproxy endpoint."""

    def __init__(self, seed: int = 0) -> None:
        self.seed = seed
        self.proxies: dict[str, Proxy] = {}

    async def dispatch(self, method: str, path: str, body: bytes) -> Answer:
        """Route one request; ApiError becomes the JSON error answer."""
        try:
            return await self._route(method, path, body)
        except ApiError as exc:
            return exc.status, {"error": exc.message, "status": exc.status}
        except Exception as exc:  # a bug here must answer (and say so), not drop the client
            log.exception("fault proxy API bug on %s %s", method, path)
            return 500, {"error": f"internal error: {type(exc).__name__}", "status": 500}

    async def _route(self, method: str, path: str, body: bytes) -> Answer:
        parts = [unquote(p) for p in path.split("?", 1)[0].strip("/").split("/") if p]
        if parts == ["version"] and method == "GET":
            return 200, {"version": TOXIPROXY_API_VERSION, "server": f"paychaos {__version__}"}
        if parts == ["reset"] and method == "POST":
            return await self.reset()
        if parts == ["populate"] and method == "POST":
            return await self.populate(body)
        if parts == ["proxies"]:
            if method == "GET":
                return 200, {name: p.to_json() for name, p in self.proxies.items()}
            if method == "POST":
                return 201, (await self.create(_object(body))).to_json()
            raise ApiError(405, f"method {method} not allowed on /proxies")
        if len(parts) >= 2 and parts[0] == "proxies":
            proxy = self._proxy(parts[1])
            rest = parts[2:]
            if not rest:
                return await self._one_proxy(method, proxy, body)
            if rest == ["toxics"]:
                if method == "GET":
                    return 200, [spec.to_json() for spec in proxy.toxics.values()]
                if method == "POST":
                    return 200, self.add_toxic(proxy, _object(body)).to_json()
                raise ApiError(405, f"method {method} not allowed on toxics")
            if len(rest) == 2 and rest[0] == "toxics":
                return self._one_toxic(method, proxy, rest[1], body)
        raise ApiError(404, "not found")

    # -- proxies -----------------------------------------------------------

    def _proxy(self, name: str) -> Proxy:
        proxy = self.proxies.get(name)
        if proxy is None:
            raise ApiError(404, "proxy not found")
        return proxy

    async def _one_proxy(self, method: str, proxy: Proxy, body: bytes) -> Answer:
        if method == "GET":
            return 200, proxy.to_json()
        if method in ("POST", "PATCH"):
            await self.update(proxy, _object(body))
            return 200, proxy.to_json()
        if method == "DELETE":
            await proxy.stop()
            del self.proxies[proxy.name]
            return 204, None
        raise ApiError(405, f"method {method} not allowed on a proxy")

    async def create(self, fields: dict[str, Any]) -> Proxy:
        """Create and start a proxy from its JSON fields (409 if the name is taken)."""
        name = fields.get("name")
        if not isinstance(name, str) or not name:
            raise ApiError(400, "missing required field: name")
        if "/" in name:
            raise ApiError(400, f"proxy name {name!r} must not contain '/'")
        upstream = fields.get("upstream")
        if not isinstance(upstream, str) or not upstream:
            raise ApiError(400, "missing required field: upstream")
        split_address(upstream, "upstream")
        host, port = split_address(fields.get("listen") or "127.0.0.1:0", "listen")
        enabled = fields.get("enabled", True)
        if not isinstance(enabled, bool):
            raise ApiError(400, "enabled must be true or false")
        if name in self.proxies:
            raise ApiError(409, "proxy already exists")
        proxy = Proxy(name, _loopback_host(host), port, upstream, self.seed, enabled=enabled)
        await proxy.start()
        self.proxies[name] = proxy
        return proxy

    async def update(self, proxy: Proxy, fields: dict[str, Any]) -> None:
        """Change ``enabled``, ``upstream`` or ``listen`` of a live proxy."""
        if "upstream" in fields:
            split_address(fields["upstream"], "upstream")
            proxy.upstream = fields["upstream"]
        if "listen" in fields and fields["listen"] != proxy.listen:
            host, port = split_address(fields["listen"], "listen")
            await proxy.stop()
            proxy.listen_host, proxy.listen_port = _loopback_host(host), port
            await proxy.start()
        if "enabled" in fields:
            if not isinstance(fields["enabled"], bool):
                raise ApiError(400, "enabled must be true or false")
            await proxy.set_enabled(fields["enabled"])

    async def populate(self, raw: bytes) -> Answer:
        """Create or replace a list of proxies; 201 with ``{"proxies": [...]}``."""
        body = _body(raw)
        if isinstance(body, dict) and isinstance(body.get("proxies"), list):
            body = body["proxies"]
        if not isinstance(body, list) or not all(isinstance(p, dict) for p in body):
            raise ApiError(400, "bad request body: expected a JSON list of proxies")
        created = []
        for fields in body:
            name = fields.get("name")
            existing = self.proxies.get(name) if isinstance(name, str) else None
            if existing is not None:
                listen = fields.get("listen") or existing.listen
                if not isinstance(listen, str):
                    raise ApiError(400, f"listen must be host:port, got {listen!r}")
                same_listen = listen == existing.listen or listen.endswith(":0")
                if fields.get("upstream") == existing.upstream and same_listen:
                    if "enabled" in fields:
                        await existing.set_enabled(bool(fields["enabled"]))
                    created.append(existing.to_json())
                    continue
                await existing.stop()
                del self.proxies[existing.name]
            created.append((await self.create(fields)).to_json())
        return 201, {"proxies": created}

    async def reset(self) -> Answer:
        """Enable every proxy and remove every toxic."""
        for proxy in self.proxies.values():
            proxy.remove_all_toxics()
            await proxy.set_enabled(True)
        return 204, None

    async def close(self) -> None:
        """Stop every proxy (server shutdown)."""
        for proxy in list(self.proxies.values()):
            await proxy.stop()
        self.proxies.clear()

    # -- toxics ------------------------------------------------------------

    def _one_toxic(self, method: str, proxy: Proxy, name: str, body: bytes) -> Answer:
        spec = proxy.toxics.get(name)
        if spec is None:
            raise ApiError(404, "toxic not found")
        if method == "GET":
            return 200, spec.to_json()
        if method in ("POST", "PATCH"):
            fields = _object(body)
            changed = fields.get("attributes") or {}
            if not isinstance(changed, dict):
                raise ApiError(
                    400, f"bad attributes for {spec.type}: attributes must be a JSON object"
                )
            attributes = {**spec.toxic.attributes, **changed}
            toxicity = self._toxicity(fields.get("toxicity", spec.toxicity))
            new = ToxicSpec(
                spec.name, spec.type, spec.stream, toxicity, self._toxic(spec.type, attributes)
            )
            proxy.replace_toxic(new)
            return 200, new.to_json()
        if method == "DELETE":
            proxy.remove_toxic(name)
            return 204, None
        raise ApiError(405, f"method {method} not allowed on a toxic")

    def add_toxic(self, proxy: Proxy, fields: dict[str, Any]) -> ToxicSpec:
        """Validate and add a toxic (400 unknown type/stream/attribute, 409 name taken)."""
        type_name = fields.get("type")
        if not isinstance(type_name, str) or type_name not in TOXICS:
            known = ", ".join(TOXICS)
            raise ApiError(400, f"invalid toxic type: {type_name!r} (known: {known})")
        stream = fields.get("stream") or "downstream"
        if not isinstance(stream, str) or stream not in STREAMS:
            raise ApiError(400, "stream was invalid, can be either upstream or downstream")
        name = fields.get("name") or f"{type_name}_{stream}"
        if not isinstance(name, str) or "/" in name:
            raise ApiError(400, f"invalid toxic name {name!r}")
        toxicity = self._toxicity(fields.get("toxicity", 1.0))
        spec = ToxicSpec(
            name, type_name, stream, toxicity, self._toxic(type_name, fields.get("attributes"))
        )
        proxy.add_toxic(spec)
        return spec

    @staticmethod
    def _toxic(type_name: str, attributes: Any) -> Any:
        try:
            return TOXICS[type_name](attributes)
        except InvalidAttribute as exc:
            raise ApiError(400, f"bad attributes for {type_name}: {exc}") from exc

    @staticmethod
    def _toxicity(value: Any) -> float:
        if isinstance(value, bool) or not isinstance(value, int | float) or not 0 <= value <= 1:
            raise ApiError(400, f"toxicity must be a number from 0 to 1, got {value!r}")
        return float(value)
