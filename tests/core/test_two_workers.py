"""Two `manage.py db_worker` processes on one PostgreSQL queue (issue 17: several workers at
once, never a task twice): 40 tasks enqueued while both are polling; each runs exactly once (one
file per run, one worker id per result) and both workers take some."""

import os
import subprocess
import sys
import time
from pathlib import Path
from urllib.parse import quote, urlsplit, urlunsplit

import pytest
from django.db import connection
from django_tasks_db.models import DBTaskResult

from tests.core.two_workers_tasks import record_run

pytestmark = [pytest.mark.postgres, pytest.mark.django_db(transaction=True)]
ROOT = Path(__file__).resolve().parents[2]
TASKS = 40


def environment():
    url = urlsplit(os.environ["DATABASE_URL"])
    # The test database pytest-django made beside the one DATABASE_URL names.
    database = urlunsplit(url._replace(path="/" + quote(connection.settings_dict["NAME"])))
    return {
        **{k: v for k, v in os.environ.items() if k != "DJANGO_ALLOW_ASYNC_UNSAFE"},
        "DJANGO_SETTINGS_MODULE": "tests.core.two_workers_settings",
        "DATABASE_URL": database,
    }


def wait_for(condition, seconds, what):
    deadline = time.monotonic() + seconds
    while time.monotonic() < deadline:
        if condition():
            return
        time.sleep(0.2)
    pytest.fail(f"{what}: not within {seconds} s")


@pytest.fixture
def workers(settings, tmp_path):
    if not os.environ.get("DATABASE_URL", "").startswith("postgres"):
        pytest.fail("This test needs PostgreSQL: scripts/with-postgres … -m postgres")
    settings.TASKS = {"default": {"BACKEND": "django_tasks_db.DatabaseBackend"}}
    env, started = environment(), {}
    try:
        for name in ("worker-a", "worker-b"):
            log = tmp_path / f"{name}.log"
            started[name] = (
                subprocess.Popen(  # noqa: S603 - our own program
                    [
                        sys.executable,
                        "manage.py",
                        "db_worker",
                        "--worker-id",
                        name,
                        "--interval",
                        "0.1",
                        "--no-startup-delay",
                        "-v1",
                    ],
                    cwd=ROOT,
                    env=env,
                    stdout=log.open("w"),
                    stderr=subprocess.STDOUT,
                ),  # fmt: skip
                log,
            )
        for name, (process, log) in started.items():
            wait_for(
                lambda p=process, f=log: p.poll() is None and "Starting worker" in f.read_text(),
                45,
                f"{name} polling",
            )
        yield started
    finally:
        for process, _log in started.values():
            process.terminate()
        for process, _log in started.values():
            try:
                process.wait(timeout=15)
            except subprocess.TimeoutExpired:
                process.kill()
                process.wait(timeout=5)


def test_two_workers_run_each_task_exactly_once_and_share_them(workers, tmp_path):
    runs = tmp_path / "runs"
    runs.mkdir()
    ids = {str(record_run.enqueue(str(runs), n).id) for n in range(TASKS)}
    results = DBTaskResult.objects.filter(pk__in=ids)
    wait_for(
        lambda: (
            results.filter(status="SUCCESSFUL").count() == TASKS
            or results.exclude(status__in=["READY", "RUNNING", "SUCCESSFUL"]).exists()
        ),
        60,
        f"{TASKS} tasks finished",
    )
    assert sorted(results.values_list("status", flat=True)) == ["SUCCESSFUL"] * TASKS
    time.sleep(1)  # a second run of a finished task, if there were one, would show by now
    files = [path.name.split(".") for path in runs.iterdir()]
    assert sorted(int(number) for number, _pid, _nonce in files) == list(range(TASKS))
    # One worker per result, and both took some: by the results and by the processes' files.
    taken = list(results.values_list("worker_ids", flat=True))
    assert all(len(worker_ids) == 1 for worker_ids in taken)
    by_worker = {name: sum(worker_ids == [name] for worker_ids in taken) for name in workers}
    assert all(by_worker.values()), by_worker
    pids = {str(process.pid): name for name, (process, _log) in workers.items()}
    by_pid = {pid: sum(1 for _n, p, _x in files if p == pid) for pid in pids}
    assert {pids[pid]: n for pid, n in by_pid.items()} == by_worker
