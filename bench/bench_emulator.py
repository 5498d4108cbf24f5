"""Emulator latency per call through the official stripe library.

Creates and retrieves Checkout Sessions (the app's two hot calls) many times
after a warm-up and prints the median (and p90) per call, for the emulator
embedded in this process (a background thread) and as a separate process
(``paychaos emulator``, like stripe-mock). Target: <= 1.2 ms per call.

Then it breaks one call down (``--breakdown`` prints only that): the CPU time of
the client thread (stripe-python, requests, http.client) and of the emulator's
thread per call, the part of the client's spent turning the response into
StripeObjects (timed alone on the same bodies), and the part of the emulator's
spent in its request handler (auth, routing, validation, state, rendering, JSON
encoding; timed alone without HTTP), the rest being its HTTP server, event loop
and sockets. CPU times hold up better than wall times on a shared machine.

    .venv/bin/python bench/bench_emulator.py [--iterations 2000] [--runs 3] [--breakdown]
"""

from __future__ import annotations

import argparse
import itertools
import json
import statistics
import subprocess
import sys
import threading
import time
from typing import Any

import stripe

from paychaos.stripe_emulator import StripeEmulator
from paychaos.stripe_emulator.api import EmulatorApp, json_response
from paychaos.stripe_emulator.http_server import HttpRequest

TARGET_MS = 1.2


def _session_params(client: stripe.StripeClient) -> dict[str, Any]:
    product = client.v1.products.create({"name": "bench"})
    price = client.v1.prices.create(
        {
            "currency": "usd",
            "unit_amount": 1000,
            "product": product.id,
            "recurring": {"interval": "month"},
        }
    )
    return {
        "mode": "subscription",
        "line_items": [{"price": price.id, "quantity": 1}],
        "success_url": "http://127.0.0.1/ok",
        "metadata": {"company_id": "7"},
    }


def _measure(url: str, key: str, iterations: int, warmup: int) -> list[float]:
    client = stripe.StripeClient(key, base_addresses={"api": url})
    params = _session_params(client)
    per_call: list[float] = []
    for i in range(warmup + iterations):
        started = time.perf_counter()
        session = client.v1.checkout.sessions.create(params)
        client.v1.checkout.sessions.retrieve(session.id)
        elapsed = (time.perf_counter() - started) / 2
        if i >= warmup:
            per_call.append(elapsed * 1000)
    return per_call


def _report(label: str, runs: list[list[float]]) -> float:
    medians = [statistics.median(r) for r in runs]
    p90s = [sorted(r)[int(len(r) * 0.9)] for r in runs]
    median = statistics.median(medians)
    verdict = "within" if median <= TARGET_MS else "OVER"
    print(
        f"{label:<34} median {median:.3f} ms/call (runs: {', '.join(f'{m:.3f}' for m in medians)}; "
        f"p90 {statistics.median(p90s):.3f}) -> {verdict} the {TARGET_MS} ms target"
    )
    return median


def bench_embedded(iterations: int, warmup: int, runs: int, faults: bool = False) -> float:
    results = []
    for _ in range(runs):
        with StripeEmulator(delivery="manual") as emu:
            if faults:
                load_non_matching_faults(emu)
            results.append(_measure(emu.url, emu.api_key, iterations, warmup))
    label = "embedded (thread), faults loaded" if faults else "embedded (thread)"
    return _report(label, results)


def load_non_matching_faults(emu: StripeEmulator) -> None:
    """40 API fault rules and 10 delivery rules that never match the benchmark's calls,
    so only checking them costs."""
    ctl = emu.control
    for n in range(20):
        ctl.add_api_fault(
            {"method": "POST", "path": f"/v1/customers/cus_{n}", "action": "error", "status": 500}
        )
        ctl.add_api_fault(
            {"method": "GET", "path": "/v1/invoices/*", "action": "latency", "seconds": 0.5}
        )
    for n in range(10):
        ctl.add_delivery_policy({"event_type": f"never.{n}", "action": "drop"})
    assert len(ctl.api_faults()) == 40 and len(ctl.delivery_policies()) == 10


