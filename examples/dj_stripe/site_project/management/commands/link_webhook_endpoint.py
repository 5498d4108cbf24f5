"""``manage.py link_webhook_endpoint UUID``: give dj-stripe the endpoint Stripe already posts to.

dj-stripe verifies a webhook with the secret of a ``WebhookEndpoint`` row, found by the UUID in
the URL (``stripe/webhook/<uuid>/``). It makes that row itself when it creates the endpoint
(the admin), or, for an endpoint made elsewhere, as its own ``stripe_listen`` command does for
the Stripe CLI: one row with the secret Stripe signs with. Here the endpoint was registered in
Stripe for this site's URL (the emulator's, or the dashboard's); this command finds it there
by that URL and writes dj-stripe's row with its id, events, version and the signing secret
from ``STRIPE_WEBHOOK_SECRET`` (Stripe shows a secret only once, at creation).
"""

from __future__ import annotations

from typing import Any
from uuid import UUID

import stripe
from django.conf import settings
from django.core.management.base import BaseCommand, CommandError
from djstripe.enums import WebhookEndpointStatus
from djstripe.models import WebhookEndpoint
from djstripe.settings import djstripe_settings


class Command(BaseCommand):
    help = "Link the Stripe webhook endpoint posting to stripe/webhook/UUID/ to dj-stripe."

    def add_arguments(self, parser: Any) -> None:
        parser.add_argument("uuid", type=UUID, help="the UUID in the endpoint's URL")

    def handle(self, *args: Any, **options: Any) -> None:
        uuid: UUID = options["uuid"]
        suffix = f"/stripe/webhook/{uuid}/"
        endpoints = stripe.WebhookEndpoint.list(
            api_key=djstripe_settings.STRIPE_SECRET_KEY,
            stripe_version=djstripe_settings.STRIPE_API_VERSION,
            limit=100,
        )
        found = [e for e in endpoints.auto_paging_iter() if e["url"].endswith(suffix)]
        if not found:
            raise CommandError(f"no Stripe webhook endpoint posts to ...{suffix}")
        endpoint = found[0]
        WebhookEndpoint.objects.filter(djstripe_uuid=uuid).exclude(id=endpoint["id"]).delete()
        WebhookEndpoint.objects.update_or_create(
            id=endpoint["id"],
            defaults={
                "api_version": endpoint.get("api_version") or "",
                "enabled_events": list(endpoint["enabled_events"]),
                "secret": settings.WEBHOOK_SIGNING_SECRET,
                "status": WebhookEndpointStatus.enabled,
                "url": endpoint["url"],
                "djstripe_uuid": uuid,
                "livemode": bool(endpoint.get("livemode")),
            },
        )
        self.stdout.write(f"linked {endpoint['id']} to {suffix}")
