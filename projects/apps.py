from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class ProjectsConfig(AppConfig):
    """Execution of funded tasks: contracts, tranches, reports, changes (DESIGN.md)."""

    name = "projects"
    verbose_name = _("Projects")
