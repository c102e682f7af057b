"""`manage.py backup` and `manage.py restore` round-trip the seeded demo on PostgreSQL.

The restore runs as its own process, as on a spare server: `manage.py restore` with
DATABASE_URL naming a second, empty database created on the same throwaway cluster and
MEDIA_ROOT / PRIVATE_MEDIA_ROOT naming empty folders. The comparisons read both databases
through their own connections and both sets of folders from the disk."""

import hashlib
import io
import os
import subprocess
import sys
import tarfile
import threading
import time
import uuid
from pathlib import Path
from urllib.parse import quote

import psycopg
import pytest
from django.conf import settings
from django.core.management import call_command
from django.db import connection

from portal.backup import BackupError, state
from portal.backup import archive as backup_archive

postgres = pytest.mark.postgres


def connect(name):
    db = connection.settings_dict
    return psycopg.connect(
        dbname=name,
        host=db["HOST"] or None,
        port=db["PORT"] or None,
        user=db["USER"] or None,
        password=db["PASSWORD"] or None,
    )


def database_url(name):
    db = connection.settings_dict
    credentials = quote(db["USER"], safe="") + (
        ":" + quote(db["PASSWORD"], safe="") if db["PASSWORD"] else ""
    )
    host = quote(db["HOST"] or "localhost", safe="")
    return f"postgres://{credentials}@{host}:{db['PORT'] or 5432}/{name}"


@pytest.fixture
def empty_database():
    """A second database on the same cluster, with no tables; dropped afterwards."""
    name = f"restore_{uuid.uuid4().hex[:12]}"
    with connect(connection.settings_dict["NAME"]) as admin:
        admin.autocommit = True
        admin.execute(f'CREATE DATABASE "{name}"')
    yield name
    with connect(connection.settings_dict["NAME"]) as admin:
        admin.autocommit = True
        admin.execute(f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)')


@pytest.fixture
def spare_server(tmp_path, empty_database):
    """`manage.py` of a second portal: the empty database and two empty media folders."""
    media, private = tmp_path / "media-2", tmp_path / "private-2"
    env = {
        **os.environ,
        "DJANGO_SETTINGS_MODULE": "portal.settings.dev",
        "DEBUG": "0",
        "DATABASE_URL": database_url(empty_database),
        "MEDIA_ROOT": str(media),
        "PRIVATE_MEDIA_ROOT": str(private),
        "SIGNING_DEMO_DIR": str(tmp_path / "signing-2"),
    }

    def manage(*arguments):
        return subprocess.run(
            [sys.executable, "manage.py", *map(str, arguments)],
            env=env,
            cwd=settings.BASE_DIR,
            capture_output=True,
            text=True,
            timeout=300,
        )

    manage.database, manage.media, manage.private = empty_database, media, private
    return manage


@pytest.fixture(scope="module")
def archive(django_db_setup, django_db_blocker, tmp_path_factory):
    """One backup of the demo for the tests that do not compare with the source database."""
    from cms.models import HomePage

    if connection.vendor != "postgresql":
        pytest.fail("Backup tests need PostgreSQL: run them through `make test`.")
    with django_db_blocker.unblock():
        if not HomePage.objects.exists():
            call_command("seed_demo", stdout=io.StringIO())
        out = io.StringIO()
        call_command("backup", output_dir=tmp_path_factory.mktemp("backups"), stdout=out)
    return Path(out.getvalue().strip())


def checksums(folder):
    folder = Path(folder)
    return {
        str(path.relative_to(folder)): hashlib.sha256(path.read_bytes()).hexdigest()
        for path in sorted(folder.rglob("*"))
        if path.is_file()
    }


def database_state(name):
    with connect(name) as db, db.cursor() as cursor:
        return state.table_counts(cursor), state.audit_checksum(cursor)


def tables_in(name):
    with connect(name) as db:
        return db.execute("SELECT count(*) FROM pg_tables WHERE schemaname = 'public'").fetchone()[
            0
        ]


def manifest_of(path):
    with tarfile.open(path) as tar:
        return backup_archive.read_manifest(tar)


