import datetime
from pathlib import Path

from django.core.management.base import BaseCommand, CommandError

from feedback_site.backups import BackupError, backup_create


class Command(BaseCommand):
    help = "Back up the PostgreSQL database and the uploaded files into a new folder."

    def add_arguments(self, parser):
        default = f"backups/{datetime.datetime.now(datetime.UTC):%Y-%m-%dT%H%M%SZ}"
        parser.add_argument("folder", nargs="?", default=default, type=Path)

    def handle(self, *args, folder: Path, **options):
        try:
            manifest = backup_create(to=folder)
        except (BackupError, FileExistsError) as error:
            raise CommandError(error) from error
        self.stdout.write(
            f"Backed up {len(manifest['tables'])} tables "
            f"({sum(manifest['tables'].values())} rows) and {len(manifest['files'])} files "
            f"to {folder}"
        )
