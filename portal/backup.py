"""Backup and restore of the whole portal in one archive (docs/operations.md → Backups).

An archive is an uncompressed tar file holding

- ``database.dump``: ``pg_dump --format=custom`` of the database, taken from one snapshot;
- ``files/<storage>/<name>``: every file of the storages in ``PORTAL_BACKUP_STORAGES``, read
  through Django's storage API (local disk today; an S3 bucket the same way);
- ``manifest.json`` (last): when, the portal's version and commit, the row count of every
  table, each file's name, size and SHA-256, the dump's SHA-256, and the audit checksum.

The row counts and the audit checksum are read in the very transaction whose snapshot
``pg_dump`` dumps (``pg_export_snapshot``), so they describe exactly the dumped data.

**The audit checksum.** The audit trail is every append-only table (the models built on
``core.models.AppendOnly``, and ``core.RoleChange``). Each table's checksum is the SHA-256 of
its rows in primary-key order, each row written as PostgreSQL's text form of the row
(``row::text``, with TimeZone UTC and DateStyle ISO) followed by a newline. The audit
checksum is the SHA-256 of the lines ``<table> <rows> <table checksum>`` of those tables in
name order. A changed, added or removed audit row changes it; so does a restore that lost one.
"""

import datetime
import hashlib
import io
import json
import os
import shutil
import subprocess
import tarfile
import tempfile
from pathlib import Path, PurePosixPath

from django.apps import apps
from django.conf import settings
from django.core.files import File
from django.core.files.storage import storages
from django.db import connection, transaction
from django.utils import timezone

from core.models import AppendOnly, RoleChange

FORMAT = 1
MANIFEST = "manifest.json"
DUMP = "database.dump"
FILES = "files"
CHUNK = 1024 * 1024
AUDIT_PAGE = 5000
# Session settings under which a row's text form is the same on every server.
CANONICAL_SESSION = (
    "SET LOCAL TimeZone TO 'UTC'",
    "SET LOCAL DateStyle TO 'ISO, YMD'",
    "SET LOCAL IntervalStyle TO 'postgres'",
    "SET LOCAL extra_float_digits TO 3",
    "SET LOCAL bytea_output TO 'hex'",
)


class BackupError(Exception):
    """The backup or restore cannot go on; the message says why and what to do."""


class VerificationFailed(BackupError):
    """What was restored (or is in the archive) differs from the manifest."""

    def __init__(self, problems):
        self.problems = problems
        super().__init__(
            "Verification failed:\n" + "\n".join(f"  - {problem}" for problem in problems)
        )


# -- the pieces a manifest describes ---------------------------------------------------------


def quote(name):
    return '"' + name.replace('"', '""') + '"'


def table_counts(cursor):
    """Rows of every table of the database's schema, by table name."""
    cursor.execute(
        "SELECT tablename FROM pg_catalog.pg_tables WHERE schemaname = current_schema() "
        "ORDER BY tablename"
    )
    counts = {}
    for (table,) in cursor.fetchall():
        cursor.execute(f"SELECT count(*) FROM {quote(table)}")  # noqa: S608 (a catalogue name)
        counts[table] = cursor.fetchone()[0]
    return counts


def audit_tables():
    """(table, primary-key column) of every append-only model, by table name."""
    models = [m for m in apps.get_models() if issubclass(m, AppendOnly)] + [RoleChange]
    return sorted({(m._meta.db_table, m._meta.pk.column) for m in models})


def audit_checksum(cursor):
    """The audit checksum defined in this module's docstring, with each table's own.

    Must run inside a transaction (the canonical session settings are SET LOCAL)."""
    for statement in CANONICAL_SESSION:
        cursor.execute(statement)
    tables = {}
    overall = hashlib.sha256()
    for table, pk in audit_tables():
        digest, rows, last = hashlib.sha256(), 0, None
        while True:
            # Pages by primary key: memory stays bounded however long the trail grows.
            where = "" if last is None else f"WHERE t.{quote(pk)} > %s "
            query = f"SELECT t.{quote(pk)}, t::text FROM {quote(table)} AS t {where}"  # noqa: S608
            cursor.execute(
                f"{query}ORDER BY t.{quote(pk)} LIMIT {AUDIT_PAGE}", [] if last is None else [last]
            )
            page = cursor.fetchall()
            for _pk, text in page:
                digest.update(text.encode() + b"\n")
            last = page[-1][0] if page else last
            rows += len(page)
            if len(page) < AUDIT_PAGE:
                break
        tables[table] = {"rows": rows, "sha256": digest.hexdigest()}
        overall.update(f"{table} {rows} {tables[table]['sha256']}\n".encode())
    return {"sha256": overall.hexdigest(), "tables": tables}


