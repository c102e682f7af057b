"""Give back to the queue the tasks a background worker started and never finished: a worker
killed mid-task (a crash, an out-of-memory kill, a server switched off) leaves its task RUNNING
for good, and django-tasks' database worker has no lease to notice it (`make cluster-test` lost a
receipt e-mail that way). For cron, every five minutes: `manage.py requeue_stale_tasks`.

A task RUNNING for longer than `TASKS_STALE_AFTER_MINUTES` (30: far beyond the longest task the
portal runs, a large XLSX export) is set READY again and another worker runs it. The portal's
tasks are written to survive a second run (a stored document is kept once, a transition's e-mail
is marked sent in the same transaction that sends it, a webhook delivery is claimed, an export
job checks its state); at worst a notice is e-mailed twice (the worker died after the mail
server took it and before the mark was committed), never lost.

`--older-than-seconds` is for `make cluster-test`, which cannot wait half an hour: it must stay
above the longest task, or a task still running in a live worker is handed to a second one."""

import datetime

from django.conf import settings
from django.core.management.base import BaseCommand, CommandError
from django.db import transaction
from django.utils import timezone
from django_tasks.base import TaskResultStatus
from django_tasks_db.models import DBTaskResult


def requeue_stale(*, minutes=None, seconds=None, now=None):
    """The ids of the tasks set READY again: those RUNNING since before now − the limit
    (`seconds` if given, else `minutes`, else the setting's minutes)."""
    if seconds is None:
        minutes = settings.TASKS_STALE_AFTER_MINUTES if minutes is None else minutes
        seconds = minutes * 60
    cutoff = (now or timezone.now()) - datetime.timedelta(seconds=seconds)
    with transaction.atomic():
        stale = list(
            DBTaskResult.objects.select_for_update(skip_locked=True)
            .filter(status=TaskResultStatus.RUNNING, started_at__lt=cutoff)
            .values_list("pk", flat=True)
        )
        DBTaskResult.objects.filter(pk__in=stale).update(
            status=TaskResultStatus.READY, started_at=None
        )
    return stale


class Command(BaseCommand):
    help = "Set READY again the background tasks left RUNNING by a worker that died."

    def add_arguments(self, parser):
        limit = parser.add_mutually_exclusive_group()
        limit.add_argument(
            "--minutes",
            type=int,
            default=None,
            help="RUNNING for longer than this (default: the setting).",
        )
        limit.add_argument(
            "--older-than-seconds",
            type=int,
            default=None,
            help="RUNNING for longer than this many seconds (benchmarks; at least 1).",
        )

    def handle(self, *args, minutes, older_than_seconds, **options):
        if minutes is not None and minutes < 1:
            raise CommandError("--minutes must be 1 or more.")
        if older_than_seconds is not None and older_than_seconds < 1:
            raise CommandError("--older-than-seconds must be 1 or more.")
        stale = requeue_stale(minutes=minutes, seconds=older_than_seconds)
        self.stdout.write(f"{len(stale)} stale tasks requeued")