def users_renamed(name):
    with connect(name) as db:
        return db.execute("SELECT count(*) FROM auth_user WHERE first_name = 'Renamed'").fetchone()[
            0
        ]


@postgres
@pytest.mark.django_db  # the session sets up the test database for marked tests only
def test_restore_refuses_a_database_with_tables_and_force_replaces_it(archive, spare_server):
    assert spare_server("restore", archive).returncode == 0
    with connect(spare_server.database) as db:
        db.execute("UPDATE auth_user SET first_name = 'Renamed'")
    victim = next(path for path in sorted(spare_server.private.rglob("*")) if path.is_file())
    original = victim.read_bytes()
    victim.write_bytes(b"changed on the spare server")
    before = database_state(spare_server.database), checksums(spare_server.private)

    done = spare_server("restore", archive)

    assert done.returncode != 0
    assert "Refused: the target is not empty" in done.stderr and "--force" in done.stderr
    assert (database_state(spare_server.database), checksums(spare_server.private)) == before
    assert users_renamed(spare_server.database) > 0

    done = spare_server("restore", archive, "--force")

    assert done.returncode == 0, done.stderr
    manifest = manifest_of(archive)
    counts, audit = database_state(spare_server.database)
    assert counts == manifest["database"]["tables"] and audit == manifest["audit"]
    assert users_renamed(spare_server.database) == 0
    assert victim.read_bytes() == original


@postgres
@pytest.mark.django_db  # the session sets up the test database for marked tests only
def test_restore_refuses_storage_with_files_though_the_database_is_empty(archive, spare_server):
    spare_server.private.mkdir(parents=True)
    (spare_server.private / "left-over.pdf").write_bytes(b"%PDF-1.4 someone else's file")

    done = spare_server("restore", archive)

    assert done.returncode != 0
    assert "the storage 'private' holds files" in done.stderr
    assert tables_in(spare_server.database) == 0


@postgres
@pytest.mark.django_db
def test_the_restore_function_refuses_the_live_database(archive):
    with pytest.raises(BackupError, match="the target is not empty"):
        backup_archive.restore(archive)


@postgres
@pytest.mark.django_db  # the session sets up the test database for marked tests only
def test_a_changed_file_in_the_archive_fails_verification_and_restores_nothing(
    archive, spare_server, tmp_path
):
    tampered = tmp_path / "tampered.tar"
    changed = None
    with tarfile.open(archive) as source, tarfile.open(tampered, "w") as out:
        for member in source.getmembers():
            data = source.extractfile(member).read()
            if changed is None and member.name.startswith("files/private/"):
                changed = member.name
                data = data[:-1] + bytes([data[-1] ^ 1])  # one bit, same size
            out.addfile(member, io.BytesIO(data))

    done = spare_server("restore", tampered)

    assert done.returncode != 0
    assert "Verification failed" in done.stderr
    assert f"{changed}: content differs from the manifest" in done.stderr
    assert tables_in(spare_server.database) == 0
    assert not checksums(spare_server.private)


@postgres
@pytest.mark.django_db  # the session sets up the test database for marked tests only
def test_verification_after_restore_catches_a_changed_file_and_a_lost_audit_entry(
    archive, spare_server
):
    assert spare_server("restore", archive).returncode == 0
    assert spare_server("restore", archive, "--verify-only").returncode == 0

    victim = next(path for path in sorted(spare_server.private.rglob("*")) if path.is_file())
    original = victim.read_bytes()
    victim.write_bytes(original + b"x")
    done = spare_server("restore", archive, "--verify-only")
    assert done.returncode != 0
    name = victim.relative_to(spare_server.private).as_posix()
    assert f"private/{name}: SHA-256 differs from the backup" in done.stderr
    victim.write_bytes(original)

    with connect(spare_server.database) as db:
        # Behind the portal's back: the append-only models refuse this in code.
        db.execute(
            "DELETE FROM grants_auditentry WHERE id = (SELECT max(id) FROM grants_auditentry)"
        )
    done = spare_server("restore", archive, "--verify-only")
    assert done.returncode != 0
    assert "audit table grants_auditentry: checksum differs" in done.stderr
    assert "audit checksum differs from the backup" in done.stderr
    assert "table grants_auditentry:" in done.stderr


