"""A promise that does not apply to an app is n/a, never a false alarm."""

from __future__ import annotations

import json

from tests.paychaos_cli import paychaos

NO_PAYMENT_ROWS = """
from paychaos.app.traits import AppTraits
from paychaos.reference_app.adapter import ReferenceAppAdapter


class NoPaymentRows(ReferenceAppAdapter):
    '''The reference app as an app that keeps no payment rows and has no websocket.'''

    traits = AppTraits(
        fulfils_on=ReferenceAppAdapter.traits.fulfils_on,
        records_payments=False,
        notifies_browsers=False,
    )

    def payments(self):
        return []

    def websocket_url(self, company_id):
        return None
"""


def test_promises_an_app_does_not_make_are_na_with_the_reason(tmp_path):
    (tmp_path / "no_rows.py").write_text(NO_PAYMENT_ROWS)
    out = paychaos(
        "run", "webhook-dropped", "--app", "no_rows:NoPaymentRows", "--json", "r.json",
        cwd=tmp_path,
    )  # fmt: skip
    assert out.returncode == 0, out.stdout + out.stderr
    (run,) = json.loads((tmp_path / "r.json").read_text())["runs"]
    verdicts = {v["invariant"]: v for v in run["verdicts"]}
    assert verdicts["I3"]["verdict"] == "n/a" and "payment records" in verdicts["I3"]["reason"]
    assert verdicts["I8"]["verdict"] == "n/a"
    assert verdicts["I1"]["verdict"] == "kept"
    assert run["broken"] == []
    assert "I3: the app keeps no payment records" in out.stdout