def backup_storages():
    return {alias: storages[alias] for alias in settings.PORTAL_BACKUP_STORAGES}


def walk(storage, directory=""):
    """Every file name in a storage, sorted, through the storage API only."""
    try:
        folders, files = storage.listdir(directory)
    except FileNotFoundError:
        return
    for name in sorted(files):
        yield f"{directory}/{name}" if directory else name
    for folder in sorted(folders):
        yield from walk(storage, f"{directory}/{folder}" if directory else folder)


def sha256_of(fileobj):
    digest = hashlib.sha256()
    while block := fileobj.read(CHUNK):
        digest.update(block)
    return digest.hexdigest()


class HashingReader:
    """Hands a file to tarfile while computing the SHA-256 of exactly what was archived."""

    def __init__(self, fileobj):
        self.fileobj, self.digest = fileobj, hashlib.sha256()

    def read(self, size=-1):
        block = self.fileobj.read(size)
        self.digest.update(block)
        return block


def portal_version():
    from importlib import metadata

    try:
        version = metadata.version("angiang-innovation-portal")
    except metadata.PackageNotFoundError:
        version = None
    commit = os.environ.get("PORTAL_COMMIT") or None
    git = shutil.which("git")
    if commit is None and git:
        found = subprocess.run(  # noqa: S603 (a fixed command)
            [git, "-C", str(settings.BASE_DIR), "rev-parse", "HEAD"],
            capture_output=True, text=True, check=False,
        )  # fmt: skip
        commit = found.stdout.strip() if found.returncode == 0 else None
    return {"version": version, "commit": commit}


# -- PostgreSQL's own tools --------------------------------------------------------------------


def require_postgresql():
    if connection.vendor != "postgresql":
        raise BackupError(
            f"Backup and restore need PostgreSQL; this portal runs on {connection.vendor}. "
            "Set DATABASE_URL to the PostgreSQL database (on SQLite, for `make run`, copy "
            "db.sqlite3 and the media folders while the server is stopped)."
        )


def pg_tool(name):
    """pg_dump / pg_restore matching the server's major version (Debian keeps one folder each)."""
    configured = getattr(settings, "PORTAL_PG_BIN", "")
    candidates = [Path(configured)] if configured else []
    major = connection.pg_version // 10000
    candidates.append(Path(f"/usr/lib/postgresql/{major}/bin"))
    for folder in candidates:
        if (folder / name).is_file():
            return str(folder / name)
    found = shutil.which(name)
    if found is None:
        raise BackupError(
            f"{name} not found: install postgresql-client-{major} or set PG_BIN to its folder."
        )
    return found


def pg_environment():
    """The connection of DATABASE_URL as libpq's variables (no password on a command line)."""
    db = connection.settings_dict
    env = {**os.environ, "PGDATABASE": db["NAME"], "PGCONNECT_TIMEOUT": "10"}
    for key, variable in (("HOST", "PGHOST"), ("PORT", "PGPORT"), ("USER", "PGUSER")):
        if db.get(key):
            env[variable] = str(db[key])
    if db.get("PASSWORD"):
        env["PGPASSWORD"] = db["PASSWORD"]
    for option in ("sslmode", "sslrootcert", "sslcert", "sslkey"):
        if option in db.get("OPTIONS", {}):
            env[f"PG{option.upper()}"] = str(db["OPTIONS"][option])
    return env


def run_tool(arguments):
    # PostgreSQL's own tools with arguments we build (no shell).
    done = subprocess.run(arguments, env=pg_environment(), capture_output=True, text=True)  # noqa: S603
    if done.returncode != 0:
        raise BackupError(f"{Path(arguments[0]).name} failed: {done.stderr.strip()}")


# -- backup ----------------------------------------------------------------------------------


