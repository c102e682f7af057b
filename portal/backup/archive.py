"""Write an archive (`manage.py backup`) and bring one back (`manage.py restore`)."""

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

from django.conf import settings
from django.core.files import File
from django.core.files.storage import storages
from django.db import connection, transaction
from django.utils import timezone

from portal.backup import DUMP, FILES, FORMAT, MANIFEST, BackupError, VerificationFailed
from portal.backup.postgres import pg_tool, require_postgresql, run_tool
from portal.backup.state import (
    CHUNK,
    audit_checksum,
    compare_database,
    compare_files,
    sha256_of,
    table_counts,
    walk,
)


def backup_storages():
    return {alias: storages[alias] for alias in settings.PORTAL_BACKUP_STORAGES}


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
        made_by = manifest["portal"]
        log(
            f"archive of {manifest['created_at']}, portal {made_by['version']} "
            f"(commit {made_by['commit'] or 'unknown'})"
        )
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
