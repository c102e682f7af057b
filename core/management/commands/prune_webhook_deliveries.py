"""Delete old webhook deliveries (sent or given up), keeping those still waiting. For cron, once
a night: `manage.py prune_webhook_deliveries` (WEBHOOK_DELIVERY_RETENTION_DAYS, 90 by default)."""

from django.core.management.base import BaseCommand, CommandError

from core import webhooks


class Command(BaseCommand):
    help = "Delete webhook deliveries sent or given up more than N days ago (pending ones stay)."

    def add_arguments(self, parser):
        parser.add_argument(
            "--days", type=int, default=None, help="Keep this many days (default: the setting)."
        )

    def handle(self, *args, days, **options):
        if days is not None and days < 1:
            raise CommandError("--days must be 1 or more.")
        deleted = webhooks.prune(days=days)
        self.stdout.write(f"{deleted} webhook deliveries deleted")
