"""The fault-proxy API refuses requests without its token, and what a web page could send."""

from __future__ import annotations

import requests

from paychaos.faults import FaultProxyServer, Faults, open_faults


def _post_json(url: str, body: object, **headers: str) -> requests.Response:
    return requests.post(url, json=body, headers=headers, timeout=5)


def test_the_harness_proxy_demands_its_token_on_every_request(redis_address):
    with open_faults(seed=0, env={}) as faults:
        url = faults.url
        assert requests.get(f"{url}/version", timeout=5).status_code == 401
        assert requests.get(f"{url}/proxies", timeout=5).status_code == 401
        wrong = {"Authorization": "Bearer not-the-token"}
        refused = _post_json(f"{url}/proxies", {"name": "x", "upstream": redis_address}, **wrong)
        assert refused.status_code == 401
        assert "token" in refused.json()["error"]
        assert faults.proxies == {}
        assert requests.post(f"{url}/reset", timeout=5).status_code == 401
        faults.proxy("redis", upstream=redis_address)  # the harness's own client has it
        assert set(faults._api("GET", "/proxies").json()) == {"redis"}


def test_a_token_does_not_excuse_a_foreign_host(redis_address):
    with FaultProxyServer(token="sekrit") as server:
        headers = {"Authorization": "Bearer sekrit", "Host": f"attacker.example:{server.port}"}
        answer = requests.get(f"{server.url}/proxies", headers=headers, timeout=5)
        assert answer.status_code == 403
        ok = requests.get(
            f"{server.url}/proxies", headers={"Authorization": "Bearer sekrit"}, timeout=5
        )
        assert ok.status_code == 200


def test_without_a_token_toxiproxy_clients_work_but_browser_requests_are_refused(redis_address):
    with FaultProxyServer() as server, Faults(server.url) as faults:
        url = server.url
        # What Toxiproxy clients send: JSON bodies, bodyless POST /reset, plain GETs.
        assert requests.get(f"{url}/version", timeout=5).status_code == 200
        created = _post_json(f"{url}/proxies", {"name": "ok", "upstream": redis_address})
        assert created.status_code == 201
        assert requests.post(f"{url}/reset", timeout=5).status_code in (200, 204)

        # A text/plain POST needs no CORS preflight: any page could send it.
        plain = requests.post(
            f"{url}/proxies",
            data=f'{{"name": "evil", "upstream": "{redis_address}"}}',
            headers={"Content-Type": "text/plain"},
            timeout=5,
        )
        assert plain.status_code == 415
        form = requests.post(f"{url}/proxies/ok", data={"enabled": "false"}, timeout=5)
        assert form.status_code == 415
        # DNS rebinding: the page's own domain, resolved to 127.0.0.1.
        rebound = requests.get(
            f"{url}/proxies", headers={"Host": f"rebind.example:{server.port}"}, timeout=5
        )
        assert rebound.status_code == 403
        assert "Host" in rebound.json()["error"]
        cross_site = _post_json(
            f"{url}/proxies",
            {"name": "evil2", "upstream": redis_address},
            Origin="https://attacker.example",
        )
        assert cross_site.status_code == 403
        listed = faults._api("GET", "/proxies").json()
        assert set(listed) == {"ok"} and listed["ok"]["enabled"] is True
        for host in ("localhost", "127.0.0.1", "[::1]"):
            assert (
                requests.get(
                    f"{url}/version", headers={"Host": f"{host}:{server.port}"}, timeout=5
                ).status_code
                == 200
            )
