"""Drives the emulator the way an app pinned to some stripe-python would, from its own venv.

Stdlib and ``stripe`` only: each compatibility venv runs this file with its own
python, against an emulator the test started. ``--client stripe`` goes through
the installed library (module-level resources, ``StripeClient``, and
``stripe.Webhook.construct_event`` for the signatures); ``--client raw`` sends
hand-built form bodies like the Stripe CLI or curl and checks signatures with
``hmac``. The last stdout line is a JSON report: ``{"library", "checks", "events"}``;
a failed check exits 1 with the reason on stderr.

    python stripe_compat_driver.py --url http://127.0.0.1:PORT --key sk_test_x --client stripe
"""

from __future__ import annotations

import argparse
import base64
import hashlib
import hmac
import http.server
import json
import sys
import threading
import urllib.error
import urllib.parse
import urllib.request
from typing import Any

SUCCESS_URL = "http://127.0.0.1/success?session_id={CHECKOUT_SESSION_ID}"
CANCEL_URL = "http://127.0.0.1/cancel"


class CheckFailed(Exception):
    """A step did not see what Stripe would have answered."""


def expect(condition: bool, what: str) -> None:
    """Fail the run with ``what`` unless ``condition`` holds."""
    if not condition:
        raise CheckFailed(what)


class WebhookReceiver:
    """A loopback HTTP server that keeps every POST's body and ``Stripe-Signature``."""

    def __init__(self) -> None:
        self.deliveries: list[tuple[bytes, str]] = []
        received = self.deliveries

        class Handler(http.server.BaseHTTPRequestHandler):
            def do_POST(self) -> None:
                body = self.rfile.read(int(self.headers.get("Content-Length", "0")))
                received.append((body, self.headers.get("Stripe-Signature", "")))
                self.send_response(200)
                self.send_header("Content-Length", "0")
                self.end_headers()

            def log_message(self, *args: Any) -> None:
                pass

        self.server = http.server.ThreadingHTTPServer(("127.0.0.1", 0), Handler)
        self.url = f"http://127.0.0.1:{self.server.server_address[1]}/webhooks/stripe"
        threading.Thread(target=self.server.serve_forever, daemon=True).start()

    def close(self) -> None:
        self.server.shutdown()
        self.server.server_close()


class Control:
    """The emulator's control API (JSON bodies) over urllib."""

    def __init__(self, url: str, key: str) -> None:
        self.url = url.rstrip("/") + "/_paychaos"
        self.key = key

    def call(self, method: str, path: str, body: dict[str, Any] | None = None) -> Any:
        data = json.dumps(body or {}).encode() if method == "POST" else None
        request = urllib.request.Request(self.url + path, data=data, method=method)
        request.add_header("Authorization", f"Bearer {self.key}")
        request.add_header("Content-Type", "application/json")
        with urllib.request.urlopen(request, timeout=30) as response:
            return json.loads(response.read())

    def complete(self, session_id: str, outcome: str) -> None:
        self.call("POST", f"/checkout/sessions/{session_id}/complete", {"outcome": outcome})

    def settle(self, session_id: str, succeeded: bool) -> None:
        path = f"/checkout/sessions/{session_id}/async_payment"
        self.call("POST", path, {"succeeded": succeeded})

    def drain(self) -> None:
        self.call("POST", "/deliveries/drain")

    def event_count(self) -> int:
        return len(self.call("GET", "/events")["data"])


def _events_of(verified: list[dict[str, Any]], event_type: str, object_id: str) -> list[Any]:
    return [e for e in verified if e["type"] == event_type and e["object_id"] == object_id]


# -- through the stripe library --------------------------------------------------------------


