"""Write an organisation's board pack to a file, the same PDF or XLSX its members download."""

import sys
from pathlib import Path

from django.core.management.base import BaseCommand, CommandError
from django.utils.translation import gettext

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
        parser.add_argument("--format", dest="file_format", choices=sorted(WRITERS), default="pdf")
        parser.add_argument(
            "--output", required=True, help="The file to write; - for standard output."
        )

    def handle(self, *args, organisation, file_format, output, **options):
        found = Organisation.objects.filter(name__iexact=organisation.strip()).first()
        if found is None:
            names = Organisation.objects.order_by("name").values_list("name", flat=True)
            known = ", ".join(f'"{name}"' for name in names[:NAMES_SUGGESTED])
            raise CommandError(
                gettext('No organisation is called "%(name)s". Give one of: %(known)s')
                % {"name": organisation, "known": known}
                if known
                else gettext('No organisation is called "%(name)s": there are none yet.')
                % {"name": organisation}
            )
        body = WRITERS[file_format](board_pack(found))
        if output == "-":
            sys.stdout.buffer.write(body)
            return
        Path(output).write_bytes(body)
        self.stderr.write(
            gettext("Wrote the board pack of %(name)s to %(file)s (%(size)s bytes).")
            % {"name": found.name, "file": output, "size": f"{len(body):,}"}
        )
