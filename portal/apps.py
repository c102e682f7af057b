from django.apps import AppConfig
from django.db.models.signals import post_migrate


class PortalConfig(AppConfig):
    name = "portal"
    verbose_name = "Portal"

    def ready(self):
        from portal.permissions import sync_role_permissions

        post_migrate.connect(sync_role_permissions, sender=self)

        from django.utils.translation import gettext_lazy as _

        from grants import worklist
        from projects.selectors import registration_due

        # The officers' queue and dashboard count the results registrations not recorded yet.
        worklist.register("registration", _("Result registrations coming due"), registration_due)
