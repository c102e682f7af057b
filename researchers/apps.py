from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class ResearchersConfig(AppConfig):
    name = "researchers"
    verbose_name = _("People and organisations")
