from django.conf import settings
from django.core.management.base import BaseCommand

from core.totp import current_code


class Command(BaseCommand):
    help = "Print the current two-factor code of the demo staff accounts (demo secret only)."

    def handle(self, *args, **options):
        self.stdout.write(current_code(settings.PORTAL_DEMO_TOTP_SECRET))
