import csv
import datetime
import io
import json

import pytest
from django.urls import reverse
from openpyxl import load_workbook

from actions.services import action_post_update
from progress.exports import neutralise
from tests.conftest import client_for
from tests.factories import (
    ActionItemFactory,
    ContributionFactory,
    FlipchartGroupFactory,
    WorkshopFactory,
)
from workshops.models import Area

pytestmark = pytest.mark.django_db

FORMULAS = [
    "=1+1",
    "==1+1",
    "+1+1",
    "-1+1",
    "@SUM(A1)",
    "\t=1",
    "\r=1",
    "\n=1",
    "  =1+1",
    "\u3000=1+1",
    "\uff1d1+1",
    "\uff0b1+1",
    "\uff0d1+1",
    "\uff20SUM(A1)",
    "+-=1",
    # Quotes, invisible characters and spaces a spreadsheet may skip before the trigger.
    '""=HYPERLINK("http://evil.example")',
    '"=1+1',
    "'=1+1",
    "''=1+1",
    '" =1+1',
    "' \"@SUM(A1)",
    "\u201c=1+1",
    "\u2018-1+1",
    "\u00ab=1+1",
    "\uff02=1+1",
    "\uff07=1+1",
    "\u200b=1+1",
    "\ufeff=1+1",
    "\u2060\u00a0=1+1",
    "\u00ad+1",
]
# Control characters a spreadsheet cannot hold are dropped, so what follows them is checked.
HIDDEN_FORMULAS = ["\x00=1+1", "\x00\x01@SUM(A1)", "\x0b-1"]


@pytest.fixture
def group():
    return FlipchartGroupFactory(subject="Skills and tools")


@pytest.fixture
def workshop(group):
    return group.workshop


def url(name, workshop):
    return reverse(f"progress:{name}", kwargs={"slug": workshop.slug})


def csv_rows(response):
    return list(csv.reader(io.StringIO(response.content.decode("utf-8-sig"), newline="")))


def xlsx_rows(response):
    sheet = load_workbook(io.BytesIO(response.content), read_only=True).active
    return [
        ["" if cell is None else cell for cell in row] for row in sheet.iter_rows(values_only=True)
    ]


def as_csv_text(cell) -> str:
    """What a typed XLSX cell says in the CSV: numbers as digits, dates (openpyxl reads them
    back as midnight) in ISO form."""
    if isinstance(cell, datetime.datetime):
        return cell.date().isoformat()
    return str(cell)


def test_xlsx_numbers_and_dates_are_typed_and_text_stays_neutralised(client, workshop, group):
    note = ContributionFactory(group=group, text="=1+1")
    action = ActionItemFactory(workshop=workshop, title="-2+3")
    action_post_update(action=action, by=None, status="in_progress", note="Started")

    for name, expected_dates in [("contributions_xlsx", [8]), ("actions_xlsx", [6, 7, 9])]:
        sheet = load_workbook(io.BytesIO(client.get(url(name, workshop)).content))[
            name.split("_")[0].capitalize()
        ]
        row = sheet[2]
        assert row[0].data_type == "n"
        assert row[0].value == (note.pk if "contrib" in name else action.pk)
        for column in expected_dates:
            assert row[column - 1].is_date, f"{name} column {column} is a date"
            assert row[column - 1].number_format == "yyyy-mm-dd"
        assert all(cell.data_type != "f" for cell in row)
    contributions = load_workbook(
        io.BytesIO(client.get(url("contributions_xlsx", workshop)).content)
    ).active
    assert contributions["G2"].value == "'=1+1"


def test_each_note_says_its_round_and_visiting_group_in_every_export(client, workshop, group):
    ContributionFactory(
        group=group, text="From the second round", round_number=2, visiting_group="B"
    )
    ContributionFactory(group=group, text="Groups stayed put")

    csv_table = csv_rows(client.get(url("contributions_csv", workshop)))
    xlsx_table = xlsx_rows(client.get(url("contributions_xlsx", workshop)))
    feed = client.get(url("workshop_progress_json", workshop)).json()["contributions"]

    for table in (csv_table, xlsx_table):
        headings = table[0]
        rounds = {
            row[headings.index("Text")]: [
                str(row[headings.index("Round")]),
                row[headings.index("Visiting group")],
            ]
            for row in table[1:]
        }
        assert rounds == {"From the second round": ["2", "B"], "Groups stayed put": ["", ""]}
    assert {(note["text"], note["round"], note["visiting_group"]) for note in feed} == {
        ("From the second round", 2, "B"),
        ("Groups stayed put", None, ""),
    }


def test_xlsx_headings_are_bold_frozen_and_filterable_and_columns_sized(client, workshop, group):
    ContributionFactory(group=group, text="Short")
    ContributionFactory(group=group, text="A long note " * 20)

    sheet = load_workbook(
        io.BytesIO(client.get(url("contributions_xlsx", workshop)).content)
    ).active

    assert sheet.freeze_panes == "A2"
    assert all(cell.font.bold for cell in sheet[1])
    assert sheet.auto_filter.ref == sheet.dimensions
    widths = {letter: sheet.column_dimensions[letter].width for letter in "ABGH"}
    assert widths["A"] == 8, "an ID column stays narrow"
    assert widths["B"] == len("Skills and tools") + 2
    assert widths["G"] == 60, "long text is capped and wraps"
    assert sheet["G3"].alignment.wrap_text
    assert widths["H"] == 12, "a date fits"


@pytest.mark.parametrize("formula", FORMULAS)
def test_cells_a_spreadsheet_would_run_are_neutralised(formula):
    assert neutralise(formula) == f"'{formula}".replace("\r", "\n")


