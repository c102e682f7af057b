"""Write one archive of the database, the stored files and a manifest (portal/backup/).

manage.py backup                      # into BACKUP_DIR (var/backups/)
manage.py backup --output-dir /srv/backups
"""

from pathlib import Path

from django.conf import settings
from django.core.management.base import BaseCommand, CommandError

from portal.backup import BackupError, archive


class Command(BaseCommand):
    help = "Back up the database (pg_dump) and every stored file into one verified archive."

    def add_arguments(self, parser):
        parser.add_argument(
            "--output-dir", type=Path, default=None, help="folder for the archive (BACKUP_DIR)"
        )

    def handle(self, *args, output_dir, verbosity, **options):
        log = self.stdout.write if verbosity > 1 else (lambda message: None)
        try:
            written = archive.backup(output_dir or settings.PORTAL_BACKUP_DIR, log=log)
        except BackupError as error:
            raise CommandError(str(error)) from error
        self.stdout.write(str(written))
