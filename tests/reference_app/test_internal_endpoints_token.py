"""The harness's endpoints (/api/_internal/) answer only the harness: its token, or nothing."""

from __future__ import annotations

import dataclasses

import pytest
from django.test import Client

from tests.reference_app.conftest import HARNESS_AUTH

INTERNAL = [
    ("get", "/api/_internal/state/"),
    ("post", "/api/_internal/notifications/drain/"),
]


@pytest.mark.django_db
@pytest.mark.parametrize(("method", "path"), INTERNAL)
def test_an_internal_endpoint_refuses_a_request_without_the_token(method, path):
    client = Client()
    call = getattr(client, method)
    assert call(path).status_code == 403
    assert call(path, HTTP_AUTHORIZATION="Bearer not-the-token").status_code == 403
    assert call(path, HTTP_AUTHORIZATION="not-the-token").status_code == 403
    assert call(path, **HARNESS_AUTH).status_code == 200


@pytest.mark.django_db
@pytest.mark.parametrize(("method", "path"), INTERNAL)
def test_without_a_configured_token_nobody_gets_in(method, path, settings):
    settings.PAYMENTS = dataclasses.replace(settings.PAYMENTS, control_token="")
    call = getattr(Client(), method)
    assert call(path).status_code == 403
    assert call(path, HTTP_AUTHORIZATION="Bearer ").status_code == 403
    assert call(path, **HARNESS_AUTH).status_code == 403
