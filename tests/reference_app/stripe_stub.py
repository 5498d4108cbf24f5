"""A minimal Stripe API on loopback for the app's own tests: sessions by id, or a 500.

Real HTTP through the real ``stripe`` library; only what the validate path
reads. The full emulator (``harness/stripe_emulator``) serves end-to-end runs.
"""

from __future__ import annotations

import json
import threading
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from typing import Any
from urllib.parse import parse_qs


class StripeStub:
    """Serves sessions from ``sessions``; records POSTs (sessions, products, prices) in ``posts``;
    ``fail`` makes every call answer 500."""

    def __init__(self) -> None:
        self.sessions: dict[str, dict[str, Any]] = {}
        self.fail = False
        self.requests = 0
        self.posts: list[tuple[str, dict[str, list[str]]]] = []
        stub = self

        class Handler(BaseHTTPRequestHandler):
            def log_message(self, *args: Any) -> None:
                pass

            def do_GET(self) -> None:
                stub.requests += 1
                if stub.fail:
                    return self._reply(500, {"error": {"type": "api_error", "message": "boom"}})
                prefix = "/v1/checkout/sessions/"
                sid = self.path.split("?")[0].removeprefix(prefix)
                if self.path.startswith(prefix) and sid in stub.sessions:
                    return self._reply(200, stub.sessions[sid])
                return self._reply(
                    404,
                    {
                        "error": {
                            "type": "invalid_request_error",
                            "code": "resource_missing",
                            "message": "no such session",
                        }
                    },
                )

            def do_POST(self) -> None:
                stub.requests += 1
                length = int(self.headers.get("Content-Length") or 0)
                form = parse_qs(self.rfile.read(length).decode())
                stub.posts.append((self.path, form))
                if stub.fail:
                    return self._reply(500, {"error": {"type": "api_error", "message": "boom"}})
                n = len(stub.posts)
                if self.path == "/v1/checkout/sessions":
                    session = {
                        "id": f"cs_test_stub{n}",
                        "object": "checkout.session",
                        "status": "open",
                        "payment_status": "unpaid",
                        "url": f"{stub.url}/pay/cs_test_stub{n}",
                    }
                    stub.sessions[session["id"]] = session
                    return self._reply(200, session)
                if self.path == "/v1/products":
                    return self._reply(200, {"id": f"prod_stub{n}", "object": "product"})
                if self.path == "/v1/prices":
                    return self._reply(200, {"id": f"price_stub{n}", "object": "price"})
                return self._reply(
                    404, {"error": {"type": "invalid_request_error", "message": "no route"}}
                )

            def _reply(self, status: int, body: dict[str, Any]) -> None:
                data = json.dumps(body).encode()
                self.send_response(status)
                self.send_header("Content-Type", "application/json")
                self.send_header("Content-Length", str(len(data)))
                self.send_header("Request-Id", "req_stub")
                self.end_headers()
                self.wfile.write(data)

        self.server = ThreadingHTTPServer(("127.0.0.1", 0), Handler)
        self.server.daemon_threads = True
        self.url = f"http://127.0.0.1:{self.server.server_address[1]}"
        self._thread = threading.Thread(target=self.server.serve_forever, args=(0.05,), daemon=True)
        self._thread.start()

    def close(self) -> None:
        self.server.shutdown()
        self.server.server_close()
