"""Rank and store every published technology's and need's matches (transfer.matching).

Publishing refreshes the rankings it touches in the background; this command rebuilds them all,
e.g. after an import or a change of the matching rules (about 15 ms per technology)."""

from django.core.management.base import BaseCommand

from transfer import matching


class Command(BaseCommand):
    help = "Rank and store the matches of every published technology and need."

    def handle(self, *args, **options):
        needs, technologies = matching.refresh_all()
        self.stdout.write(f"{needs} needs and {technologies} technologies ranked")
