"""stripe-python 11 to 16, each from its own venv, and hand-built form bodies, against the emulator.

Apps pin their own stripe-python; the emulator must accept what each major sends
(Stripe's v1 API does), or an app's checkout fails and a run passes for the wrong
reason. Each case runs ``stripe_compat_driver.py`` in a separate python: checkout
with metadata, paid, a webhook verified by that library, retrieve with expand,
cancel, a delayed payment, lists, unset, an unknown parameter refused.
"""

from __future__ import annotations

import json
import subprocess
import sys
from pathlib import Path

import pytest
from stripe_venvs import STRIPE_MAJORS, stripe_venvs

from paychaos.stripe_emulator import StripeEmulator

DRIVER = Path(__file__).with_name("stripe_compat_driver.py")
EVERY_CHECK = [
    "product+price",
    "checkout.create",
    "paid+webhook-verified",
    "retrieve+expand",
    "cancel",
    "delayed-payment",
    "lists",
    "unset+unknown-param",
    "stripe-client",
]
RAW_CHECKS = [c for c in EVERY_CHECK if c not in ("delayed-payment", "stripe-client")]


@pytest.fixture(scope="module")
def venvs() -> dict[int, Path]:
    """Every major's venv: cached in ``.venv-compat/``, the missing ones built in parallel."""
    return stripe_venvs()


def _drive(python: Path, client: str) -> dict:
    with StripeEmulator(seed=0, delivery="manual") as emu:
        args = ["--url", emu.url, "--key", emu.api_key, "--client", client]
        args += [f"--control-token={emu.control_token}"]  # a token may begin with "-"
        # -I: nothing of this process's environment (PYTHONPATH) reaches the venv's python.
        done = subprocess.run(
            [str(python), "-I", str(DRIVER), *args], capture_output=True, text=True, timeout=100
        )
    assert done.returncode == 0, f"driver failed:\n{done.stdout}\n{done.stderr}"
    return json.loads(done.stdout.strip().splitlines()[-1])


# Building the venvs (first run only) is a pip install per major: allow for a slow index.
@pytest.mark.timeout(900)
@pytest.mark.parametrize("major", STRIPE_MAJORS, ids=[f"stripe-{m}" for m in STRIPE_MAJORS])
def test_a_stripe_python_major_completes_every_flow_from_its_own_venv(venvs, major):
    report = _drive(venvs[major], "stripe")
    assert report["library"].startswith(f"stripe {major}.")
    assert report["checks"] == EVERY_CHECK
    assert "checkout.session.completed" in report["events"]
    assert "checkout.session.async_payment_succeeded" in report["events"]


def test_hand_built_form_bodies_complete_checkout_like_the_stripe_cli():
    report = _drive(Path(sys.executable), "raw")
    assert report["library"] == "raw form"
    assert report["checks"] == RAW_CHECKS
    assert "checkout.session.completed" in report["events"]
