"""The public data of a workshop as CSV, XLSX and JSON: the same rows, published fields only."""

import csv
import datetime
import io

from django.core.serializers.json import DjangoJSONEncoder
from django.http import HttpResponse
from django.utils import timezone

from feedback_site.spreadsheets import XLSX_CONTENT_TYPE, neutralise, xlsx_bytes
from progress.selectors import (
    notes_under_review,
    public_actions,
    public_contributions,
    under_review_sentence,
)
from workshops.models import Workshop

CONTRIBUTION_HEADINGS = [
    "ID",
    "Flipchart group",
    "Kind",
    "How widely shared",
    "Area",
    "Theme",
    "Text",
    "Entered on",
    "Question state",
    "Answer or reason",
    "Round",
    "Visiting group",
]
ACTION_HEADINGS = [
    "ID",
    "Area",
    "Title",
    "Description",
    "Owner",
    "Due date",
    "First promised due date",
    "Status",
    "Latest update on",
    "Latest update",
    "Cascaded to departments",
    "Departments' status",
]
# The feed may be pasted into a page: keep HTML's own characters escaped as in json_script.
JSON_HTML_ESCAPES = {ord("<"): "\\u003C", ord(">"): "\\u003E", ord("&"): "\\u0026"}


class HtmlSafeJSONEncoder(DjangoJSONEncoder):
    def encode(self, o):
        return super().encode(o).translate(JSON_HTML_ESCAPES)


def _date(value) -> str:
    local = _local_date(value)
    return "" if local is None else local.isoformat()


def _local_date(value) -> datetime.date | None:
    """The day a moment fell on where the service is, or the date itself."""
    if value is None:
        return None
    if isinstance(value, datetime.datetime):
        return timezone.localdate(value)
    return value


def contribution_rows(workshop: Workshop) -> list[list]:
    """Headings, then one row a public note: IDs as numbers, days as dates, the rest text."""
    rows = []
    for note in public_contributions(workshop):
        is_question = note.kind == note.Kind.QUESTION
        rows.append(
            [
                note.pk,
                note.group.subject,
                note.get_kind_display(),
                note.get_reach_display() if note.reach else "",
                note.area.name if note.area else "",
                note.theme.name if note.theme else "",
                note.text,
                _local_date(note.entered_at),
                note.get_closure_display() if is_question else "",
                note.answer or note.closure_reason if is_question else "",
                note.round_number,
                note.visiting_group,
            ]
        )
    # Notes still being reviewed are not listed; a line after a blank row says how many, so
    # the headings stay the first row for whatever reads the file.
    if under_review := notes_under_review(workshop):
        rows += [[], [under_review_sentence(under_review)]]
    return [CONTRIBUTION_HEADINGS, *rows]


def action_rows(workshop: Workshop) -> list[list]:
    """Headings, then one row a public action: IDs as numbers, days as dates, the rest text."""
    rows = [
        [
            action.pk,
            action.area.name,
            action.title,
            action.description,
            action.owner.name,
            _local_date(action.due_date),
            _local_date(action.first_promised_due_date),
            action.get_status_display(),
            _local_date(action.latest_update_at),
            action.latest_update_note or "",
            action.cascade_rollup,
            "; ".join(
                f"{copy.owner.name}: {copy.get_status_display().lower()}" for copy in action.copies
            ),
        ]
        for action in public_actions(workshop)
    ]
    return [ACTION_HEADINGS, *rows]


TABLES = {"contributions": contribution_rows, "actions": action_rows}


def csv_cell(value) -> str:
    """Dates in ISO form, everything else as neutralised text: a CSV has no types."""
    if isinstance(value, datetime.date):
        return value.isoformat()
    return neutralise(value)


def csv_bytes(rows) -> bytes:
    buffer = io.StringIO()
    csv.writer(buffer).writerows([csv_cell(cell) for cell in row] for row in rows)
    # The byte order mark lets Excel read the file as UTF-8.
    return buffer.getvalue().encode("utf-8-sig")


def export_response(workshop: Workshop, table: str, file_format: str) -> HttpResponse:
    """One table of a workshop's public data as a CSV or XLSX download."""
    rows = TABLES[table](workshop)
    if file_format == "csv":
        body, content_type = csv_bytes(rows), "text/csv; charset=utf-8"
    else:
        body, content_type = xlsx_bytes({table: rows}), XLSX_CONTENT_TYPE
    response = HttpResponse(body, content_type=content_type)
    filename = f"{workshop.slug}-{table}.{file_format}"
    response["Content-Disposition"] = f'attachment; filename="{filename}"'
    return response


def workbook_response(workshop: Workshop) -> HttpResponse:
    """Both tables of a workshop's public data in one workbook, for the follow-up report."""
    body = xlsx_bytes({table: rows(workshop) for table, rows in TABLES.items()})
    response = HttpResponse(body, content_type=XLSX_CONTENT_TYPE)
    response["Content-Disposition"] = f'attachment; filename="{workshop.slug}.xlsx"'
    return response


def feed(workshop: Workshop) -> dict:
    """The workshop's public data as a JSON-ready dictionary: the progress page's facts."""
    contributions = [
        {
            "id": note.pk,
            "group": note.group.subject,
            "round": note.round_number,
            "visiting_group": note.visiting_group,
            "kind": note.kind,
            "reach": note.reach,
            "area": note.area.name if note.area else None,
            "theme": note.theme.name if note.theme else None,
            "text": note.text,
            "entered_on": _date(note.entered_at),
            **(
                {
                    "question": {
                        "state": note.closure or "open",
                        "answer": note.answer,
                        "reason": note.closure_reason,
                        "days_waiting": note.days_waiting() if not note.closed_at else None,
                        "days_waited": note.days_waiting() if note.closed_at else None,
                        "answered_out_of_order_because": note.out_of_order_reason,
                    }
                }
                if note.kind == note.Kind.QUESTION
                else {}
            ),
        }
        for note in public_contributions(workshop)
    ]
    actions = [
        {
            "id": action.pk,
            "area": action.area.name,
            "title": action.title,
            "description": action.description,
            "owner": action.owner.name,
            "due_date": _date(action.due_date),
            "original_due_date": _date(action.first_promised_due_date),
            "date_changes": [
                {
                    "on": _date(change.moved_at),
                    "to": _date(change.new_date),
                    "reason": change.reason,
                }
                for change in action.date_changes
            ],
            "status": action.status,
            "latest_update": {
                "on": _date(action.latest_update_at),
                "note": action.latest_update_note or "",
            }
            if action.latest_update_at
            else None,
            "cascade": {
                "departments": action.cascade_count,
                "reported": action.cascade_reported,
                "done": action.cascade_done,
                "copies": [
                    {
                        "id": copy.pk,
                        "owner": copy.owner.name,
                        "status": copy.status,
                        "due_date": _date(copy.due_date),
                        "latest_update": {
                            "on": _date(copy.latest_update_at),
                            "note": copy.latest_update_note or "",
                        }
                        if copy.latest_update_at
                        else None,
                    }
                    for copy in action.copies
                ],
            }
            if action.copies
            else None,
        }
        for action in public_actions(workshop)
    ]
    return {
        "workshop": {
            "title": workshop.title,
            "slug": workshop.slug,
            "event": workshop.event,
            "date": _date(workshop.date),
            "purpose": workshop.purpose,
            "attendance": workshop.actual_attendance,
        },
        "contributions": contributions,
        "notes_under_review": notes_under_review(workshop),
        "actions": actions,
    }
