"""Import notes and questions from another tool's CSV or XLSX file into a workshop, as the
admin's "Import notes" page does: all rows or none, and a file imported again adds nothing."""

import time
from pathlib import Path

from django.contrib.auth import get_user_model
from django.core.management.base import BaseCommand, CommandError

from workshops.imports import (
    ImportRefused,
    RowReader,
    parse_mapping_option,
    read_table,
    remembered_mapping,
)
from workshops.models import ContributionKind, Workshop
from workshops.services import notes_import


class Command(BaseCommand):
    help = (
        "Import a CSV or XLSX file of notes into a workshop. Columns headed text, kind, group, "
        "asked_by, asked_at and source map themselves; --mapping names others, e.g. "
        "--mapping text=Question,asked_by=Handle. Exits with status 1, naming the row and the "
        "reason, when it refuses the file; nothing is stored then."
    )

    def add_arguments(self, parser):
        parser.add_argument("workshop_slug")
        parser.add_argument("file", type=Path)
        parser.add_argument(
            "--mapping", default="", help="field=Column heading pairs, separated by commas"
        )
        parser.add_argument(
            "--kind",
            default=ContributionKind.COMMENT,
            choices=ContributionKind.values,
            help="the kind of rows whose kind is empty or not in the file",
        )
        parser.add_argument(
            "--group", default="", help="the flipchart group (its subject) for rows without one"
        )
        parser.add_argument("--source", default="", help="the source of rows without one")
        parser.add_argument("--by", default="", help="email address of the person importing")

    def handle(self, *args, workshop_slug, file, mapping, kind, group, source, by, **options):
        workshop = Workshop.objects.filter(slug=workshop_slug).first()
        if workshop is None:
            raise CommandError(f"No workshop has the slug “{workshop_slug}”")
        user = None
        if by:
            user = get_user_model().objects.filter(email__iexact=by).first()
            if user is None:
                raise CommandError(f"No user has the email address {by}")
        default_group = None
        if group:
            default_group = workshop.groups.filter(subject__iexact=group).first()
            if default_group is None:
                raise CommandError(f"The workshop has no flipchart group “{group}”")
        started = time.perf_counter()
        try:
            data = file.read_bytes()
        except OSError as error:
            raise CommandError(f"Cannot read {file}: {error.strerror}") from None
        try:
            table = read_table(file.name, data)
            columns = {
                **remembered_mapping(table.headings),
                **parse_mapping_option(mapping, table.headings),
            }
            reader = RowReader(
                workshop=workshop,
                headings=table.headings,
                mapping=columns,
                default_kind=kind,
                default_group=default_group,
                default_source=source or file.name,
            )
            rows = reader.read(table.rows)
            self.stdout.write(f"Importing {len(rows):,} rows…")
            result = notes_import(
                workshop=workshop,
                rows=rows,
                by=user,
                on_batch=lambda done, total: self.stdout.write(f"  {done:,} of {total:,} stored"),
            )
        except ImportRefused as refusal:
            raise CommandError(f"Nothing imported. {refusal}") from None
        self.stdout.write(
            f"Imported {result.added:,} notes into “{workshop}” "
            f"({result.already_there:,} already there) in {time.perf_counter() - started:.1f} s. "
            "They wait in triage until reviewed."
        )
