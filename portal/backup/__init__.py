"""Backup and restore of the whole portal in one archive (docs/operations.md → Backups).

`archive` writes and restores it, `state` reads what a manifest describes (row counts, the audit
checksum, stored files) and compares, `postgres` runs PostgreSQL's own tools.

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

FORMAT = 1
MANIFEST = "manifest.json"
DUMP = "database.dump"
FILES = "files"


class BackupError(Exception):
    """The backup or restore cannot go on; the message says why and what to do."""


class VerificationFailed(BackupError):
    """What was restored (or is in the archive) differs from the manifest."""

    def __init__(self, problems):
        self.problems = problems
        super().__init__(
            "Verification failed:\n" + "\n".join(f"  - {problem}" for problem in problems)
        )
