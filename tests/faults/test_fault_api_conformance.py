"""Toxiproxy's HTTP API as the embedded server speaks it: shapes, status codes, bad input."""

from __future__ import annotations

import pytest
import requests

from paychaos.faults import FaultProxyServer


@pytest.fixture
def api(fault_server: FaultProxyServer):
    session = requests.Session()
    base = fault_server.url

    def call(method: str, path: str, body=None, raw: bytes | None = None):
        if raw is not None:
            headers = {"Content-Type": "application/json"}  # garbage, labelled as JSON
            return session.request(method, base + path, data=raw, headers=headers, timeout=5)
        return session.request(method, base + path, json=body, timeout=5)

    yield call
    for name in call("GET", "/proxies").json():
        call("DELETE", f"/proxies/{name}")
    session.close()


def _error(response, status: int) -> str:
    assert response.status_code == status
    body = response.json()
    assert body["status"] == status
    return body["error"]


def test_proxy_lifecycle_has_toxiproxy_codes_and_shapes(api, redis_address):
    created = api(
        "POST", "/proxies", {"name": "r", "listen": "127.0.0.1:0", "upstream": redis_address}
    )
    assert created.status_code == 201
    proxy = created.json()
    assert set(proxy) == {"name", "listen", "upstream", "enabled", "toxics"}
    assert proxy["enabled"] is True and proxy["toxics"] == []
    assert not proxy["listen"].endswith(":0")
    assert api("GET", "/proxies").json() == {"r": proxy}
    assert api("GET", "/proxies/r").json() == proxy
    patched = api("PATCH", "/proxies/r", {"enabled": False})
    assert patched.status_code == 200 and patched.json()["enabled"] is False
    assert api("POST", "/proxies/r", {"enabled": True}).json()["enabled"] is True
    assert api("DELETE", "/proxies/r").status_code == 204
    assert "not found" in _error(api("GET", "/proxies/r"), 404)
    assert "not found" in _error(api("DELETE", "/proxies/r"), 404)


def test_toxic_lifecycle_defaults_update_and_delete(api, redis_address):
    api("POST", "/proxies", {"name": "t", "upstream": redis_address})
    added = api("POST", "/proxies/t/toxics", {"type": "latency", "attributes": {"latency": 10}})
    assert added.status_code == 200
    assert added.json() == {
        "name": "latency_downstream",
        "type": "latency",
        "stream": "downstream",
        "toxicity": 1.0,
        "attributes": {"latency": 10, "jitter": 0},
    }
    assert api("GET", "/proxies/t/toxics").json() == [added.json()]
    updated = api("PATCH", "/proxies/t/toxics/latency_downstream", {"attributes": {"jitter": 3}})
    assert updated.json()["attributes"] == {"latency": 10, "jitter": 3}
    assert api("GET", "/proxies/t").json()["toxics"] == [updated.json()]
    assert api("DELETE", "/proxies/t/toxics/latency_downstream").status_code == 204
    assert "toxic not found" in _error(api("GET", "/proxies/t/toxics/latency_downstream"), 404)


def test_populate_creates_and_replaces_and_reset_heals_everything(api, redis_address):
    listed = [
        {"name": "a", "listen": "127.0.0.1:0", "upstream": redis_address},
        {"name": "b", "listen": "127.0.0.1:0", "upstream": redis_address, "enabled": False},
    ]
    populated = api("POST", "/populate", listed)
    assert populated.status_code == 201
    assert [p["name"] for p in populated.json()["proxies"]] == ["a", "b"]
    api("POST", "/proxies/a/toxics", {"type": "timeout", "attributes": {"timeout": 0}})
    replaced = api("POST", "/populate", [{"name": "a", "upstream": "127.0.0.1:1"}])
    assert replaced.json()["proxies"][0]["upstream"] == "127.0.0.1:1"
    assert replaced.json()["proxies"][0]["toxics"] == []
    api("POST", "/proxies/a/toxics", {"type": "latency", "attributes": {"latency": 5}})
    assert api("POST", "/reset").status_code == 204
    after = api("GET", "/proxies").json()
    assert all(p["enabled"] and p["toxics"] == [] for p in after.values())
    assert api("GET", "/version").json()["version"]


@pytest.mark.parametrize(
    ("toxic", "status", "fragment"),
    [
        ({"type": "earthquake"}, 400, "invalid toxic type"),
        ({"type": "latency", "stream": "sideways"}, 400, "stream was invalid"),
        ({"type": "latency", "attributes": {"latency": "slow"}}, 400, "must be an integer"),
        ({"type": "latency", "attributes": {"latency": -5}}, 400, "must not be negative"),
        ({"type": "latency", "attributes": {"latnecy": 5}}, 400, "unknown attribute"),
        ({"type": "latency", "toxicity": 1.5}, 400, "toxicity"),
    ],
)
def test_bad_toxics_are_refused_and_the_proxy_keeps_serving(
    api, redis_address, make_redis, toxic, status, fragment
):
    proxy = api("POST", "/proxies", {"name": "victim", "upstream": redis_address}).json()
    assert fragment in _error(api("POST", "/proxies/victim/toxics", toxic), status)
    assert api("GET", "/proxies/victim").json()["toxics"] == []
    host, port = proxy["listen"].rsplit(":", 1)
    assert make_redis(host, int(port)).ping()


def test_duplicates_missing_fields_and_garbage_get_toxiproxy_codes(api, redis_address):
    api("POST", "/proxies", {"name": "dup", "upstream": redis_address})
    assert "already exists" in _error(
        api("POST", "/proxies", {"name": "dup", "upstream": redis_address}), 409
    )
    api("POST", "/proxies/dup/toxics", {"type": "latency"})
    assert "already exists" in _error(api("POST", "/proxies/dup/toxics", {"type": "latency"}), 409)
    assert "name" in _error(api("POST", "/proxies", {"upstream": redis_address}), 400)
    assert "upstream" in _error(api("POST", "/proxies", {"name": "x"}), 400)
    assert "bad request body" in _error(api("POST", "/proxies", raw=b"{not json"), 400)
    assert "loopback" in _error(
        api("POST", "/proxies", {"name": "wide", "listen": "0.0.0.0:0", "upstream": redis_address}),
        400,
    )
    assert "proxy not found" in _error(
        api("POST", "/proxies/nope/toxics", {"type": "latency"}), 404
    )
    assert api("GET", "/proxies").status_code == 200  # still serving
