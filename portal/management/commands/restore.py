"""Restore an archive of `manage.py backup` into an empty database and storage, then verify it.

manage.py restore var/backups/backup-20261202T020000Z.tar
manage.py restore ARCHIVE --force         # replace a non-empty database and the files
manage.py restore ARCHIVE --verify-only   # compare what is there now with the manifest
"""

from pathlib import Path

from django.core.management.base import BaseCommand, CommandError

from portal.backup import BackupError
from portal.backup import archive as backup_archive


class Command(BaseCommand):
    help = "Restore a backup archive (pg_restore and the files) and verify it against its manifest."
    # The target holds no tables yet: checks that read the database have nothing to read.
    requires_system_checks = []

    def add_arguments(self, parser):
        parser.add_argument("archive", type=Path)
        parser.add_argument(
            "--force",
            action="store_true",
            help="restore over a database with tables or storage with files",
        )
        parser.add_argument(
            "--verify-only",
            action="store_true",
            help="restore nothing: compare the database and the files with the archive",
        )

    def handle(self, *args, archive, force, verify_only, **options):
        if not archive.is_file():
            raise CommandError(f"No archive at {archive}.")
        try:
            if verify_only:
                backup_archive.verify_current(archive)
                self.stdout.write("verified: the database and the files match the archive")
            else:
                backup_archive.restore(archive, force=force, log=self.stdout.write)
        except BackupError as error:
            raise CommandError(str(error)) from error