@pytest.mark.parametrize("formula", HIDDEN_FORMULAS)
def test_formulas_behind_dropped_control_characters_are_neutralised(formula):
    assert neutralise(formula) == "'" + formula.lstrip("\x00\x01\x0b")


@pytest.mark.parametrize(
    "text",
    ["Facebook is blocked", "1+1=2", "'quoted", '"Quoted" = said', " 'a' - 'b'", "", None, 42],
)
def test_ordinary_cells_are_left_alone(text):
    assert neutralise(text) == ("" if text is None else str(text))


@pytest.mark.parametrize("table", ["contributions", "actions"])
def test_xlsx_opens_with_openpyxl_and_matches_the_csv_row_for_row(client, workshop, group, table):
    ContributionFactory(group=group, text='=HYPERLINK("http://evil")', area=Area.objects.first())
    ContributionFactory(group=group, text="Line one\nline two, with a comma")
    action = ActionItemFactory(workshop=workshop, title="-2+3", description="@cmd")
    action_post_update(action=action, by=None, status="in_progress", note="+started")

    from_csv = csv_rows(client.get(url(f"{table}_csv", workshop)))
    from_xlsx = xlsx_rows(client.get(url(f"{table}_xlsx", workshop)))

    assert from_csv == [[as_csv_text(cell) for cell in row] for row in from_xlsx]
    assert len(from_csv) == (3 if table == "contributions" else 2)


def test_formula_payloads_are_neutralised_in_csv_and_xlsx(client, workshop, group):
    for formula in FORMULAS:
        ContributionFactory(group=group, text=f"{formula} payload")

    for name in ["contributions_csv", "contributions_xlsx"]:
        response = client.get(url(name, workshop))
        rows = csv_rows(response) if name.endswith("csv") else xlsx_rows(response)
        texts = [row[6] for row in rows[1:]]
        assert texts == [neutralise(f"{formula} payload") for formula in FORMULAS]
        assert all(text.startswith("'") for text in texts)


def test_xlsx_holds_no_live_formula(client, workshop, group):
    for formula in FORMULAS:
        ContributionFactory(group=group, text=formula)

    sheet = load_workbook(
        io.BytesIO(client.get(url("contributions_xlsx", workshop)).content)
    ).active

    assert all(cell.data_type != "f" for row in sheet.iter_rows() for cell in row)


def test_hidden_and_removed_contributions_are_in_no_export(client, workshop, group):
    ContributionFactory(group=group, text="Shown")
    ContributionFactory(group=group, text="Hidden secret", hidden_from_public=True)
    ContributionFactory(group=group, text="Removed secret", removed_at="2012-07-04T14:00Z")

    for name in ["contributions_csv", "contributions_xlsx", "workshop_progress_json"]:
        body = client.get(url(name, workshop)).content
        if name.endswith("xlsx"):
            body = repr(xlsx_rows(client.get(url(name, workshop)))).encode()
        assert b"Shown" in body, name
        assert b"secret" not in body, name


def test_the_json_feed_keeps_html_as_data_and_is_served_as_json(client, workshop, group):
    ContributionFactory(group=group, text='<script>alert("x")</script>')

    response = client.get(url("workshop_progress_json", workshop))

    assert response["Content-Type"] == "application/json"
    assert response.json()["contributions"][0]["text"] == '<script>alert("x")</script>'
    assert "<script>" not in response.text
    assert json.loads(response.content)["workshop"]["slug"] == workshop.slug


@pytest.mark.parametrize(
    "name",
    [
        "contributions_csv",
        "contributions_xlsx",
        "actions_csv",
        "actions_xlsx",
        "workshop_progress_json",
    ],
)
def test_exports_of_an_unpublished_workshop_are_not_found(client, name):
    assert client.get(url(name, WorkshopFactory(is_published=False))).status_code == 404


def test_admin_downloads_both_tables_of_a_published_workshop(organiser, workshop, group):
    ContributionFactory(group=group, text="Shown")
    organiser.is_superuser = True
    organiser.save()

    response = client_for(organiser).post(
        reverse("admin:workshops_workshop_changelist"),
        {"action": "download_exports", "_selected_action": [workshop.pk]},
        follow=True,
    )

    assert response.redirect_chain == [(url("workshop_xlsx", workshop), 302)]
    workbook = load_workbook(io.BytesIO(response.content), read_only=True)
    assert workbook.sheetnames == ["Contributions", "Actions"]
    assert [row[6] for row in workbook["Contributions"].iter_rows(min_row=2, values_only=True)] == [
        "Shown"
    ]


def test_anyone_downloads_a_published_workshops_whole_workbook(client, workshop, group):
    ContributionFactory(group=group, text="Shown")
    ContributionFactory(group=group, text="Hidden note", hidden_from_public=True)

    response = client.get(url("workshop_xlsx", workshop))

    assert response["Content-Disposition"] == f'attachment; filename="{workshop.slug}.xlsx"'
    workbook = load_workbook(io.BytesIO(response.content), read_only=True)
    texts = [row[6] for row in workbook["Contributions"].iter_rows(min_row=2, values_only=True)]
    assert texts == ["Shown"]
    assert client.get(url("workshop_xlsx", WorkshopFactory(is_published=False))).status_code == 404


def test_admin_refuses_to_export_a_draft(organiser):
    draft = WorkshopFactory(is_published=False)
    organiser.is_superuser = True
    organiser.save()

    response = client_for(organiser).post(
        reverse("admin:workshops_workshop_changelist"),
        {"action": "download_exports", "_selected_action": [draft.pk]},
        follow=True,
    )

    assert "Select one published workshop" in response.text
