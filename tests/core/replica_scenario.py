"""Run by tests/core/test_replica.py in its own process, with DATABASE_URL on a primary and
DATABASE_REPLICA_URL on its streaming replica (both started by the test): the portal's own
middleware and router, driven through Django's test client. Prints what it saw as JSON."""

import datetime
import json
import os
import sys
from pathlib import Path

ROOT = Path(__file__).resolve().parents[2]
sys.path.insert(0, str(ROOT))
os.environ["DJANGO_SETTINGS_MODULE"] = "portal.settings.test"

import django  # noqa: E402

django.setup()

from django.contrib.auth import get_user_model  # noqa: E402
from django.db import connections, transaction  # noqa: E402
from django.test import Client  # noqa: E402
from django.utils import timezone  # noqa: E402

from benchmarks.loadtest import drafts, open_call  # noqa: E402
from benchmarks.pgcluster import pause_replay, resume_replay, wait_replayed  # noqa: E402
from core.replica import replica_reads  # noqa: E402
from grants.models import Proposal  # noqa: E402
from transfer import workflow as transfer_workflow  # noqa: E402
from transfer.models import Technology  # noqa: E402

PRIMARY, REPLICA = os.environ["DATABASE_URL"], os.environ["DATABASE_REPLICA_URL"]


class Queries:
    """How many queries each database alias ran inside the block."""

    def __init__(self):
        self.count = {}

    def __enter__(self):
        self.wrappers = []
        for alias in ("default", "replica"):
            wrapper = connections[alias].execute_wrapper(self._counter(alias))
            wrapper.__enter__()
            self.wrappers.append(wrapper)
            self.count[alias] = 0
        return self

    def _counter(self, alias):
        def count(execute, sql, params, many, context):
            self.count[alias] += 1
            return execute(sql, params, many, context)

        return count

    def __exit__(self, *exc):
        for wrapper in self.wrappers:
            wrapper.__exit__(*exc)


def get(client, url):
    with Queries() as queries:
        response = client.get(url)
    return {"status": response.status_code, "queries": queries.count, "body": response.text}


def main():
    seen = {}
    user_model = get_user_model()
    officer = user_model.objects.get(email="officer@example.org")

    # The router's rule, outside any request.
    with replica_reads():
        seen["db outside a transaction"] = Technology.objects.all().db
        with transaction.atomic():
            seen["db inside atomic"] = Technology.objects.all().db
        Technology.objects.filter(pk=0).update(title="x")  # a write (of nothing)
        seen["db after a write"] = Technology.objects.all().db
    seen["db without the mark"] = Technology.objects.all().db

    # A pending technology, published while the replica is paused.
    technology = Technology.objects.filter(state="pending").select_related("owner").first()
    owner = Client()
    owner.force_login(technology.owner)
    visitor = Client()
    url = f"/technologies/{technology.pk}/"
    pause_replay(REPLICA)
    try:
        transfer_workflow.publish_technology(
            technology,
            by=officer,
            checklist=[key for key, _label in transfer_workflow.PUBLISH_CHECKLIST],
        )
        seen["visitor while paused"] = get(visitor, url)
        seen["owner while paused"] = get(owner, url)
        seen["visitor catalogue while paused"] = get(visitor, "/technologies/")
    finally:
        resume_replay(REPLICA)
    wait_replayed(PRIMARY, REPLICA)
    seen["visitor after replay"] = get(visitor, url)
    seen["technology title"] = technology.title

    # A submit through the view while the replica is paused.
    researcher = user_model.objects.get(email="researcher@example.org")
    call = open_call("AG-RPL1", timezone.now() + datetime.timedelta(days=2))
    proposal = drafts(call, [researcher])[0]
    wait_replayed(PRIMARY, REPLICA)
    applicant = Client()
    applicant.force_login(researcher)
    pause_replay(REPLICA)
    try:
        with Queries() as queries:
            response = applicant.post(f"/proposals/{proposal.pk}/transitions/submit/")
        seen["submit"] = {"status": response.status_code, "queries": queries.count}
        proposal.refresh_from_db()
        seen["receipt on the primary"] = proposal.receipt_number
        seen["dossier after submit"] = get(applicant, f"/proposals/{proposal.pk}/")
        seen["state on the replica while paused"] = (
            Proposal.objects.using("replica").get(pk=proposal.pk).state
        )
    finally:
        resume_replay(REPLICA)
    for value in seen.values():
        if isinstance(value, dict) and "body" in value:
            value["body"] = value["body"][:200000]
    print(json.dumps(seen))


if __name__ == "__main__":
    main()
