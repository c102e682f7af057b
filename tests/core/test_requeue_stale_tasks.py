"""A task left RUNNING by a worker that died (make cluster-test SIGKILLed one mid-task) goes back
to the queue once it has run longer than TASKS_STALE_AFTER_MINUTES, and the next worker runs it:
exactly at the limit it stays, one second past it it is requeued; a task that finished is never
touched; the command refuses a limit under a minute."""

import datetime

import pytest
from django.core.management import CommandError, call_command
from django.utils import timezone
from django_tasks.base import TaskResultStatus
from django_tasks_db.models import DBTaskResult

from core import tasks
from core.management.commands.requeue_stale_tasks import requeue_stale
from tests.core.test_webhooks import run_ready_tasks

pytestmark = pytest.mark.django_db


@pytest.fixture
def queued(settings):
    settings.TASKS = {"default": {"BACKEND": "django_tasks_db.DatabaseBackend"}}
    settings.TASKS_STALE_AFTER_MINUTES = 30

    def one(status, started_minutes_ago):
        result = tasks.deliver_webhook.enqueue(10**9)  # no such delivery: the task does nothing
        started = timezone.now() - datetime.timedelta(minutes=started_minutes_ago)
        DBTaskResult.objects.filter(pk=result.id).update(
            status=status, started_at=started, worker_ids=["killed-worker"]
        )
        return str(result.id)

    return one


def test_a_task_left_running_by_a_dead_worker_is_run_again(queued):
    now = timezone.now()
    at_limit = queued(TaskResultStatus.RUNNING, 30)
    DBTaskResult.objects.filter(pk=at_limit).update(started_at=now - datetime.timedelta(minutes=30))
    past = queued(TaskResultStatus.RUNNING, 30)
    DBTaskResult.objects.filter(pk=past).update(
        started_at=now - datetime.timedelta(minutes=30, seconds=1)
    )
    fresh = queued(TaskResultStatus.RUNNING, 1)
    done = queued(TaskResultStatus.SUCCESSFUL, 600)

    assert [str(pk) for pk in requeue_stale(now=now)] == [past]
    status = dict(DBTaskResult.objects.values_list("pk", "status"))
    assert {str(k): v for k, v in status.items()} == {
        at_limit: "RUNNING",
        past: "READY",
        fresh: "RUNNING",
        done: "SUCCESSFUL",
    }
    assert run_ready_tasks() == 1  # the next worker takes it
    assert DBTaskResult.objects.get(pk=past).status == "SUCCESSFUL"
    assert requeue_stale(now=now) == []  # nothing twice


def test_the_command_requeues_and_refuses_a_limit_under_a_minute(queued, capsys):
    stale = queued(TaskResultStatus.RUNNING, 45)
    call_command("requeue_stale_tasks")
    assert "1 stale tasks requeued" in capsys.readouterr().out
    assert DBTaskResult.objects.get(pk=stale).status == "READY"
    with pytest.raises(CommandError):
        call_command("requeue_stale_tasks", "--minutes", "0")


def test_older_than_seconds_at_just_below_and_just_above_its_limit(queued, capsys):
    """`make cluster-test` runs the command as cron would with a 20 s limit: a task RUNNING for
    19 s or exactly 20 s stays with its (live) worker, one RUNNING for 21 s is requeued."""
    below = queued(TaskResultStatus.RUNNING, 0)
    at = queued(TaskResultStatus.RUNNING, 0)
    above = queued(TaskResultStatus.RUNNING, 0)
    now = timezone.now()
    for pk, seconds in ((below, 19), (at, 20), (above, 21)):
        DBTaskResult.objects.filter(pk=pk).update(
            started_at=now - datetime.timedelta(seconds=seconds)
        )
    assert [str(pk) for pk in requeue_stale(seconds=20, now=now)] == [above]
    call_command("requeue_stale_tasks", "--older-than-seconds", "20")
    # A moment later than `now`: the task at exactly 20 s has now passed it, the 19 s one not.
    assert "1 stale tasks requeued" in capsys.readouterr().out
    status = {str(k): v for k, v in DBTaskResult.objects.values_list("pk", "status")}
    assert (status[below], status[at], status[above]) == ("RUNNING", "READY", "READY")


def test_older_than_seconds_refuses_zero_and_goes_alone(queued):
    queued(TaskResultStatus.RUNNING, 45)
    with pytest.raises(CommandError, match="1 or more"):
        call_command("requeue_stale_tasks", "--older-than-seconds", "0")
    with pytest.raises(CommandError):
        call_command("requeue_stale_tasks", "--older-than-seconds", "5", "--minutes", "1")
    assert DBTaskResult.objects.get().status == "RUNNING"
    call_command("requeue_stale_tasks", "--older-than-seconds", "1")
    assert DBTaskResult.objects.get().status == "READY"
