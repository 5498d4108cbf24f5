"""HTTP to handler: auth, routing, params, expand, the error envelope, ``Request-Id``."""

from __future__ import annotations

import base64
import hmac
import logging
from collections.abc import Awaitable
from typing import Any

from paychaos.stripe_emulator.errors import StripeApiError
from paychaos.stripe_emulator.expand import expand
from paychaos.stripe_emulator.faults.api.context import ApiCallContext
from paychaos.stripe_emulator.forms import decode_form
from paychaos.stripe_emulator.http_server import HttpRequest, HttpResponse
from paychaos.stripe_emulator.jsonenc import dumps, dumps_sorted
from paychaos.stripe_emulator.params import check_fields
from paychaos.stripe_emulator.routes import stripe_router
from paychaos.stripe_emulator.routing import Call, Router
from paychaos.stripe_emulator.state import EmulatorState
from paychaos.stripe_emulator.versions import NEWEST_VERSION, check_version, render

log = logging.getLogger(__name__)

CONTROL_PREFIX = "/_paychaos/"


def api_key_of(authorization: str | None) -> str | None:
    """The API key in a Bearer or Basic ``Authorization`` header, or None."""
    if not authorization:
        return None
    scheme, _, value = authorization.partition(" ")
    scheme = scheme.lower()
    if scheme == "bearer":
        return value.strip() or None
    if scheme == "basic":
        try:
            decoded = base64.b64decode(value.strip(), validate=True).decode("utf-8")
        except (ValueError, UnicodeDecodeError):
            return None
        return decoded.partition(":")[0] or None
    return None


def check_auth(state: EmulatorState, headers: dict[str, str]) -> None:
    """Raise Stripe's 401 unless the request carries the emulator's API key."""
    header = headers.get("authorization")
    key = api_key_of(header)
    if key is None:
        raise StripeApiError(
            401,
            "You did not provide an API key. You need to provide your API key in the "
            "Authorization header, using Bearer auth (e.g. 'Authorization: Bearer "
            "YOUR_SECRET_KEY').",
        )
    if key != state.config.api_key:
        shown = key[:8] + "*" * 4 + key[-4:] if len(key) > 12 else "****"
        raise StripeApiError(401, f"Invalid API Key provided: {shown}", code="api_key_invalid")


#: Header by which the harness's own REST calls show the emulator's control token.
HARNESS_HEADER = "paychaos-harness-token"


def _from_harness(state: EmulatorState, headers: dict[str, str]) -> bool:
    token = state.config.control_token
    given = headers.get(HARNESS_HEADER)
    return bool(token) and given is not None and hmac.compare_digest(given.encode(), token.encode())


def _never(store: bool) -> HttpResponse:  # "before" faults never run the endpoint
    raise AssertionError("a 'before' fault must not run the endpoint")


def _ignore(response: HttpResponse) -> None:
    pass


def _nothing() -> None:
    pass


def json_response(
    status: int,
    body: Any,
    request_id: str,
    extra: list[tuple[str, str]] | None = None,
    version: str = NEWEST_VERSION,
) -> HttpResponse:
    """A JSON response with Stripe's headers (``version`` is the API version it is shown in)."""
    headers = [("Request-Id", request_id), ("Stripe-Version", version)]
    if extra:
        headers.extend(extra)
    return HttpResponse(status, dumps(body), headers)


def error_response(
    error: StripeApiError, request_id: str, version: str = NEWEST_VERSION
) -> HttpResponse:
    """Stripe's error envelope for ``error``."""
    return json_response(
        error.status, error.envelope(), request_id, list(error.headers), version=version
    )


