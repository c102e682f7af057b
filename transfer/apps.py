from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class TransferConfig(AppConfig):
    name = "transfer"
    verbose_name = _("Technology transfer")

    def ready(self):
        from django.db.models.signals import post_delete, post_save

        from grants import timeline
        from transfer.catalogue import forget_menus
        from transfer.timeline import market_steps, transfer_documents

        # The proposal's timeline goes on to the market: its listings and completed deals.
        timeline.register(market_steps)
        timeline.register_documents(transfer_documents)

        for model in ("cms.Sector",):
            post_save.connect(forget_menus, sender=model, dispatch_uid=f"menus-save-{model}")
            post_delete.connect(forget_menus, sender=model, dispatch_uid=f"menus-delete-{model}")
