"""Send the webhook deliveries that are due (first attempts the worker missed, and retries when
the task backend cannot defer them). For cron, every minute: `manage.py deliver_webhooks`."""

from django.core.management.base import BaseCommand

from core import webhooks


class Command(BaseCommand):
    help = "Send the webhook deliveries that are due, and schedule the next try of each failure."

    def add_arguments(self, parser):
        parser.add_argument(
            "--limit", type=int, default=200, help="At most this many deliveries per run."
        )

    def handle(self, *args, limit, **options):
        done = webhooks.deliver_due(limit=limit)
        delivered = sum(1 for d in done if d.status == d.Status.DELIVERED)
        self.stdout.write(
            f"{len(done)} attempted, {delivered} delivered, {len(done) - delivered} to retry or failed"
        )
