"""What an app under test does, as its adapter declares it: which promises apply to it."""

from __future__ import annotations

from dataclasses import dataclass


@dataclass(frozen=True)
class AppTraits:
    """The facts about an app that decide which promises apply and what scenarios aim at.

    >>> AppTraits(records_payments=False).records_payments
    False
    """

    #: The Stripe event types on which the app grants the subscription.
    fulfils_on: tuple[str, ...] = ("checkout.session.completed",)
    #: Whether the app keeps one payment row per paid session (I3 applies).
    records_payments: bool = True
    #: Whether the app tells a listening browser about an activation (I8 applies).
    notifies_browsers: bool = True
    #: Whether the app talks to Redis at all (Redis faults can touch it).
    uses_redis: bool = True
    #: The tasks a worker runs after every activation (I9 applies when there are some), e.g.
    #: ``("provision_account", "send_receipt")``; each must leave one effect per activation.
    task_kinds: tuple[str, ...] = ()
    #: Whether the adapter can send what an edited browser sends (``validate_as``,
    #: ``checkout_as``): another company's session, another plan, another price (I11 applies).
    untrusted_client: bool = False
    #: The app setting (environment variable) that sets its webhook signature tolerance in
    #: seconds, unset meaning stripe-python's 300; None: unknown, so a replay past the
    #: tolerance (``replay_genuine``) cannot be judged and is not sent.
    webhook_tolerance_setting: str | None = None