def run_with_stripe(url: str, key: str, control: Control, receiver: WebhookReceiver) -> dict:
    """Every flow through this venv's stripe-python; returns the report."""
    import stripe

    stripe.api_key = key
    stripe.api_base = url
    stripe.max_network_retries = 0
    checks: list[str] = []

    endpoint = stripe.WebhookEndpoint.create(url=receiver.url, enabled_events=["*"])
    secret = endpoint.secret
    expect(bool(secret) and secret.startswith("whsec_"), "the endpoint carries its secret")

    product = stripe.Product.create(name="Pro plan", active=True, metadata={"tier": 2})
    expect(product.active is True and product.metadata["tier"] == "2", "product fields")
    price = stripe.Price.create(
        product=product.id,
        currency="usd",
        unit_amount=1500,
        recurring={"interval": "month"},
        active=True,
    )
    expect(price.recurring.interval == "month", "recurring price")
    checks.append("product+price")

    def new_session() -> Any:
        return stripe.checkout.Session.create(
            mode="subscription",
            line_items=[{"price": price.id, "quantity": 1}],
            success_url=SUCCESS_URL,
            cancel_url=CANCEL_URL,
            client_reference_id="company-7",
            metadata={"company_id": "7", "plan": "pro"},
            subscription_data={"metadata": {"company_id": "7"}},
            allow_promotion_codes=True,
            expand=["line_items"],
        )

    session = new_session()
    expect(session.status == "open" and session.url, "an open session with a URL")
    expect(session.line_items.data[0].price.id == price.id, "expand=[line_items] on create")
    checks.append("checkout.create")

    control.complete(session.id, "paid")
    control.drain()
    verified = verify_all(receiver, secret, lambda body, sig: _construct(stripe, body, sig, secret))
    completed = _events_of(verified, "checkout.session.completed", session.id)
    expect(len(completed) == 1, f"one checkout.session.completed for {session.id}")
    obj = completed[0]["object"]
    expect(obj["client_reference_id"] == "company-7", "client_reference_id in the webhook")
    expect(obj["metadata"] == {"company_id": "7", "plan": "pro"}, "metadata in the webhook")
    expect(obj["payment_status"] == "paid", "paid in the webhook")
    expect_forgery_rejected(
        lambda body, sig: _construct(stripe, body, sig, secret), receiver, stripe
    )
    checks.append("paid+webhook-verified")

    retrieved = stripe.checkout.Session.retrieve(session.id, expand=["subscription", "line_items"])
    subscription = retrieved.subscription
    expect(subscription.object == "subscription", "expand=[subscription] on retrieve")
    expect(subscription.status == "active", "the paid subscription is active")
    expect(subscription.metadata["company_id"] == "7", "subscription_data[metadata]")
    again = stripe.Subscription.retrieve(subscription.id)
    expect(again.id == subscription.id and again.status == "active", "subscription retrieve")
    checks.append("retrieve+expand")

    canceled = stripe.Subscription.cancel(subscription.id, invoice_now=False, prorate=False)
    expect(canceled.status == "canceled", "subscription canceled")
    checks.append("cancel")

    delayed = new_session()
    control.complete(delayed.id, "delayed")
    control.settle(delayed.id, True)
    control.drain()
    verified = verify_all(receiver, secret, lambda body, sig: _construct(stripe, body, sig, secret))
    expect(
        len(_events_of(verified, "checkout.session.async_payment_succeeded", delayed.id)) == 1,
        "checkout.session.async_payment_succeeded for the delayed session",
    )
    checks.append("delayed-payment")

    first = stripe.Product.list(active=True, limit=1)
    expect(len(first.data) == 1 and first.has_more is False, "Product.list(active=True)")
    prices = stripe.Price.list(product=product.id, active=True)
    expect([p.id for p in prices.data] == [price.id], "Price.list(product, active)")
    sessions = stripe.checkout.Session.list(limit=1)
    expect(len(sessions.data) == 1 and sessions.has_more, "Session.list(limit=1)")
    every = list(stripe.Event.list(limit=3).auto_paging_iter())
    expect(len(every) == control.event_count(), "auto_paging_iter reaches every event")
    checks.append("lists")

    emptied = stripe.Product.modify(product.id, metadata="")
    expect(emptied.metadata.to_dict() == {}, 'metadata="" empties metadata')
    try:
        stripe.Product.create(name="x", colour="red")
    except stripe.InvalidRequestError as exc:
        expect(exc.param == "colour" and exc.http_status == 400, "unknown param named")
    else:
        raise CheckFailed("an unknown parameter was accepted")
    checks.append("unset+unknown-param")

    client = stripe.StripeClient(key, base_addresses={"api": url}, max_network_retries=0)
    services = getattr(client, "v1", client)  # the v1 namespace exists from stripe 12 on
    customer = services.customers.create(params={"email": "c@example.com", "metadata": {"n": 1}})
    expect(customer.metadata["n"] == "1", "StripeClient customers.create")
    listed = services.customers.list(params={"email": "c@example.com", "limit": 10})
    expect([c.id for c in listed.data] == [customer.id], "StripeClient customers.list")
    checks.append("stripe-client")

    events = sorted({e["type"] for e in verified})
    return {"library": f"stripe {stripe.VERSION}", "checks": checks, "events": events}