class EmulatorApp:
    """The request handler the HTTP server calls for every request."""

    def __init__(self, state: EmulatorState, router: Router | None = None) -> None:
        from paychaos.stripe_emulator.control_api import ControlApi

        self.state = state
        self.router = router or stripe_router()
        self.control = ControlApi(state)
        self._requests = 0
        self._faulted = ""  # the request id of the last call an API fault answered

    def _request_id(self) -> str:
        self._requests += 1
        return f"req_{self.state.seed:x}{self._requests:014d}"

    def __call__(self, request: HttpRequest) -> HttpResponse | Awaitable[HttpResponse]:
        request_id = self._request_id()
        path, _, query = request.target.partition("?")
        control = path.startswith(CONTROL_PREFIX)
        try:
            if control:
                return self.control.handle(request, path, query, request_id)
            response = self.handle_api(request, path, query, request_id)
        except StripeApiError as exc:
            response = error_response(exc, request_id)
        except Exception:
            log.exception("emulator bug while handling %s %s", request.method, path)
            response = error_response(
                StripeApiError(500, "The emulator failed on this request.", type="api_error"),
                request_id,
            )
        shadow = self.state.shadow
        if shadow is not None and not control:
            # A fault's answer is not a verdict on the request: its parameters had passed.
            faulted = self._faulted == request_id
            shadow.observe(request, request_id, None if faulted else response)
        return response

    def handle_api(
        self, request: HttpRequest, path: str, query: str, request_id: str
    ) -> HttpResponse | Awaitable[HttpResponse]:
        """A Stripe v1 request: authenticate, route, validate, run, expand."""
        state = self.state
        check_auth(state, request.headers)
        requested = request.headers.get("stripe-version")
        version = check_version(requested) if requested else state.config.api_version
        method = request.method
        match = self.router.match(method, path)
        if match is None:
            raise StripeApiError(404, f"Unrecognized request URL ({method}: {path}).")
        route, args = match
        raw = decode_form(request.body if method == "POST" else query)
        params = check_fields(self.router.accepted(route), raw)
        key = request.headers.get("idempotency-key") if method == "POST" else None
        call = Call(
            state,
            params,
            args,
            path,
            request={"id": request_id, "idempotency_key": key},
            version=version,
        )
        faults = state.api_faults
        # The harness's own calls (reading a session back, as Stripe's dashboard would) carry
        # the control token and never meet an API fault meant for the app: they neither fail
        # nor use up a rule's ``first`` count.
        harness = _from_harness(state, request.headers)
        rule = faults.match(method, path) if faults.rules and not harness else None
        action: Any = rule.action if rule is not None else None
        if action is not None:
            self._faulted = request_id
        if action is not None and action.phase == "before":
            # Stripe failed before the endpoint ran: nothing is stored under the key.
            return action.run(ApiCallContext(request_id, _never, _ignore, _nothing))
        entry = None
        if key is not None:
            fingerprint = path + "\n" + dumps_sorted(raw).decode()
            begun = state.idempotency.begin(key, fingerprint, state.now())
            if isinstance(begun, HttpResponse):
                return begun
            entry = begun

        def execute(store: bool) -> HttpResponse:
            try:
                response = self.run(call, route, request_id)
            except StripeApiError as exc:
                response = error_response(exc, request_id)
            except Exception:
                log.exception("emulator bug while handling %s %s", method, path)
                response = error_response(
                    StripeApiError(500, "The emulator failed on this request.", type="api_error"),
                    request_id,
                )
            if key is not None:
                response.headers.append(("Idempotency-Key", key))
            if store and entry is not None:
                state.idempotency.finish(entry, response)
            return response

        if action is None:
            return execute(True)

        def store(response: HttpResponse) -> None:
            if entry is not None:
                if key is not None:
                    response.headers.append(("Idempotency-Key", key))
                state.idempotency.finish(entry, response)

        def release() -> None:
            if entry is not None:
                state.idempotency.release(entry)

        return action.run(ApiCallContext(request_id, execute, store, release))  # type: ignore[no-any-return]

    def run(self, call: Call, route: Any, request_id: str) -> HttpResponse:
        """Run the handler and serialise its answer."""
        obj = route.handler(call)
        if call.expand:
            obj = expand(obj, call.expand, self.state.resolve, self.state.virtual_field)
        version = call.version or self.state.config.api_version
        return json_response(200, render(self.state, obj, version), request_id, version=version)
