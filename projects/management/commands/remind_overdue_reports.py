"""E-mail the investigator and the officers about progress reports past their due date and not
yet submitted (run daily from cron; a second run the same day sends nothing more).

manage.py remind_overdue_reports            # enqueue the task (the worker sends the e-mails)
manage.py remind_overdue_reports --now      # run it here and now
"""

from django.core.management.base import BaseCommand

from projects.tasks import remind_overdue_reports


class Command(BaseCommand):
    help = "Remind investigators and officers of overdue progress reports (once a day)."

    def add_arguments(self, parser):
        parser.add_argument("--now", action="store_true", help="run in this process")

    def handle(self, *args, now=False, **options):
        if now:
            sent = remind_overdue_reports.call()
            self.stdout.write(f"{sent} reminders sent")
            return
        result = remind_overdue_reports.enqueue()
        self.stdout.write(f"queued: {result.id}")
