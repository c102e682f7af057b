"""The read replica router against a real streaming replica: a primary on 127.0.0.1 with the
demo, a hot standby made from it with `pg_basebackup -R`, replay paused to make the replica lag.
The portal runs in its own process (tests/core/replica_scenario.py) with DATABASE_URL and
DATABASE_REPLICA_URL, as a deployment sets them."""

import json
import os
import subprocess
import sys
from pathlib import Path

import pytest

from benchmarks.pgcluster import PG_BIN, PrimaryReplica

pytestmark = [
    pytest.mark.postgres,
    pytest.mark.skipif(not (PG_BIN / "initdb").exists(), reason="PostgreSQL 15 not installed"),
]
ROOT = Path(__file__).resolve().parents[2]
PRIMARY_PORT, REPLICA_PORT = 7411, 7412  # this task's range, 7400-7499


def manage(env, *args):
    subprocess.run(  # noqa: S603 - our own manage.py
        [sys.executable, "manage.py", *args], cwd=ROOT, env=env, check=True, capture_output=True
    )


@pytest.fixture(scope="module")
def seen():
    with PrimaryReplica(PRIMARY_PORT, REPLICA_PORT) as cluster:
        cluster.start_primary()
        env = dict(os.environ, DJANGO_SETTINGS_MODULE="portal.settings.test")
        env["DATABASE_URL"] = cluster.primary_url
        env.pop("DATABASE_REPLICA_URL", None)
        manage(env, "migrate", "-v0")
        manage(env, "seed_demo")
        cluster.start_replica()
        env["DATABASE_REPLICA_URL"] = cluster.replica_url
        done = subprocess.run(  # noqa: S603
            [sys.executable, "tests/core/replica_scenario.py"],
            cwd=ROOT, env=env, capture_output=True, text=True, timeout=120,
        )  # fmt: skip
        assert done.returncode == 0, done.stderr[-3000:]
        yield json.loads(done.stdout.strip().splitlines()[-1])


def test_router_sends_reads_to_the_replica_only_outside_transactions_and_before_writes(seen):
    assert seen["db outside a transaction"] == "replica"
    assert seen["db inside atomic"] == "default"
    assert seen["db after a write"] == "default"
    assert seen["db without the mark"] == "default"


def test_a_visitor_reads_the_replica_and_does_not_yet_see_what_it_has_not_replayed(seen):
    paused = seen["visitor while paused"]
    # Published on the primary, still pending on the paused replica: not public there yet.
    assert paused["status"] == 404
    assert paused["queries"]["replica"] > 0
    assert seen["visitor catalogue while paused"]["queries"]["replica"] > 0
    assert seen["technology title"] not in seen["visitor catalogue while paused"]["body"]
    after = seen["visitor after replay"]
    assert after["status"] == 200
    assert seen["technology title"] in after["body"]


def test_a_signed_in_person_reads_the_primary(seen):
    owner = seen["owner while paused"]
    assert owner["status"] == 200
    assert owner["queries"]["replica"] == 0
    assert seen["technology title"] in owner["body"]


def test_a_submit_reads_and_writes_only_the_primary_and_the_dossier_shows_it(seen):
    assert seen["submit"]["status"] == 302
    assert seen["submit"]["queries"]["replica"] == 0
    assert seen["submit"]["queries"]["default"] > 0
    receipt = seen["receipt on the primary"]
    assert receipt and receipt.startswith("AG-RPL1-")
    dossier = seen["dossier after submit"]
    assert dossier["status"] == 200
    assert dossier["queries"]["replica"] == 0
    assert receipt in dossier["body"]
    # The replica really lagged: it still had the draft.
    assert seen["state on the replica while paused"] == "draft"
