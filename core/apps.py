from django.apps import AppConfig


class CoreConfig(AppConfig):
    """The ground every app stands on; it imports no app of the portal."""

    name = "core"
    verbose_name = "Core"

    def ready(self):
        from core import checks  # noqa: F401  (registers the system checks)
