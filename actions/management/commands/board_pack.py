"""Write an organisation's board pack to a file, the same PDF or XLSX its members download."""

import sys
from pathlib import Path

from django.core.management.base import BaseCommand, CommandError

from actions.models import Organisation
from actions.packs import board_pack, pack_pdf, pack_xlsx

WRITERS = {"pdf": pack_pdf, "xlsx": pack_xlsx}
# An unknown name is answered with the names that would work, this many at most.
NAMES_SUGGESTED = 20


class Command(BaseCommand):
    help = (
        "Write the board pack of the organisation with this name as a PDF or XLSX file, as its "
        "members download it from the service."
    )

    def add_arguments(self, parser):
        parser.add_argument(
            "organisation", help='The organisation\'s name, e.g. "Digital Leaders network".'
        )
        parser.add_argument("--format", choices=sorted(WRITERS), default="pdf")
        parser.add_argument(
            "--output", required=True, help="The file to write; - for standard output."
        )

    def handle(self, *args, organisation, format, output, **options):
        found = Organisation.objects.filter(name__iexact=organisation.strip()).first()
        if found is None:
            names = Organisation.objects.order_by("name").values_list("name", flat=True)
            known = ", ".join(f'"{name}"' for name in names[:NAMES_SUGGESTED])
            raise CommandError(
                f'No organisation is called "{organisation}". Give one of: {known}'
                if known
                else f'No organisation is called "{organisation}": there are none yet.'
            )
        body = WRITERS[format](board_pack(found))
        if output == "-":
            sys.stdout.buffer.write(body)
            return
        Path(output).write_bytes(body)
        self.stderr.write(
            f"Wrote the board pack of {found.name} to {output} ({len(body):,} bytes)."
        )
