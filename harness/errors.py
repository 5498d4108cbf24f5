"""Errors meant for the person running paychaos, not for a stack trace."""

from __future__ import annotations


class PaychaosError(Exception):
    """A problem the user can fix: says what went wrong and what to do.

    The CLI prints ``what`` and ``hint`` and exits with status 2, without a traceback.

    >>> raise PaychaosError("port 8474 is taken", hint="pass --port 0 to pick a free one")
    """

    exit_code = 2

    def __init__(self, what: str, *, hint: str | None = None) -> None:
        super().__init__(what)
        self.what = what
        self.hint = hint

    def __str__(self) -> str:
        return self.what if not self.hint else f"{self.what}\n  hint: {self.hint}"

    def __reduce__(self) -> tuple[object, ...]:
        # Pickled as its class and attributes, whatever its ``__init__`` takes: a worker
        # process's error (an EnvironmentFailed with its log tail) reaches the parent as itself.
        return (_rebuild, (type(self), self.what, dict(self.__dict__)))


class ConfigError(PaychaosError):
    """A setting (environment variable, option, file) is missing or malformed."""


class ServiceError(PaychaosError):
    """A service (Postgres, Redis, emulator, app server) could not be started or reached.

    The harness's own environment failed, not the app's promises: exit status 3.
    """

    exit_code = 3


class PortTakenError(ServiceError):
    """A port the person asked for is in use: their input to change (exit status 2), not a
    failure of the harness's environment."""

    exit_code = 2


class EnvironmentFailed(ServiceError):
    """One of the harness's own parts (its Postgres, its Redis, the Stripe emulator, the app
    server it runs) died or stopped answering while paychaos used it: the verdicts of the run
    it happened in mean nothing, so the command stops with exit status 3.

    ``service`` names the part; ``log_tail`` is the end of its log, when it has one.
    """

    def __init__(self, service: str, what: str, *, log_tail: str = "", hint: str | None = None):
        super().__init__(
            f"the harness's own {service} failed: {what}",
            hint=hint
            or "nothing in the schedule did this (paychaos heals its own faults): was it killed "
            "from outside, or did the machine run out of memory or disk? Runs done before it "
            "are reported; run the command again",
        )
        self.service = service
        self.log_tail = log_tail

    def to_dict(self) -> dict[str, str]:
        return {"service": self.service, "message": self.what, "log_tail": self.log_tail}


def _rebuild(cls: type[PaychaosError], what: str, state: dict[str, object]) -> PaychaosError:
    error = cls.__new__(cls)
    Exception.__init__(error, what)
    error.__dict__.update(state)
    return error
