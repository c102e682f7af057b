from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class GrantsConfig(AppConfig):
    name = "grants"
    verbose_name = _("Calls and proposals")

    def ready(self):
        from django.db.models.signals import post_save

        from researchers.models import Organisation, Profile

        post_save.connect(_refresh_search_text, sender=Profile, dispatch_uid="grants-profile")
        post_save.connect(
            _refresh_search_text, sender=Organisation, dispatch_uid="grants-organisation"
        )


def _refresh_search_text(sender, instance, raw=False, **kwargs):
    """Applicants and organisations are searched by their current names."""
    from grants.models import Proposal
    from researchers.models import Profile

    if raw:
        return
    if isinstance(instance, Profile):
        proposals = Proposal.objects.filter(owner_id=instance.user_id)
    else:
        proposals = Proposal.objects.filter(organisation=instance)
    for proposal in proposals.only("pk", "receipt_number", "title", "owner", "organisation"):
        Proposal.objects.filter(pk=proposal.pk).update(search_text=proposal.compute_search_text())
