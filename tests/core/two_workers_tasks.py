"""A task for tests/core/test_two_workers.py only: each run leaves one file behind, named by the
task's number and the process (the worker) that ran it."""

import os
import time
import uuid
from pathlib import Path

from django_tasks import task


@task()
def record_run(directory, number):
    time.sleep(0.2)  # long enough that the other worker polls while this one is busy
    Path(directory, f"{number}.{os.getpid()}.{uuid.uuid4().hex}").touch()
    return number