def _construct(stripe: Any, body: bytes, signature: str, secret: str) -> dict[str, Any]:
    event = stripe.Webhook.construct_event(body.decode("utf-8"), signature, secret)
    obj = event.data.object
    return {"type": event.type, "object_id": obj.id, "object": obj.to_dict()}


def verify_all(receiver: WebhookReceiver, secret: str, verify: Any) -> list[dict[str, Any]]:
    """Every delivery so far, each verified by ``verify`` (raises on a bad signature)."""
    return [verify(body, signature) for body, signature in list(receiver.deliveries)]


def expect_forgery_rejected(verify: Any, receiver: WebhookReceiver, stripe: Any = None) -> None:
    """A delivered body with one byte changed must fail verification."""
    body, signature = receiver.deliveries[0]
    forged = body.replace(b'"livemode": false', b'"livemode": true ', 1)
    expect(forged != body, "the forgery changed the body")
    rejected: tuple[type[BaseException], ...] = (
        (stripe.SignatureVerificationError,) if stripe else (CheckFailed,)
    )
    try:
        verify(forged, signature)
    except rejected:
        return
    raise CheckFailed("a forged webhook body passed signature verification")


# -- hand-built form bodies (Stripe CLI / curl style) ----------------------------------------


class RawApi:
    """Plain urllib with form bodies written by hand, Basic auth like ``curl -u key:``."""

    def __init__(self, url: str, key: str) -> None:
        self.url = url.rstrip("/")
        self.auth = "Basic " + base64.b64encode(f"{key}:".encode()).decode()

    def call(self, method: str, path: str, form: str = "") -> tuple[int, dict[str, Any]]:
        target = self.url + path
        data = None
        if method == "POST":
            data = form.encode()
        elif form:
            target += "?" + form
        request = urllib.request.Request(target, data=data, method=method)
        request.add_header("Authorization", self.auth)
        if data is not None:
            request.add_header("Content-Type", "application/x-www-form-urlencoded")
        try:
            with urllib.request.urlopen(request, timeout=30) as response:
                return response.status, json.loads(response.read())
        except urllib.error.HTTPError as exc:
            return exc.code, json.loads(exc.read())

    def ok(self, method: str, path: str, form: str = "") -> dict[str, Any]:
        status, body = self.call(method, path, form)
        expect(status == 200, f"{method} {path} {form!r} answered {status}: {body}")
        return body


def _verify_by_hand(body: bytes, header: str, secret: str) -> dict[str, Any]:
    fields = dict(part.split("=", 1) for part in header.split(",") if "=" in part)
    expected = hmac.new(
        secret.encode(), fields.get("t", "").encode() + b"." + body, hashlib.sha256
    ).hexdigest()
    signatures = [v for k, v in (p.split("=", 1) for p in header.split(",")) if k == "v1"]
    if not any(hmac.compare_digest(expected, s) for s in signatures):
        raise CheckFailed("signature mismatch")
    event = json.loads(body)
    obj = event["data"]["object"]
    return {"type": event["type"], "object_id": obj["id"], "object": obj}


