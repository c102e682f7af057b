"""The test settings with django-tasks' database backend, for the `manage.py db_worker` processes
tests/core/test_two_workers.py starts (DATABASE_URL comes from the test)."""

from portal.settings.test import *  # noqa: F403

TASKS = {"default": {"BACKEND": "django_tasks_db.DatabaseBackend"}}
