"""A success page whose script mis-renders an error, served beside the reference app.

Test-only: the reference app's own page stays honest. This page asks the same validate
endpoint (through this server, which forwards the call to the app untouched) but shows
"Payment failed" for any HTTP error, where the reference page keeps confirming. The
adapter's model of the page (the reference one) still says "pending" for such an answer,
so only a real browser sees what the customer is told.
"""

from __future__ import annotations

import threading
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from typing import Any
from urllib.parse import quote

import requests

from paychaos.net import LOOPBACK
from paychaos.reference_app.adapter import ReferenceAppAdapter

PAGE = """<!doctype html>
<html lang="en"><head><meta charset="utf-8"><title>Payment</title></head>
<body><h1 id="result">Confirming your payment...</h1>
<script>
const id = new URLSearchParams(location.search).get("session_id");
fetch(`/api/payments/validate/${encodeURIComponent(id)}/`, {method: "POST"})
  .then(async (resp) => {
    const body = await resp.json();
    const result = document.getElementById("result");
    if (!resp.ok) { result.textContent = "Payment failed"; return; }  // the bug
    if (body.status === "success") { result.textContent = "Payment successful"; return; }
    if (body.status === "failed") { result.textContent = "Payment failed"; return; }
    setTimeout(() => location.reload(), 1000);
  });
</script></body></html>
"""


class MisrenderingPageAdapter(ReferenceAppAdapter):
    """The reference app, its success page replaced by ``PAGE`` on a loopback server."""

    name = "reference-misrendering-page"

    def __init__(self, *args: Any, **kwargs: Any):
        super().__init__(*args, **kwargs)
        self._server: ThreadingHTTPServer | None = None

    def start(self, wiring: Any) -> None:
        super().start(wiring)
        if self._server is None:
            self._server = _serve(self)

    def close(self) -> None:
        if self._server is not None:
            self._server.shutdown()
            self._server.server_close()
            self._server = None
        super().close()

    def success_page_url(self, session_id: str) -> str | None:
        assert self._server is not None
        port = self._server.server_address[1]
        return f"http://{LOOPBACK}:{port}/payments/success/?session_id={quote(session_id)}"


def _serve(adapter: ReferenceAppAdapter) -> ThreadingHTTPServer:
    class Handler(BaseHTTPRequestHandler):
        def do_GET(self) -> None:
            self._send(200, "text/html; charset=utf-8", PAGE.encode())

        def do_POST(self) -> None:  # the page's validate, forwarded to the app as it is
            answer = requests.post(f"{adapter.base_url}{self.path}", timeout=10)
            self._send(answer.status_code, "application/json", answer.content)

        def _send(self, status: int, kind: str, body: bytes) -> None:
            self.send_response(status)
            self.send_header("Content-Type", kind)
            self.send_header("Content-Length", str(len(body)))
            self.end_headers()
            self.wfile.write(body)

        def log_message(self, *args: Any) -> None:
            pass

    server = ThreadingHTTPServer((LOOPBACK, 0), Handler)
    threading.Thread(target=server.serve_forever, daemon=True).start()
    return server
