"""Spreadsheets any part of the service offers for download: typed cells, bold frozen headings,
columns sized to fit, and text that no spreadsheet will run as a formula."""

import datetime
import io
import unicodedata

from openpyxl import Workbook
from openpyxl.cell.cell import ILLEGAL_CHARACTERS_RE
from openpyxl.styles import Alignment, Font
from openpyxl.utils import get_column_letter

# A spreadsheet runs a cell starting with any of these as a formula; full-width forms included,
# since some spreadsheets fold them to their ASCII twins.
FORMULA_TRIGGERS = ("=", "+", "-", "@", "\uff1d", "\uff0b", "\uff0d", "\uff20")
# What a spreadsheet, or a tool between the file and it, may pass over before it looks for a
# trigger: quote marks (a CSV reader may take them for the field's own quoting), and spaces,
# line ends, tabs and other characters that show nothing (Unicode's separators, controls and
# format characters, such as zero-width spaces and byte order marks). The rule is deliberately
# wider than any one spreadsheet: a quote too many is harmless, a formula run is not.
SKIPPED_QUOTES = frozenset("\"'\uff02\uff07")
SKIPPED_CATEGORIES = frozenset({"Zs", "Zl", "Zp", "Cc", "Cf", "Pi", "Pf"})

XLSX_CONTENT_TYPE = "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet"


def neutralise(value) -> str:
    """A cell's text that no spreadsheet will run: a leading quote when a formula trigger comes
    first or behind only quotes and blanks, without the control characters a spreadsheet cannot
    hold, and with line ends as XLSX keeps them, so CSV and XLSX say the same."""
    text = "" if value is None else str(value)
    text = ILLEGAL_CHARACTERS_RE.sub("", text.replace("\r\n", "\n").replace("\r", "\n"))
    return f"'{text}" if _first_read(text).startswith(FORMULA_TRIGGERS) else text


def _first_read(text: str) -> str:
    """The text from the first character a spreadsheet would not pass over."""
    for position, character in enumerate(text):
        if character in SKIPPED_QUOTES or unicodedata.category(character) in SKIPPED_CATEGORIES:
            continue
        return text[position:]
    return ""


# Column widths in characters: wide enough for a heading or a date, never wider than a short
# paragraph (longer text wraps inside its cell).
MIN_WIDTH, MAX_WIDTH, DATE_WIDTH = 8, 60, 12
DATE_FORMAT = "yyyy-mm-dd"


def xlsx_cell(value):
    """Numbers and dates typed, so that a spreadsheet sorts and sums them; text neutralised,
    since only text can be read as a formula."""
    if isinstance(value, (int, float, datetime.date)) and not isinstance(value, bool):
        return value
    return None if value is None else neutralise(value)


def xlsx_bytes(sheets: dict[str, list[list]]) -> bytes:
    """One sheet a table: headings in bold, frozen and filterable; columns sized to fit."""
    workbook = Workbook()
    workbook.remove(workbook.active)
    for title, rows in sheets.items():
        sheet = workbook.create_sheet(title=title.capitalize())
        for row in rows:
            sheet.append([xlsx_cell(cell) for cell in row])
        _lay_out(sheet)
    buffer = io.BytesIO()
    workbook.save(buffer)
    return buffer.getvalue()


def _lay_out(sheet) -> None:
    for cell in sheet[1]:
        cell.font = Font(bold=True)
    sheet.freeze_panes = "A2"
    sheet.auto_filter.ref = sheet.dimensions
    wrap = Alignment(wrap_text=True, vertical="top")
    for index, column in enumerate(sheet.iter_cols(), 1):
        width = MIN_WIDTH
        for cell in column:
            if isinstance(cell.value, datetime.date):
                cell.number_format = DATE_FORMAT
                width = max(width, DATE_WIDTH)
            elif cell.value is not None:
                longest = max(len(line) for line in str(cell.value).split("\n"))
                width = max(width, min(longest + 2, MAX_WIDTH))
                if longest > MAX_WIDTH or "\n" in str(cell.value):
                    cell.alignment = wrap
        sheet.column_dimensions[get_column_letter(index)].width = width
