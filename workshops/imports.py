"""Reading notes and questions exported from other tools (Slido, Mentimeter, Microsoft Forms, a
list of tweets, a typed-up flipchart): a CSV or XLSX file's cells, its columns mapped to a note's
fields, and each row checked before anything is stored."""

import csv
import datetime
import hashlib
import io
import json
import zipfile
from collections import Counter
from dataclasses import dataclass

from django.utils import timezone
from openpyxl import load_workbook

from workshops.models import (
    Contribution,
    ContributionKind,
    FlipchartGroup,
    ImportColumnMapping,
    Workshop,
)

MAX_FILE_BYTES = 5 * 1024 * 1024
MAX_ROWS = 20_000
MAX_ASKED_BY = Contribution._meta.get_field("asked_by").max_length
MAX_SOURCE = Contribution._meta.get_field("source").max_length
PREVIEW_ROWS = 10

# The fields a column can fill, in the order the mapping form shows them.
FIELDS = {
    "text": "Note text",
    "kind": "Kind",
    "group": "Flipchart group",
    "asked_by": "Asked by",
    "asked_at": "Asked at",
    "source": "Source",
}
IGNORE = ""

DATE_FORMATS = [
    "%Y-%m-%d %H:%M:%S",
    "%Y-%m-%d %H:%M",
    "%Y-%m-%d",
    "%d/%m/%Y %H:%M:%S",
    "%d/%m/%Y %H:%M",
    "%d/%m/%Y",
    "%d %B %Y %H:%M",
    "%d %B %Y",
    "%d %b %Y %H:%M",
    "%d %b %Y",
    # Twitter's own export
    "%a %b %d %H:%M:%S %z %Y",
]


class ImportRefused(ValueError):
    """The file, or one of its rows, cannot be imported; nothing is stored."""

    def __init__(self, message: str, *, row: int | None = None):
        self.row = row
        super().__init__(f"Row {row}: {message}" if row is not None else message)


@dataclass(frozen=True)
class Table:
    """A file's headings and, for every row under them with something in it, its row number in
    the file and its cells, all as text."""

    headings: list[str]
    rows: list[tuple[int, list[str]]]


@dataclass(frozen=True)
class ImportRow:
    """One row of a file as the note it becomes. `row` is its row number in the file."""

    row: int
    text: str
    kind: str
    group: FlipchartGroup
    asked_by: str
    asked_at: datetime.datetime | None
    source: str


# Reading a file


def read_table(filename: str, data: bytes) -> Table:
    """The headings and rows of a CSV or XLSX file, every cell as text. Blank rows are passed
    over (a typed-up flipchart may leave gaps) but keep the numbering of the rows after them."""
    if len(data) > MAX_FILE_BYTES:
        raise ImportRefused(f"The file must be {MAX_FILE_BYTES // (1024 * 1024)} MB or smaller")
    if filename.lower().endswith(".xlsx") or data.startswith(b"PK\x03\x04"):
        rows = _xlsx_rows(data)
    elif filename.lower().endswith((".csv", ".txt", ".tsv")):
        rows = _csv_rows(data)
    else:
        raise ImportRefused("The selected file must be a CSV or XLSX file")
    numbered = [
        (number, row) for number, row in enumerate(rows, start=1) if any(c.strip() for c in row)
    ]
    if not numbered:
        raise ImportRefused("The selected file is empty")
    headings = [heading.strip() for heading in numbered[0][1]]
    if len(numbered) - 1 > MAX_ROWS:
        raise ImportRefused(f"The file must have {MAX_ROWS:,} rows or fewer")
    width = len(headings)
    body = [(number, (row + [""] * width)[:width]) for number, row in numbered[1:]]
    return Table(headings=headings, rows=body)


def _decode(data: bytes) -> str:
    """UTF-8 (with or without a byte order mark), else Windows' own Western encoding, as older
    Excel saves CSV."""
    try:
        return data.decode("utf-8-sig")
    except UnicodeDecodeError:
        return data.decode("cp1252", errors="replace")