# After the tests above: it commits, and the flush after it empties the database they read.
@postgres
@pytest.mark.django_db(transaction=True)
def test_round_trip_restores_every_row_every_file_and_the_audit_trail(
    seeded, tmp_path, spare_server
):
    out = io.StringIO()
    call_command("backup", output_dir=tmp_path / "backups", stdout=out)
    path = Path(out.getvalue().strip())
    assert path.name.startswith("backup-") and path.name.endswith("Z.tar")
    assert path.stat().st_mode & 0o077 == 0  # it holds password hashes and private files

    done = spare_server("restore", path)
    assert done.returncode == 0, done.stderr
    assert "verified" in done.stdout

    source_counts, source_audit = database_state(connection.settings_dict["NAME"])
    restored_counts, restored_audit = database_state(spare_server.database)
    assert restored_counts == source_counts
    assert source_counts["grants_proposal"] > 10 and source_counts["grants_auditentry"] > 10
    assert restored_audit == source_audit
    assert sum(table["rows"] for table in source_audit["tables"].values()) > 50
    assert {"grants_auditentry", "portal_rolechange", "transfer_dealentry"} <= set(
        source_audit["tables"]
    )

    manifest = manifest_of(path)
    assert manifest["database"]["tables"] == source_counts
    assert manifest["audit"] == source_audit
    for alias, source, restored in (
        ("default", settings.MEDIA_ROOT, spare_server.media),
        ("private", settings.PRIVATE_MEDIA_ROOT, spare_server.private),
    ):
        files = checksums(source)
        assert files, f"the demo has files in {alias}"
        assert checksums(restored) == files
        assert {f["path"]: f["sha256"] for f in manifest["storages"][alias]["files"]} == files


@postgres
@pytest.mark.django_db(transaction=True)  # its backup must not run inside a test transaction
def test_a_backup_taken_while_the_portal_writes_matches_its_own_dump(spare_server, tmp_path):
    """Rows committed during the backup are in neither the dump nor the manifest: both come from
    one snapshot, so the restore verifies (counts read outside the snapshot would not)."""
    source = connection.settings_dict["NAME"]
    stop, written = threading.Event(), []

    def write_sessions():
        with connect(source) as db:
            db.autocommit = True
            while not stop.is_set():
                db.execute(
                    "INSERT INTO django_session VALUES (%s, '', now() + interval '1 day')",
                    [f"backup-test-{len(written)}"],
                )
                written.append(time.monotonic())

    writer = threading.Thread(target=write_sessions)
    writer.start()
    try:
        while len(written) < 20:
            time.sleep(0.01)
        started = time.monotonic()
        out = io.StringIO()
        call_command("backup", output_dir=tmp_path / "backups", stdout=out)
        finished = time.monotonic()
        while written[-1] <= finished:
            time.sleep(0.01)
    finally:
        stop.set()
        writer.join(timeout=30)
    try:
        assert any(started < at < finished for at in written), "no write during the backup"
        path = Path(out.getvalue().strip())
        done = spare_server("restore", path)
        assert done.returncode == 0, done.stderr
        in_backup = manifest_of(path)["database"]["tables"]["django_session"]
        assert database_state(spare_server.database)[0]["django_session"] == in_backup
        assert database_state(source)[0]["django_session"] > in_backup
    finally:
        with connect(source) as db:
            db.execute("DELETE FROM django_session WHERE session_key LIKE 'backup-test-%%'")


@pytest.mark.django_db
def test_backup_on_sqlite_says_it_needs_postgresql(settings):
    if connection.vendor == "postgresql":
        pytest.skip("the message is for SQLite")
    with pytest.raises(BackupError, match="need PostgreSQL"):
        backup_archive.backup(settings.PORTAL_BACKUP_DIR)
