from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class CmsConfig(AppConfig):
    name = "cms"
    verbose_name = _("Website content")

    def ready(self):
        from django.db.models.signals import post_delete, post_save
        from wagtail.models import Site

        from cms.middleware import forget_sites
        from cms.models import SiteSettings

        for model in (Site, SiteSettings):
            post_save.connect(forget_sites, sender=model, dispatch_uid=f"sites-save-{model}")
            post_delete.connect(forget_sites, sender=model, dispatch_uid=f"sites-delete-{model}")