def run_raw(url: str, key: str, control: Control, receiver: WebhookReceiver) -> dict:
    """The same checkout through hand-built form bodies; returns the report."""
    api = RawApi(url, key)
    q = urllib.parse.quote
    checks: list[str] = []

    endpoint = api.ok(
        "POST", "/v1/webhook_endpoints", f"url={q(receiver.url, safe='')}&enabled_events[]=*"
    )
    secret = endpoint["secret"]
    product = api.ok("POST", "/v1/products", "name=Pro+plan&active=true&metadata[tier]=2")
    price = api.ok(
        "POST",
        "/v1/prices",
        f"product={product['id']}&currency=usd&unit_amount=1500&recurring[interval]=month",
    )
    checks.append("product+price")

    form = "&".join(
        [
            "mode=subscription",
            f"line_items[][price]={price['id']}",
            "line_items[][quantity]=1",
            f"success_url={q(SUCCESS_URL, safe='')}",
            f"cancel_url={q(CANCEL_URL, safe='')}",
            "client_reference_id=company-7",
            "metadata[company_id]=7",
            "metadata[plan]=pro",
            "allow_promotion_codes=true",
            "expand[]=line_items",
        ]
    )
    session = api.ok("POST", "/v1/checkout/sessions", form)
    expect(session["line_items"]["data"][0]["price"]["id"] == price["id"], "expand[] on create")
    checks.append("checkout.create")

    control.complete(session["id"], "paid")
    control.drain()
    verified = verify_all(receiver, secret, lambda b, s: _verify_by_hand(b, s, secret))
    completed = _events_of(verified, "checkout.session.completed", session["id"])
    expect(len(completed) == 1, "one checkout.session.completed")
    expect(completed[0]["object"]["metadata"] == {"company_id": "7", "plan": "pro"}, "metadata")
    expect_forgery_rejected(lambda b, s: _verify_by_hand(b, s, secret), receiver)
    checks.append("paid+webhook-verified")

    retrieved = api.ok(
        "GET", f"/v1/checkout/sessions/{session['id']}", "expand[]=subscription&expand[]=customer"
    )
    subscription = retrieved["subscription"]
    expect(subscription["status"] == "active", "expand[]=subscription on retrieve")
    checks.append("retrieve+expand")
    canceled = api.ok("DELETE", f"/v1/subscriptions/{subscription['id']}", "prorate=false")
    expect(canceled["status"] == "canceled", "DELETE cancels")
    checks.append("cancel")

    listed = api.ok("GET", "/v1/products", "active=true&limit=1")
    expect(len(listed["data"]) == 1, "GET list with a boolean filter")
    checks.append("lists")

    emptied = api.ok("POST", f"/v1/products/{product['id']}", "metadata=")
    expect(emptied["metadata"] == {}, "metadata= empties metadata")
    status, error = api.call("POST", "/v1/products", "name=x&colour=red")
    expect(status == 400 and error["error"]["param"] == "colour", "unknown param named")
    status, error = api.call("POST", "/v1/products", "name=x&active=yes")
    expect(status == 400 and error["error"]["param"] == "active", "bad boolean named")
    checks.append("unset+unknown-param")

    return {
        "library": "raw form",
        "checks": checks,
        "events": sorted({e["type"] for e in verified}),
    }


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--url", required=True, help="the emulator's base URL")
    parser.add_argument("--key", required=True, help="the emulator's API key")
    parser.add_argument("--client", choices=("stripe", "raw"), default="stripe")
    parser.add_argument("--control-token", required=True, help="the control API's own token")
    args = parser.parse_args()
    control = Control(args.url, args.control_token)
    receiver = WebhookReceiver()
    try:
        run = run_with_stripe if args.client == "stripe" else run_raw
        report = run(args.url, args.key, control, receiver)
    except CheckFailed as exc:
        print(f"check failed: {exc}", file=sys.stderr)
        return 1
    finally:
        receiver.close()
    print(json.dumps(report))
    return 0


if __name__ == "__main__":
    sys.exit(main())