def bench_process(iterations: int, warmup: int, runs: int) -> float:
    results = []
    for _ in range(runs):
        proc = subprocess.Popen(
            [sys.executable, "-m", "paychaos", "emulator", "--port", "0", "--delivery", "manual"],
            stdout=subprocess.PIPE,
            stderr=subprocess.DEVNULL,
            text=True,
        )
        try:
            url = proc.stdout.readline().strip().split("=", 1)[1]
            key = proc.stdout.readline().strip().split("=", 1)[1]
            results.append(_measure(url, key, iterations, warmup))
        finally:
            proc.terminate()
            proc.wait(10)
    return _report("separate process", results)


def _thread_cpu(thread: threading.Thread) -> float:
    assert thread.ident is not None
    return time.clock_gettime(time.pthread_getcpuclockid(thread.ident))


def _emulator_thread(emu: StripeEmulator) -> threading.Thread:
    name = f"stripe-emulator:{emu.port}"
    return next(t for t in threading.enumerate() if t.name == name)


def _per_call_cpu(work: Any, count: int) -> float:
    """CPU ms of this thread per call of ``work`` (two calls each), run ``count`` times."""
    started = time.thread_time()
    for _ in range(count):
        work()
    return (time.thread_time() - started) / (2 * count) * 1000


def _parse_cost(
    client: stripe.StripeClient, bodies: list[bytes], count: int
) -> tuple[float, float]:
    """stripe-python's own parsing of ``bodies`` alone, what it runs on every answer (JSON
    into OrderedDicts, then StripeObjects): ms per body, and the JSON decoding's part."""
    from stripe._util import _convert_to_stripe_object

    requestor = client._requestor
    headers = {"Request-Id": "req_bench", "Content-Type": "application/json"}

    def parse_both() -> None:
        for body in bodies:
            resp = requestor._interpret_response(body, 200, headers, "V1")
            _convert_to_stripe_object(resp=resp, requestor=requestor, api_mode="V1")

    def decode_both() -> None:
        for body in bodies:
            json.loads(body.decode("utf-8"))

    _per_call_cpu(parse_both, count // 10)
    return _per_call_cpu(parse_both, count), _per_call_cpu(decode_both, count)


def _handler_cost(
    emu: StripeEmulator, params: dict[str, Any], session_id: str, count: int
) -> tuple[float, float]:
    """The emulator's request handler alone (no HTTP) on the benchmark's two requests, as
    stripe-python sends them (a new idempotency key per create): ms per call, and the JSON
    encoding's part."""
    assert emu.state is not None
    app = EmulatorApp(emu.state)
    item = params["line_items"][0]
    form = (
        f"mode={params['mode']}&line_items[0][price]={item['price']}"
        f"&line_items[0][quantity]={item['quantity']}&success_url=http%3A%2F%2F127.0.0.1%2Fok"
        "&metadata[company_id]=7"
    ).encode()
    headers = {
        "authorization": f"Bearer {emu.api_key}",
        "content-type": "application/x-www-form-urlencoded",
        "stripe-version": stripe.api_version,
    }
    keys = itertools.count()
    retrieve = HttpRequest("GET", f"/v1/checkout/sessions/{session_id}", headers, b"", "127.0.0.1")
    answers: list[Any] = []

    def create_and_retrieve() -> None:
        create_headers = {**headers, "idempotency-key": f"bench-{next(keys)}"}
        created = app(HttpRequest("POST", "/v1/checkout/sessions", create_headers, form, "x"))
        answers[:] = [created, app(retrieve)]

    _per_call_cpu(create_and_retrieve, count // 10)
    per_call = _per_call_cpu(create_and_retrieve, count)
    assert all(a.status == 200 for a in answers), [a.body for a in answers]
    objects = [json.loads(a.body) for a in answers]

    def encode_both() -> None:
        for obj in objects:
            json_response(200, obj, "req_bench")

    return per_call, _per_call_cpu(encode_both, count)


def breakdown(iterations: int, warmup: int, runs: int) -> dict[str, float]:
    """Where one call's time goes, embedded emulator, medians over ``runs``."""
    rows: dict[str, list[float]] = {}
    sizes: list[int] = []
    for _ in range(runs):
        with StripeEmulator(delivery="manual") as emu:
            client = stripe.StripeClient(emu.api_key, base_addresses={"api": emu.url})
            params = _session_params(client)
            server = _emulator_thread(emu)
            walls: list[float] = []
            bodies: list[bytes] = []
            for i in range(warmup + iterations):
                if i == warmup:
                    client_cpu, server_cpu = time.thread_time(), _thread_cpu(server)
                started = time.perf_counter()
                session = client.v1.checkout.sessions.create(params)
                again = client.v1.checkout.sessions.retrieve(session.id)
                walls.append((time.perf_counter() - started) / 2 * 1000)
            calls = 2 * iterations
            client_cpu = (time.thread_time() - client_cpu) / calls * 1000
            server_cpu = (_thread_cpu(server) - server_cpu) / calls * 1000
            bodies = [session.last_response.body.encode(), again.last_response.body.encode()]
            sizes = [len(b) for b in bodies]
            parse, decode = _parse_cost(client, bodies, iterations)
            handler, encode = _handler_cost(emu, params, session.id, iterations)
        for name, value in (
            ("wall", statistics.median(walls[warmup:])),
            ("client", client_cpu),
            ("parse", parse),
            ("decode", decode),
            ("server", server_cpu),
            ("handler", handler),
            ("encode", encode),
        ):
            rows.setdefault(name, []).append(value)
    m = {name: statistics.median(values) for name, values in rows.items()}
    load = ", ".join(f"{x:.2f}" for x in __import__("os").getloadavg())

    def ms(name: str) -> str:
        return f"{m[name]:.3f} ms (runs: {', '.join(f'{v:.3f}' for v in rows[name])})"

    print(f"breakdown per call, embedded, {runs} run(s) of {iterations} pairs; load {load}")
    print(f"  response body: {sizes[0]} bytes (create), {sizes[1]} (retrieve)")
    print(f"  wall (median call)                         {ms('wall')}")
    print(f"  client thread CPU                          {ms('client')}")
    print(f"    stripe-python parsing the answer alone   {ms('parse')}")
    print(f"      of which JSON decoding                 {ms('decode')}")
    print(f"    request building, requests, http.client  {m['client'] - m['parse']:.3f} ms")
    print(f"  emulator thread CPU                        {ms('server')}")
    print(f"    request handler alone (no HTTP)          {ms('handler')}")
    print(f"      of which JSON encoding                 {ms('encode')}")
    print(f"    HTTP server, event loop, sockets         {m['server'] - m['handler']:.3f} ms")
    print(
        f"  neither thread on a CPU (waits, switches)  {m['wall'] - m['client'] - m['server']:.3f} ms"
    )
    return m


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--iterations", type=int, default=2000)
    parser.add_argument("--warmup", type=int, default=200)
    parser.add_argument("--runs", type=int, default=3)
    parser.add_argument(
        "--breakdown", action="store_true", help="only the breakdown of one call's time"
    )
    args = parser.parse_args()
    print(
        f"stripe {stripe.VERSION}; {args.iterations} create+retrieve pairs per run after {args.warmup} warm-up"
    )
    if args.breakdown:
        breakdown(args.iterations, args.warmup, args.runs)
        return
    bench_embedded(args.iterations, args.warmup, args.runs)
    bench_embedded(args.iterations, args.warmup, args.runs, faults=True)
    bench_process(args.iterations, args.warmup, args.runs)
    breakdown(args.iterations, args.warmup, args.runs)


if __name__ == "__main__":
    main()