def backup(directory, *, now=None, log=print):
    """Write ``backup-<UTC time>.tar`` into ``directory`` and return its path."""
    require_postgresql()
    now = now or timezone.now()
    directory = Path(directory)
    directory.mkdir(parents=True, exist_ok=True, mode=0o700)
    final = directory / f"backup-{now.astimezone(datetime.UTC):%Y%m%dT%H%M%SZ}.tar"
    if final.exists():
        raise BackupError(f"{final} already exists.")
    manifest = {
        "format": FORMAT,
        "created_at": now.astimezone(datetime.UTC).isoformat().replace("+00:00", "Z"),
        "portal": portal_version(),
    }
    with tempfile.TemporaryDirectory(dir=directory, prefix=".backup-") as work:
        dump = Path(work) / DUMP
        manifest["database"] = dump_database(dump)
        manifest["audit"] = manifest["database"].pop("audit")
        log(f"database: {len(manifest['database']['tables'])} tables dumped")
        partial = Path(work) / final.name
        descriptor = os.open(partial, os.O_WRONLY | os.O_CREAT | os.O_EXCL, 0o600)
        with os.fdopen(descriptor, "wb") as out, tarfile.open(fileobj=out, mode="w") as tar:
            with dump.open("rb") as source:
                manifest["database"]["dump_sha256"] = add_member(
                    tar, DUMP, source, dump.stat().st_size
                )
            manifest["storages"] = {}
            for alias, storage in backup_storages().items():
                manifest["storages"][alias] = {"files": archive_storage(tar, alias, storage)}
                log(f"files in {alias!r}: {len(manifest['storages'][alias]['files'])}")
            body = json.dumps(manifest, ensure_ascii=False, indent=1, sort_keys=True).encode()
            add_member(tar, MANIFEST, io.BytesIO(body), len(body))
        os.replace(partial, final)
    return final


def dump_database(path):
    """pg_dump of one snapshot, with the counts and audit checksum of that same snapshot."""
    with transaction.atomic(), connection.cursor() as cursor:
        cursor.execute("SET TRANSACTION ISOLATION LEVEL REPEATABLE READ, READ ONLY")
        cursor.execute("SELECT pg_export_snapshot()")
        snapshot = cursor.fetchone()[0]
        counts = table_counts(cursor)
        audit = audit_checksum(cursor)
        # The exporting transaction stays open until pg_dump has taken the snapshot (it does
        # at start; we wait for the whole dump).
        run_tool(
            [pg_tool("pg_dump"), "--format=custom", f"--snapshot={snapshot}", f"--file={path}"]
        )
    return {
        "vendor": "postgresql",
        "server_version": connection.pg_version,
        "dump": DUMP,
        "dump_size": path.stat().st_size,
        "tables": counts,
        "audit": audit,
    }


def add_member(tar, name, fileobj, size):
    info = tarfile.TarInfo(name)
    info.size, info.mode, info.mtime = size, 0o600, int(timezone.now().timestamp())
    reader = HashingReader(fileobj)
    tar.addfile(info, reader)
    return reader.digest.hexdigest()


def archive_storage(tar, alias, storage):
    files = []
    for name in walk(storage):
        try:
            size = storage.size(name)
            source = storage.open(name, "rb")
        except FileNotFoundError:
            continue  # deleted since it was listed (/healthz's probe): nothing to keep
        with source:
            digest = add_member(tar, f"{FILES}/{alias}/{name}", source, size)
        files.append({"path": name, "size": size, "sha256": digest})
    return files


# -- restore ---------------------------------------------------------------------------------


def read_manifest(tar):
    try:
        manifest = json.load(tar.extractfile(MANIFEST))
    except (KeyError, ValueError) as error:
        raise BackupError(f"Not a portal backup (no readable {MANIFEST}): {error}") from error
    if manifest.get("format") != FORMAT:
        raise BackupError(f"Unknown backup format {manifest.get('format')!r} (expected {FORMAT}).")
    return manifest


def safe_name(name):
    path = PurePosixPath(name)
    if path.is_absolute() or ".." in path.parts or not name:
        raise BackupError(f"Refused: unsafe file name {name!r} in the manifest.")
    return name


def check_archive(tar, manifest):
    """Every member is the one the manifest describes, byte for byte, and nothing else."""
    problems, expected = [], {MANIFEST, DUMP}
    member = tar.getmember(DUMP) if DUMP in tar.getnames() else None
    if member is None:
        problems.append(f"{DUMP} is missing from the archive")
    elif sha256_of(tar.extractfile(member)) != manifest["database"]["dump_sha256"]:
        problems.append(f"{DUMP}: SHA-256 differs from the manifest")
    names = set(tar.getnames())
    for alias, content in manifest["storages"].items():
        for entry in content["files"]:
            member_name = f"{FILES}/{alias}/{safe_name(entry['path'])}"
            expected.add(member_name)
            if member_name not in names:
                problems.append(f"{member_name} is missing from the archive")
                continue
            member = tar.getmember(member_name)
            if (
                member.size != entry["size"]
                or sha256_of(tar.extractfile(member)) != entry["sha256"]
            ):
                problems.append(f"{member_name}: content differs from the manifest")
    problems += [
        f"{name}: in the archive but not in the manifest" for name in sorted(names - expected)
    ]
    if problems:
        raise VerificationFailed(problems)


