"""What a backup's manifest describes, read from a database and storages, and compared."""

import hashlib

from django.apps import apps

from core.models import AppendOnly, RoleChange

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
