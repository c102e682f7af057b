"""The contract moved from `grants` to `projects` with its rows (migrations grants 0008,
projects 0001–0002): a database holding a contract of the old shape comes out with the same
contract in `projects`, its JSON schedule turned into tranche rows.

Run in a child process on a database of its own (a SQLite file, or a new database on the suite's
PostgreSQL server), so the suite's database is untouched."""

import json
import os
import subprocess
import sys
from contextlib import contextmanager
from pathlib import Path

import dj_database_url

ROOT = Path(__file__).resolve().parents[2]

OLD_CONTRACT = """
import datetime, json
from django.db import connection
from django.db.migrations.executor import MigrationExecutor
apps = MigrationExecutor(connection).loader.project_state(("grants", "0007_assignment_invited_by")).apps
User = apps.get_model("auth", "User")
Proposal = apps.get_model("grants", "Proposal")
Contract = apps.get_model("grants", "Contract")
CallPage = apps.get_model("grants", "CallPage")
ContentType = apps.get_model("contenttypes", "ContentType")
Locale = apps.get_model("wagtailcore", "Locale")
moment = datetime.datetime(2025, 9, 1, tzinfo=datetime.timezone.utc)
call = CallPage.objects.create(
    title="Đợt 1", slug="dot-1", path="00010009", depth=2,
    content_type=ContentType.objects.get_or_create(app_label="grants", model="callpage")[0],
    locale=Locale.objects.get_or_create(language_code="vi")[0],
    code="AG-NN01", summary="Lúa", opens_at=moment, closes_at=moment,
    total_budget=5_000_000_000, max_per_project=1_000_000_000,
)
owner = User.objects.create(username="pi", email="pi@example.org")
proposal = Proposal.objects.create(
    call=call, owner=owner, title="Lúa chịu mặn", state="in_progress",
    approved_amount=900_000_000, verification_code="OLD0000001",
)
Contract.objects.create(
    proposal=proposal, number="07/2026/HĐ-SKHCN", signed_on=datetime.date(2026, 3, 1),
    starts_on=datetime.date(2026, 3, 1), ends_on=datetime.date(2028, 2, 28),
    tranches=[{"due_on": "2026-03-15", "amount": 500_000_000},
              {"due_on": "2027-03-15", "amount": 400_000_000}],
)
print(json.dumps({"proposal": proposal.pk}))
"""

READ_BACK = """
import json
from projects.models import Contract
c = Contract.objects.get(number="07/2026/HĐ-SKHCN")
print(json.dumps({
    "proposal": c.proposal_id, "ends_on": c.ends_on.isoformat(),
    "original_ends_on": c.original_ends_on.isoformat(), "approved": c.approved_amount,
    "released": c.released_amount, "table": Contract._meta.db_table,
    "tranches": [[t.position, t.due_on.isoformat(), t.amount, t.condition, t.report_number]
                 for t in c.tranches.order_by("position")],
}))
"""


def manage(*args, env, stdin=None):
    result = subprocess.run(
        [sys.executable, "manage.py", *args], cwd=ROOT, env=env, input=stdin,
        capture_output=True, text=True, timeout=300,
    )  # fmt: skip
    assert result.returncode == 0, result.stderr[-3000:]
    return result.stdout


@contextmanager
def own_database(tmp_path):
    """The URL of an empty database on the suite's backend, dropped afterwards."""
    url = os.environ.get("DATABASE_URL", "")
    if not url.startswith("postgres"):
        yield f"sqlite:///{tmp_path / 'old.sqlite3'}"
        return
    import psycopg

    config = dj_database_url.parse(url)
    name = f"migration_check_{os.getpid()}"
    server = {"dbname": "postgres", "user": config["USER"], "host": config["HOST"] or None,
              "port": config["PORT"] or None, "password": config["PASSWORD"] or None}  # fmt: skip
    with psycopg.connect(**server, autocommit=True) as connection:
        connection.execute(f'DROP DATABASE IF EXISTS "{name}"')
        connection.execute(f'CREATE DATABASE "{name}"')
    try:
        yield (
            url.rsplit("/", 1)[0] + "/" + name + ("?" + url.split("?", 1)[1] if "?" in url else "")
        )
    finally:
        with psycopg.connect(**server, autocommit=True) as connection:
            connection.execute(f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)')


def test_an_old_contract_comes_out_in_projects_with_its_tranches(tmp_path):
    with own_database(tmp_path) as url:
        migrate_an_old_contract(url)


def migrate_an_old_contract(url):
    env = {**os.environ, "DJANGO_SETTINGS_MODULE": "portal.settings.test", "DATABASE_URL": url}
    manage("migrate", "grants", "0007_assignment_invited_by", "-v0", env=env)
    before = json.loads(manage("shell", env=env, stdin=OLD_CONTRACT).strip().splitlines()[-1])
    manage("migrate", "-v0", env=env)
    after = json.loads(manage("shell", env=env, stdin=READ_BACK).strip().splitlines()[-1])
    assert after == {
        "proposal": before["proposal"],
        "ends_on": "2028-02-28",
        "original_ends_on": "2028-02-28",
        "approved": 900_000_000,
        "released": 0,
        "table": "projects_contract",
        "tranches": [
            [1, "2026-03-15", 500_000_000, "on_signing", None],
            [2, "2027-03-15", 400_000_000, "report_accepted", 1],
        ],
    }
