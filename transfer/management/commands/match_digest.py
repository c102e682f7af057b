"""The weekly matching digest (cron: `0 7 * * 1`): each business hears of the technologies that
fit its published needs, each owner of the needs its published technologies answer."""

from django.conf import settings
from django.core.management.base import BaseCommand
from django.utils import translation

from core.mail import send_templated
from researchers import privacy
from transfer import matching
from transfer.models import Technology, TechnologyNeed


class Command(BaseCommand):
    help = "E-mail the weekly digest of matches to businesses and technology owners."

    def handle(self, *args, **options):
        base = settings.WAGTAILADMIN_BASE_URL.rstrip("/")
        digests = {}
        needs = list(
            TechnologyNeed.objects.filter(state="published").select_related("business", "sector")
        )
        shown = matching.shown_for_needs(needs, limit=3)
        for need in needs:
            found = shown[need.pk]
            if found:
                digests.setdefault(need.business, []).append((need, found))
        for technology in Technology.objects.filter(state="published").select_related(
            "owner", "sector"
        ):
            found = matching.shown_for_technology(technology, limit=3)
            if found:
                digests.setdefault(technology.owner, []).append((technology, found))
        subscribed = privacy.consenting_user_ids(privacy.Purpose.NEWSLETTER)  # Law 91/2025
        digests = {person: items for person, items in digests.items() if person.pk in subscribed}
        with translation.override(settings.LANGUAGE_CODE):
            for person, items in digests.items():
                context = {"person": person, "items": items, "base": base}
                send_templated("transfer/email/digest", context, [person.email])
        self.stdout.write(f"{len(digests)} digests sent")