def _csv_rows(data: bytes) -> list[list[str]]:
    text = _decode(data)
    try:
        dialect = csv.Sniffer().sniff(text[:8192], delimiters=",;\t")
    except csv.Error:
        dialect = csv.excel
    try:
        return list(csv.reader(io.StringIO(text, newline=""), dialect))
    except csv.Error as error:
        raise ImportRefused(f"The file cannot be read as CSV ({error})") from None


def _xlsx_rows(data: bytes) -> list[list[str]]:
    """The first sheet's cells as text. Formulas are read as the text they were typed as, never
    worked out: "=1+1" stays "=1+1"."""
    try:
        workbook = load_workbook(io.BytesIO(data), read_only=True, data_only=False)
    except (zipfile.BadZipFile, KeyError, ValueError, OSError):
        raise ImportRefused("The selected file cannot be opened as an XLSX spreadsheet") from None
    try:
        sheet = workbook.worksheets[0]
        return [[_cell_text(value) for value in row] for row in sheet.iter_rows(values_only=True)]
    finally:
        workbook.close()


def _cell_text(value) -> str:
    if value is None:
        return ""
    if isinstance(value, datetime.datetime):
        return value.isoformat(sep=" ")
    if isinstance(value, float) and value.is_integer():
        return str(int(value))
    return str(value)


# Mapping columns to fields


def remembered_mapping(headings: list[str]) -> dict[str, str]:
    """Each field -> the heading that fills it: a heading named like a field maps itself, else
    what the heading meant last time (one query)."""
    remembered = dict(
        ImportColumnMapping.objects.filter(
            heading__in=[heading.lower() for heading in headings]
        ).values_list("heading", "field")
    )
    mapping = {}
    for heading in headings:
        key = heading.lower()
        field = key if key in FIELDS else remembered.get(key, IGNORE)
        if field in FIELDS and field not in mapping:
            mapping[field] = heading
    return mapping


def mapping_remember(mapping: dict[str, str]) -> None:
    """Remember what each mapped heading meant, for the next file with it."""
    for field, heading in mapping.items():
        if heading and field in FIELDS:
            ImportColumnMapping.objects.update_or_create(
                heading=heading.lower()[:200], defaults={"field": field}
            )


def parse_mapping_option(option: str, headings: list[str]) -> dict[str, str]:
    """`text=Question,asked_by=Handle` from the command line, checked against the file."""
    mapping = {}
    for part in filter(None, (piece.strip() for piece in option.split(","))):
        field, _, heading = part.partition("=")
        field, heading = field.strip(), heading.strip()
        if field not in FIELDS:
            raise ImportRefused(f"Unknown field “{field}”: use one of {', '.join(FIELDS)}")
        if heading not in headings:
            raise ImportRefused(f"The file has no column headed “{heading}”")
        mapping[field] = heading
    return mapping


# Checking rows


