"""The emulator's settings, fixed when it starts (``reset`` keeps them)."""

from __future__ import annotations

from dataclasses import dataclass

from paychaos.errors import ConfigError

DELIVERY_MODES = ("auto", "manual")
#: Seeds are 0 .. 2**63 - 1: what every part seeded from them (ids, jitter, Hypothesis) takes.
MAX_SEED = 2**63 - 1


def seed_problem(seed: object) -> str | None:
    """Why ``seed`` is no seed, or None when it is one."""
    if isinstance(seed, bool) or not isinstance(seed, int):
        return f"a seed is a whole number, not {seed!r}"
    if not 0 <= seed <= MAX_SEED:
        return f"a seed is from 0 to {MAX_SEED}, not {seed}"
    return None


# Seconds to wait before each retry of a failed webhook attempt.
# Test mode: three retries over a few hours. Live mode: exponential for about three days.
RETRY_SCHEDULES: dict[str, tuple[int, ...]] = {
    "test": (600, 2400, 9600),
    "live": tuple(60 * 2**k for k in range(12)),
}


@dataclass(frozen=True)
class EmulatorConfig:
    """What a :class:`StripeEmulator` is started with.

    ``retry_schedule`` names one of ``RETRY_SCHEDULES`` or lists the seconds
    between attempts; ``webhook_timeout`` is the per-attempt timeout in real seconds;
    ``shadow_url`` is a stripe-mock that sees a copy of every API request.
    """

    # Shaped as Stripe's own test keys (sk_test_ and at least 24 letters or digits): apps and
    # libraries check the shape (dj-stripe refuses a key that is not).
    api_key: str = "sk_test_paychaos000000000000000000"
    seed: int = 0
    delivery: str = "auto"
    epoch: int | None = None
    # A stripe-mock to shadow-validate every API request against (None: off).
    shadow_url: str | None = None
    retry_schedule: str | tuple[int, ...] = "test"
    webhook_timeout: float = 10.0
    control_enabled: bool = True
    # The account's API version: responses to requests without ``Stripe-Version``, and
    # webhook endpoints created without ``api_version``.
    api_version: str = ""

    def __post_init__(self) -> None:
        from paychaos.stripe_emulator.contract.check import accepted_versions
        from paychaos.stripe_emulator.versions import NEWEST_VERSION

        if not self.api_version:
            object.__setattr__(self, "api_version", NEWEST_VERSION)
        if self.api_version not in accepted_versions():
            raise ConfigError(
                f"the emulator does not render API version {self.api_version!r}",
                hint=f"use one of {', '.join(sorted(accepted_versions()))}",
            )
        problem = seed_problem(self.seed)
        if problem:
            raise ConfigError(f"seed {self.seed!r}: {problem}", hint="e.g. --seed 0")
        if self.delivery not in DELIVERY_MODES:
            raise ConfigError(
                f"unknown webhook delivery mode {self.delivery!r}",
                hint="use delivery='auto' (deliver at once) or 'manual' (deliver on drain())",
            )
        if isinstance(self.retry_schedule, str) and self.retry_schedule not in RETRY_SCHEDULES:
            raise ConfigError(
                f"unknown retry schedule {self.retry_schedule!r}",
                hint=f"use one of {', '.join(RETRY_SCHEDULES)} or a list of seconds",
            )
        if not self.api_key.startswith(("sk_", "rk_")):
            raise ConfigError(
                f"API key {self.api_key!r} does not look like a Stripe secret key",
                hint="use something like sk_test_paychaos000000000000000000",
            )
        if self.webhook_timeout <= 0:
            raise ConfigError("webhook_timeout must be positive", hint="e.g. 10.0 seconds")

    @property
    def retry_delays(self) -> tuple[int, ...]:
        """Seconds before retry 1, 2, ...; after the last one the event gives up."""
        if isinstance(self.retry_schedule, str):
            return RETRY_SCHEDULES[self.retry_schedule]
        return tuple(int(s) for s in self.retry_schedule)
