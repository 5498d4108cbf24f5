"""App config of the task side; its label ``tasks`` names its tables (``tasks_taskeffect``...)."""

from django.apps import AppConfig


class TasksConfig(AppConfig):
    name = "paychaos.reference_app.tasks"
    label = "tasks"
    default_auto_field = "django.db.models.BigAutoField"
