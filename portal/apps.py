from django.apps import AppConfig
from django.db.models.signals import post_migrate


class PortalConfig(AppConfig):
    name = "portal"
    verbose_name = "Portal"

    def ready(self):
        from portal.permissions import sync_role_permissions

        post_migrate.connect(sync_role_permissions, sender=self)