def non_empty_targets(aliases):
    """What already holds data: the database (any table) and each storage (any file)."""
    found = []
    tables = connection.introspection.table_names()
    if tables:
        found.append(f"the database {connection.settings_dict['NAME']!r} has {len(tables)} tables")
    for alias in aliases:
        if next(walk(storages[alias]), None) is not None:
            found.append(f"the storage {alias!r} holds files")
    return found


def restore(archive, *, force=False, log=print):
    """Bring an archive into an empty database and empty storages, then verify it."""
    require_postgresql()
    try:
        tar = tarfile.open(archive, mode="r:")  # noqa: SIM115 (closed by the with below)
    except (OSError, tarfile.TarError) as error:
        raise BackupError(f"Cannot read {archive}: {error}") from error
    with tar:
        manifest = read_manifest(tar)
        unknown = set(manifest["storages"]) - set(settings.STORAGES)
        if unknown:
            raise BackupError(f"The archive has storages this portal lacks: {sorted(unknown)}")
        occupied = non_empty_targets(manifest["storages"])
        if occupied and not force:
            raise BackupError(
                "Refused: the target is not empty ("
                + "; ".join(occupied)
                + "). Restore into an empty database and storage, or pass --force to "
                "replace what the archive holds."
            )
        check_archive(tar, manifest)
        log("archive: intact")
        with tempfile.TemporaryDirectory(prefix="portal-restore-") as work:
            dump = Path(work) / DUMP
            with dump.open("wb") as out:
                shutil.copyfileobj(tar.extractfile(DUMP), out, CHUNK)
            arguments = [pg_tool("pg_restore"), "--no-owner", "--no-privileges", "--exit-on-error",
                         "--single-transaction", f"--dbname={connection.settings_dict['NAME']}"]  # fmt: skip
            if occupied:
                arguments += ["--clean", "--if-exists"]
            connection.close()  # no open transaction of ours in the way of --clean
            run_tool([*arguments, str(dump)])
        log("database: restored")
        for alias, content in manifest["storages"].items():
            restore_storage(tar, alias, storages[alias], content["files"])
            log(f"files in {alias!r}: {len(content['files'])} restored")
    problems = verify(manifest)
    if problems:
        raise VerificationFailed(problems)
    log("verified: row counts, audit checksum and every file match the manifest")
    return manifest


def verify_current(archive):
    """Compare the database and storages as they are now with an archive's manifest."""
    require_postgresql()
    with tarfile.open(archive, mode="r:") as tar:
        manifest = read_manifest(tar)
    problems = verify(manifest)
    if problems:
        raise VerificationFailed(problems)
    return manifest


def restore_storage(tar, alias, storage, files):
    for entry in files:
        name = safe_name(entry["path"])
        if storage.exists(name):
            storage.delete(name)  # only with --force: the emptiness check came first
        content = File(tar.extractfile(f"{FILES}/{alias}/{name}"), name=name)
        content.size = entry["size"]
        saved = storage.save(name, content)
        if saved != name:
            raise BackupError(f"{alias}: {name} was stored as {saved}.")


def verify(manifest):
    """Compare the database and storages with a manifest; the list of differences."""
    with transaction.atomic(), connection.cursor() as cursor:
        problems = compare_database(manifest, table_counts(cursor), audit_checksum(cursor))
    for alias, content in manifest["storages"].items():
        problems += compare_files(storages[alias], alias, content["files"])
    return problems


def compare_database(manifest, counts, audit):
    problems = []
    expected = manifest["database"]["tables"]
    for table in sorted(set(expected) | set(counts)):
        if table not in counts:
            problems.append(f"table {table}: missing")
        elif table not in expected:
            # Only after --force over a database of another version: pg_restore --clean
            # drops and recreates the archive's tables and leaves the others as they were.
            continue
        elif counts[table] != expected[table]:
            problems.append(
                f"table {table}: {counts[table]} rows, the backup has {expected[table]}"
            )
    for table, wanted in manifest["audit"]["tables"].items():
        if audit["tables"].get(table) != wanted:
            problems.append(f"audit table {table}: checksum differs from the backup")
    if audit["sha256"] != manifest["audit"]["sha256"]:
        problems.append("audit checksum differs from the backup")
    return problems


def compare_files(storage, alias, files):
    problems = []
    for entry in files:
        name = entry["path"]
        if not storage.exists(name):
            problems.append(f"{alias}/{name}: missing")
            continue
        with storage.open(name, "rb") as stored:
            if sha256_of(stored) != entry["sha256"]:
                problems.append(f"{alias}/{name}: SHA-256 differs from the backup")
    return problems
