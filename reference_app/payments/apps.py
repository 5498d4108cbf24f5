"""App config of the payments app."""

from django.apps import AppConfig


class PaymentsConfig(AppConfig):
    """The payments app; its label ``payments`` names its tables (``payments_subscription``...)."""

    name = "paychaos.reference_app.payments"
    label = "payments"
    default_auto_field = "django.db.models.BigAutoField"
