"""The variant registry: name -> ``module:Class``, importable without Django.

Start-up validation checks ``PAYMENTS_VARIANT`` against these names before
Django loads, so a typo fails at once. Adding a variant is one new module and
one line here.
"""

from __future__ import annotations

_BASE = "paychaos.reference_app.payments.variants"

VARIANTS: dict[str, str] = {
    "correct": f"{_BASE}.correct:CorrectVariant",
    "seed_original": f"{_BASE}.seed_original:SeedOriginalVariant",
    "seed_fix": f"{_BASE}.seed_fix:SeedFixVariant",
    "mutant:M1": f"{_BASE}.mutants.m01_redis_in_transaction:RedisInTransaction",
    "mutant:M2": f"{_BASE}.mutants.m02_exists_then_insert:ExistsThenInsert",
    "mutant:M3": f"{_BASE}.mutants.m03_bare_create:BareCreate",
    "mutant:M4": f"{_BASE}.mutants.m04_get_or_create_no_constraint:GetOrCreateNoConstraint",
    "mutant:M5": f"{_BASE}.mutants.m05_lock_that_does_not_lock:LockThatDoesNotLock",
    "mutant:M6": f"{_BASE}.mutants.m06_no_shared_key:NoSharedKey",
    "mutant:M7": f"{_BASE}.mutants.m07_swallow_and_ack:SwallowAndAck",
    "mutant:M8": f"{_BASE}.mutants.m08_mark_processed_first:MarkProcessedFirst",
    "mutant:M9": f"{_BASE}.mutants.m09_ignore_payment_status:IgnorePaymentStatus",
    "mutant:M10": f"{_BASE}.mutants.m10_no_state_guard:NoStateGuard",
    "mutant:M11": f"{_BASE}.mutants.m11_skippable_signature:SkippableSignature",
    "mutant:M12": f"{_BASE}.mutants.m12_notify_before_commit:NotifyBeforeCommit",
    # Issue 14's mutants (an untrusted client, what was bought): M21 onwards.
    "mutant:M16": f"{_BASE}.mutants.m16_account_page_without_sign_in:AccountPageWithoutSignIn",
    "mutant:M21": f"{_BASE}.mutants.m21_client_plan_on_success_page:ClientPlanOnSuccessPage",
    "mutant:M22": f"{_BASE}.mutants.m22_grant_to_whoever_asks:GrantToWhoeverAsks",
    "mutant:M23": f"{_BASE}.mutants.m23_validate_shows_any_session:ValidateShowsAnySession",
    "mutant:M24": f"{_BASE}.mutants.m24_client_price_at_checkout:ClientPriceAtCheckout",
    "mutant:M25": f"{_BASE}.mutants.m25_amount_in_major_units:AmountInMajorUnits",
    "mutant:M26": f"{_BASE}.mutants.m26_account_page_of_any_company:AccountPageOfAnyCompany",
    # The task side (Celery): M13-M15.
    "mutant:M13": f"{_BASE}.mutants.m13_dispatch_before_commit:DispatchBeforeCommit",
    "mutant:M14": f"{_BASE}.mutants.m14_unguarded_delay:UnguardedDelay",
    "mutant:M15": f"{_BASE}.mutants.m15_non_idempotent_task:NonIdempotentTask",
}

VARIANT_NAMES: tuple[str, ...] = tuple(VARIANTS)
