from pathlib import Path

from django.core.management.base import BaseCommand, CommandError

from feedback_site.backups import BackupError, backup_restore


class Command(BaseCommand):
    help = (
        "Restore a backup folder into the database named by DATABASE_URL, which must be empty "
        "unless --force, and check it against the backup's manifest."
    )

    def add_arguments(self, parser):
        parser.add_argument("folder", type=Path)
        parser.add_argument(
            "--force", action="store_true", help="replace the tables of a database in use"
        )

    def handle(self, *args, folder: Path, force: bool, **options):
        try:
            report = backup_restore(source=folder, force=force)
        except (BackupError, FileNotFoundError) as error:
            raise CommandError(error) from error
        self.stdout.write(
            f"Restored {report.tables} tables ({report.rows} rows) and {report.files} files; "
            f"{len(report.mismatches)} mismatches"
        )
        if report.mismatches:
            mismatches = "\n".join(report.mismatches)
            raise CommandError(f"The restore does not match the backup:\n{mismatches}")