@dataclass
class RowReader:
    """Turns a file's rows into notes for one workshop, refusing the first bad one."""

    workshop: Workshop
    headings: list[str]
    mapping: dict[str, str]
    default_kind: str = ContributionKind.COMMENT
    default_group: FlipchartGroup | None = None
    default_source: str = ""

    def __post_init__(self):
        if not self.mapping.get("text"):
            raise ImportRefused("Choose the column that holds the note text")
        self.columns = {
            field: self.headings.index(heading)
            for field, heading in self.mapping.items()
            if heading and field in FIELDS
        }
        self.groups = {group.subject.strip().lower(): group for group in self.workshop.groups.all()}
        self.kinds = {
            **{value: value for value in ContributionKind.values},
            **{label.lower(): value for value, label in ContributionKind.choices},
        }
        if self.default_group is None and len(self.groups) == 1:
            self.default_group = next(iter(self.groups.values()))
        if "group" not in self.columns and self.default_group is None:
            raise ImportRefused("Choose the flipchart group the notes go into")

    def read(self, rows: list[tuple[int, list[str]]]) -> list[ImportRow]:
        """Every (row number, cells) as a note, or ImportRefused naming the first bad row."""
        return [self.row(cells, number) for number, cells in rows]

    def cell(self, cells: list[str], field: str) -> str:
        index = self.columns.get(field)
        return cells[index].strip() if index is not None and index < len(cells) else ""

    def row(self, cells: list[str], number: int) -> ImportRow:
        if any("\x00" in cell for cell in cells):
            raise ImportRefused("contains a NUL character: remove it and try again", row=number)
        text = self.cell(cells, "text")
        if not text:
            raise ImportRefused("the note text is empty", row=number)
        if len(text) > Contribution.MAX_LENGTH:
            raise ImportRefused(
                f"the note must be {Contribution.MAX_LENGTH:,} characters or fewer "
                f"(it has {len(text):,})",
                row=number,
            )
        kind_text = self.cell(cells, "kind")
        kind = self.kinds.get(kind_text.lower()) if kind_text else self.default_kind
        if kind is None:
            raise ImportRefused(
                f"unknown kind “{kind_text}”: use one of "
                + ", ".join(label.lower() for label in ContributionKind.labels),
                row=number,
            )
        group_text = self.cell(cells, "group")
        group = self.groups.get(group_text.lower()) if group_text else self.default_group
        if group is None and not group_text:
            raise ImportRefused(
                "the flipchart group is empty: fill it in, or choose a group for rows without one",
                row=number,
            )
        if group is None:
            raise ImportRefused(
                f"unknown flipchart group “{group_text}”: use one of this workshop's subjects",
                row=number,
            )
        asked_by = self.cell(cells, "asked_by")
        if len(asked_by) > MAX_ASKED_BY:
            raise ImportRefused(f"the asker must be {MAX_ASKED_BY} characters or fewer", row=number)
        source = self.cell(cells, "source") or self.default_source
        if len(source) > MAX_SOURCE:
            raise ImportRefused(f"the source must be {MAX_SOURCE} characters or fewer", row=number)
        asked_at_text = self.cell(cells, "asked_at")
        asked_at = parse_moment(asked_at_text) if asked_at_text else None
        if asked_at_text and asked_at is None:
            raise ImportRefused(
                f"“{asked_at_text}” is not a date: use a date and time such as 2012-06-21 15:30",
                row=number,
            )
        return ImportRow(
            row=number,
            text=text,
            kind=kind,
            group=group,
            asked_by=asked_by,
            asked_at=asked_at,
            source=source,
        )


def parse_moment(text: str) -> datetime.datetime | None:
    """A date or date and time as spreadsheets and tools write them; a day alone is its
    midnight, and a time without a zone is the service's local time."""
    text = text.strip()
    moment = None
    try:
        moment = datetime.datetime.fromisoformat(text.replace("Z", "+00:00"))
    except ValueError:
        for date_format in DATE_FORMATS:
            try:
                moment = datetime.datetime.strptime(text, date_format)
                break
            except ValueError:
                continue
    if moment is None:
        return None
    if timezone.is_naive(moment):
        moment = timezone.make_aware(moment)
    return moment


def row_digests(workshop: Workshop, rows: list[ImportRow]) -> list[str]:
    """A fingerprint of each row's content and source within the workshop. Identical rows in one
    file (two people each writing "+1") count their occurrence, so each is stored once and a file
    imported again matches row for row."""
    seen = Counter()
    digests = []
    for row in rows:
        content = (
            row.text,
            row.asked_by,
            row.asked_at.isoformat() if row.asked_at else "",
            row.source,
        )
        seen[content] += 1
        payload = json.dumps([workshop.pk, *content, seen[content]], ensure_ascii=False)
        digests.append(hashlib.sha256(payload.encode()).hexdigest())
    return digests
