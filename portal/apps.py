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

        self.forget_figures_on_edits()

    @staticmethod
    def forget_figures_on_edits():
        """The public figures (portal.stats) count calls and their budgets, sectors and listings:
        a call published, unpublished or edited, a sector renamed, a listing edited outside a
        transition forget every cached copy once the change commits (transitions bump by
        themselves, in core.transitions.fire)."""
        from django.db.models.signals import post_delete, post_save
        from wagtail.signals import page_published, page_unpublished

        from cms.models import Sector
        from core import figures_version
        from grants.models import CallPage
        from transfer.models import Technology, TechnologyNeed, TransferDeal

        def forget(sender, **kwargs):
            figures_version.bump_on_commit()

        for model in (Sector, CallPage, Technology, TechnologyNeed, TransferDeal):
            name = model._meta.label_lower
            post_save.connect(forget, sender=model, weak=False, dispatch_uid=f"figures-save-{name}")
            post_delete.connect(
                forget, sender=model, weak=False, dispatch_uid=f"figures-del-{name}"
            )
        page_published.connect(forget, sender=CallPage, weak=False, dispatch_uid="figures-publish")
        page_unpublished.connect(forget, sender=CallPage, weak=False, dispatch_uid="figures-unpub")
