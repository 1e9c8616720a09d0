"""Importing notes and questions from other tools' CSV and XLSX files."""

import csv
import datetime
import io
import time
from pathlib import Path
from unittest import mock

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile
from django.core.management import ManagementUtility, call_command
from django.core.management.base import CommandError
from django.urls import reverse
from django.utils import timezone
from openpyxl import Workbook, load_workbook

from progress.exports import contribution_rows, csv_bytes, xlsx_bytes
from tests.conftest import client_for
from tests.factories import FlipchartGroupFactory, UserFactory
from workshops.imports import (
    ImportRefused,
    RowReader,
    mapping_remember,
    read_table,
    remembered_mapping,
)
from workshops.models import Contribution, ImportColumnMapping, PendingImport
from workshops.services import contributions_publish, notes_import, question_answer

DATA = Path(__file__).resolve().parents[1] / "data"


def csv_file(rows, *, delimiter=",", encoding="utf-8") -> bytes:
    buffer = io.StringIO()
    csv.writer(buffer, delimiter=delimiter).writerows(rows)
    return buffer.getvalue().encode(encoding)


def xlsx_file(rows) -> bytes:
    workbook = Workbook()
    for row in rows:
        workbook.active.append(row)
    buffer = io.BytesIO()
    workbook.save(buffer)
    return buffer.getvalue()


def read_rows(workshop, data: bytes, filename="notes.csv", **options):
    table = read_table(filename, data)
    mapping = {**remembered_mapping(table.headings), **options.pop("mapping", {})}
    reader = RowReader(workshop=workshop, headings=table.headings, mapping=mapping, **options)
    return reader.read(table.rows)


def import_file(workshop, data: bytes, by=None, filename="notes.csv", **options):
    return notes_import(
        workshop=workshop, rows=read_rows(workshop, data, filename, **options), by=by
    )


# Reading files and mapping columns


def test_columns_headed_like_fields_map_themselves(db):
    assert remembered_mapping(["Text", "kind", "Group", "asked_by", "asked_at", "source"]) == {
        "text": "Text",
        "kind": "kind",
        "group": "Group",
        "asked_by": "asked_by",
        "asked_at": "asked_at",
        "source": "source",
    }


def test_a_columns_meaning_is_remembered_by_its_heading(db):
    assert remembered_mapping(["Question", "Handle"]) == {}

    mapping_remember({"text": "Question", "asked_by": "Handle"})

    assert remembered_mapping(["handle", "QUESTION", "Votes"]) == {
        "asked_by": "handle",
        "text": "QUESTION",
    }
    assert ImportColumnMapping.objects.count() == 2


def test_a_csv_with_a_byte_order_mark_and_semicolons_is_read(db):
    data = "\ufefftext;group\nBlocked at work;Barriers\n".encode()
    table = read_table("export.csv", data)
    assert table.headings == ["text", "group"]
    assert table.rows == [(2, ["Blocked at work", "Barriers"])]


def test_a_csv_saved_by_older_excel_in_windows_encoding_is_read(db):
    data = csv_file([["text"], ["Café culture — “permission” to tweet"]], encoding="cp1252")
    assert read_table("export.csv", data).rows == [(2, ["Café culture — “permission” to tweet"])]


def test_an_xlsx_formula_cell_is_read_as_the_text_typed(db):
    data = xlsx_file([["text", "asked_at"], ["=1+1", datetime.datetime(2012, 6, 21, 9, 12)]])
    table = read_table("export.xlsx", data)
    assert table.rows == [(2, ["=1+1", "2012-06-21 09:12:00"])]


def test_blank_rows_are_passed_over_keeping_the_row_numbers_after_them(db):
    table = read_table("flipchart.csv", b"text,kind\n\nFirst,\n,\nSecond,idea\n")
    assert table.rows == [(3, ["First", ""]), (5, ["Second", "idea"])]


def test_a_file_that_is_neither_csv_nor_xlsx_is_refused(db):
    with pytest.raises(ImportRefused, match="must be a CSV or XLSX file"):
        read_table("photo.png", b"\x89PNG\r\n")


# Checking rows


@pytest.mark.parametrize(
    ("row", "reason"),
    [
        (["   ", "Barriers", ""], "Row 3: the note text is empty"),
        (["x" * 1001, "Barriers", ""], "Row 3: the note must be 1,000 characters or fewer"),
        (["Blocked", "Canteen", ""], "Row 3: unknown flipchart group “Canteen”"),
        (["Blocked", "Barriers", "", "rant"], "Row 3: unknown kind “rant”"),
        (["Blocked", "Barriers", "next Tuesday"], "Row 3: “next Tuesday” is not a date"),
        (["Blo\x00cked", "Barriers", ""], "Row 3: contains a NUL character"),
    ],
    ids=["empty text", "over-long text", "unknown group", "unknown kind", "not a date", "NUL"],
)
def test_each_kind_of_bad_row_is_refused_with_its_row_and_reason(workshop, row, reason):
    FlipchartGroupFactory(workshop=workshop, subject="Barriers")
    FlipchartGroupFactory(workshop=workshop, subject="Training")
    data = csv_file(
        [["text", "group", "asked_at", "kind"], ["Fine", "Training", "", ""], [*row, ""][:4]]
    )
    with pytest.raises(ImportRefused) as refused:
        read_rows(workshop, data)
    assert str(refused.value).startswith(reason)
    assert refused.value.row == 3


def test_dates_are_read_in_the_forms_tools_write_them(workshop, group):
    data = csv_file(
        [
            ["text", "asked_at"],
            ["a", "2012-06-21 09:12"],
            ["b", "21/06/2012 09:12"],
            ["c", "Thu Jun 21 08:12:00 +0000 2012"],
            ["d", "2012-06-21T08:12:00Z"],
        ]
    )
    rows = read_rows(workshop, data)
    assert {row.asked_at for row in rows} == {
        timezone.make_aware(datetime.datetime(2012, 6, 21, 9, 12))
    }


# Storing


def test_imported_notes_wait_in_triage_marked_with_their_channel_source_and_asker(
    workshop, group, organiser
):
    data = csv_file(
        [
            ["text", "kind", "asked_by", "asked_at", "source"],
            ["Will the blocked sites open?", "question", "@civil_tweeter", "2012-06-21 15:30", ""],
            ["Champions help", "Positive", "", "", "Slido"],
        ]
    )
    result = import_file(workshop, data, by=organiser, default_source="notes.csv")

    assert (result.added, result.already_there) == (2, 0)
    question, positive = Contribution.objects.order_by("entered_at")
    assert question.kind == Contribution.Kind.QUESTION
    assert question.channel == Contribution.Channel.IMPORT
    assert question.source == "notes.csv"
    assert question.asked_by == "@civil_tweeter"
    assert question.asked_at == timezone.make_aware(datetime.datetime(2012, 6, 21, 15, 30))
    assert question.entered_at == question.asked_at
    assert (positive.kind, positive.asked_by, positive.source) == ("positive", "", "Slido")
    assert all(note.reviewed_at is None and note.area is None for note in (question, positive))
    assert not Contribution.objects.public().exists()
    assert set(Contribution.objects.awaiting_review()) == {question, positive}
    history = Contribution.history.filter(id=question.pk).get()
    assert (history.history_type, history.history_user) == ("+", organiser)
    assert history.history_change_reason == "Imported from a file"


def test_importing_the_same_file_again_adds_nothing(workshop, group):
    data = csv_file([["text", "source"], ["Access is blocked", "Slido"], ["IE6", "Slido"]])
    assert import_file(workshop, data).added == 2

    again = import_file(workshop, data)

    assert (again.added, again.already_there) == (0, 2)
    assert Contribution.objects.count() == 2


def test_the_same_note_from_another_source_is_a_new_note(workshop, group):
    import_file(workshop, csv_file([["text", "source"], ["Access is blocked", "Slido"]]))
    result = import_file(workshop, csv_file([["text", "source"], ["Access is blocked", "Menti"]]))
    assert result.added == 1


def test_repeated_rows_in_one_file_are_each_kept_and_not_added_again(workshop, group):
    data = csv_file([["text"], ["+1"], ["+1"], ["Yammer"]])
    assert import_file(workshop, data).added == 3
    assert import_file(workshop, data).added == 0
    assert import_file(workshop, csv_file([["text"], ["+1"], ["+1"], ["+1"]])).added == 1


def test_imported_text_is_stored_as_typed(workshop, group):
    typed = "  <b>bold</b> & =SUM(A1:A9) \u200b"
    import_file(workshop, csv_file([["text"], [typed]]))
    assert Contribution.objects.get().text == typed.strip()


def test_imported_formula_cells_stay_text_in_csv_and_xlsx_exports(workshop, group, organiser):
    formulas = ["=1+1", "==2+2", "+44 20 7946 0000", "-1", "@SUM(A1)", "\u200b=HYPERLINK(1)"]
    import_file(
        workshop, xlsx_file([["text"], *[[value] for value in formulas]]), filename="n.xlsx"
    )
    contributions_publish(contributions=Contribution.objects.all(), by=organiser)
    rows = contribution_rows(workshop)

    exported_csv = list(csv.reader(io.StringIO(csv_bytes(rows).decode("utf-8-sig"))))
    texts = [row[6] for row in exported_csv[1:]]
    assert texts == [f"'{value}" for value in formulas]

    sheet = load_workbook(io.BytesIO(xlsx_bytes({"contributions": rows}))).active
    cells = [row[6] for row in sheet.iter_rows(min_row=2)]
    assert [cell.value for cell in cells] == [f"'{value}" for value in formulas]
    assert {cell.data_type for cell in cells} == {"s"}


# The admin pages


def upload(client, workshop, data: bytes, filename="notes.csv"):
    return client.post(
        reverse("admin:workshops_workshop_import_notes", args=[workshop.pk]),
        {"file": SimpleUploadedFile(filename, data)},
    )


def mapping_post(headings: list[str], **choices) -> dict:
    fields = ["text", "kind", "group", "asked_by", "asked_at", "source"]
    post = {f"column_{field}": "" for field in fields}
    for field, heading in choices.items():
        if field.startswith("default_"):
            post[field] = heading
        else:
            post[f"column_{field}"] = str(headings.index(heading))
    post.setdefault("default_kind", "comment")
    return post


def test_the_workshop_page_links_to_import_notes(workshop, organiser):
    response = client_for(organiser).get(
        reverse("admin:workshops_workshop_change", args=[workshop.pk])
    )
    assert reverse("admin:workshops_workshop_import_notes", args=[workshop.pk]) in (
        response.content.decode()
    )


def test_an_organiser_maps_columns_previews_and_imports_a_file(workshop, group, organiser):
    client = client_for(organiser)
    headings = ["Question", "Votes", "Handle", "Time"]
    data = csv_file(
        [
            headings,
            ["<script>alert('x')</script> Why blocked?", "12", "@one", "21/06/2012 09:00"],
            ["Who decides?", "3", "", "21/06/2012 09:05"],
        ]
    )
    response = upload(client, workshop, data, "slido-export.csv")
    assert response.status_code == 302
    pending = PendingImport.objects.get()
    assert response.url.endswith(f"?upload={pending.key}")

    page = client.get(response.url)
    assert page.status_code == 200
    assert "slido-export.csv: 2 rows of notes under 4 column headings" in page.content.decode()
    assert "Choose the column that holds the note text" in page.content.decode()

    post = mapping_post(
        headings,
        text="Question",
        asked_by="Handle",
        asked_at="Time",
        default_kind="question",
        default_source="Slido, 21 June",
    )
    preview = client.post(response.url, {**post, "preview": "Show"})
    html = preview.content.decode()
    assert "&lt;script&gt;alert(&#x27;x&#x27;)&lt;/script&gt; Why blocked?" in html
    assert "<script>alert" not in html
    assert "Anonymous" in html
    assert "@one" in html
    assert "Slido, 21 June" in html
    assert 'value="Import 2 rows"' in html
    assert not Contribution.objects.exists()

    done = client.post(response.url, {**post, "import": "Import"})

    assert done.status_code == 302
    assert done.url == reverse("admin:workshops_workshop_triage", args=[workshop.pk])
    notes = list(Contribution.objects.order_by("entered_at"))
    assert [note.kind for note in notes] == ["question", "question"]
    assert [note.asked_by for note in notes] == ["@one", ""]
    assert {note.source for note in notes} == {"Slido, 21 June"}
    assert not PendingImport.objects.exists()
    assert remembered_mapping(headings) == {
        "text": "Question",
        "asked_by": "Handle",
        "asked_at": "Time",
    }
    messages = [str(message) for message in done.wsgi_request._messages]
    assert messages[0].startswith("Imported 2 notes from slido-export.csv in ")


def test_a_bad_row_at_row_999_of_1000_stores_nothing_and_names_the_row(workshop, group, organiser):
    rows = [[f"Note {n}"] for n in range(1, 1001)]
    rows[998] = ["", "idea"]  # the 999th note, on the file's row 1,000 under its heading row
    client = client_for(organiser)
    response = upload(client, workshop, csv_file([["text", "kind"], *rows]))

    page = client.get(response.url)
    html = page.content.decode()
    assert "This file cannot be imported: nothing has been stored." in html
    assert "Row 1000: the note text is empty" in html
    assert 'name="import"' not in html

    refused = client.post(
        response.url, {**mapping_post(["text", "kind"], text="text"), "import": "Import"}
    )
    assert refused.status_code == 200
    assert "Row 1000: the note text is empty" in refused.content.decode()
    assert not Contribution.objects.exists()


def test_an_upload_that_is_not_a_spreadsheet_is_refused_on_the_form(workshop, organiser):
    response = upload(client_for(organiser), workshop, b"\x89PNG\r\n", "photo.png")
    assert response.status_code == 200
    assert "The selected file must be a CSV or XLSX file" in response.content.decode()
    assert not PendingImport.objects.exists()


def test_the_preview_without_a_current_upload_asks_for_the_file(workshop, organiser):
    url = reverse("admin:workshops_workshop_import_preview", args=[workshop.pk])
    response = client_for(organiser).get(f"{url}?upload=not-a-key")
    assert response.status_code == 302
    assert response.url == reverse("admin:workshops_workshop_import_notes", args=[workshop.pk])


def test_an_organiser_cannot_open_another_organisers_upload(workshop, group, organiser):
    response = upload(client_for(organiser), workshop, csv_file([["text"], ["Hello"]]))
    other = UserFactory(email="other.organiser@example.gov.uk", is_staff=True, roles=["Organisers"])

    page = client_for(other).get(response.url)

    assert page.status_code == 302
    assert "?upload=" not in page.url


@pytest.mark.parametrize("persona", ["anonymous", "facilitator", "staff_without_role"])
def test_only_organisers_may_import_notes(request, workshop, group, persona):
    client = client_for(request.getfixturevalue(persona)) if persona != "anonymous" else None
    from django.test import Client

    client = client or Client()
    response = upload(client, workshop, csv_file([["text"], ["Sneaky note"]]))
    assert response.status_code == 302
    assert response.url.startswith("/admin/login/")
    assert not PendingImport.objects.exists()
    assert not Contribution.objects.exists()


# The management command


def test_the_command_imports_a_file_with_a_mapping(workshop, group, tmp_path):
    path = tmp_path / "tweets.csv"
    path.write_bytes(csv_file([["Tweet", "Handle"], ["Why is Twitter blocked?", "@asker"]]))
    out = io.StringIO()

    call_command(
        "import_notes",
        workshop.slug,
        str(path),
        "--mapping",
        "text=Tweet,asked_by=Handle",
        "--kind",
        "question",
        stdout=out,
    )

    assert "Importing 1 rows…" in out.getvalue()
    assert "Imported 1 notes" in out.getvalue()
    note = Contribution.objects.get()
    assert (note.text, note.asked_by, note.kind, note.source) == (
        "Why is Twitter blocked?",
        "@asker",
        "question",
        "tweets.csv",
    )


def test_the_command_refuses_a_bad_file_with_its_row_and_a_non_zero_exit(workshop, group, tmp_path):
    path = tmp_path / "notes.csv"
    path.write_bytes(csv_file([["text", "asked_at"], ["Fine", ""], ["Bad", "soon"]]))

    with pytest.raises(CommandError, match="Row 3: “soon” is not a date") as refused:
        call_command("import_notes", workshop.slug, str(path), stdout=io.StringIO())

    assert refused.value.returncode == 1
    assert not Contribution.objects.exists()


def test_the_command_run_as_from_the_shell_exits_with_status_1_and_says_why(
    workshop, group, tmp_path, capsys
):
    path = tmp_path / "notes.csv"
    path.write_bytes(csv_file([["text", "group"], ["Fine", ""], ["Lost", "Canteen"]]))

    # As `manage.py` runs it; the system checks are the test run's own business. A command run
    # from the shell closes the database connections as it ends, which would close the test's
    # own transaction on PostgreSQL.
    argv = ["manage.py", "import_notes", workshop.slug, str(path), "--skip-checks"]
    with (
        mock.patch("django.core.management.base.connections.close_all"),
        pytest.raises(SystemExit) as exited,
    ):
        ManagementUtility(argv).execute()

    assert exited.value.code == 1
    assert "Row 3: unknown flipchart group “Canteen”" in capsys.readouterr().err
    assert not Contribution.objects.exists()


# Size and the replay


def test_figure_ten_thousand_rows_import(workshop, group, organiser):
    FlipchartGroupFactory(workshop=workshop, subject="Skills and tools")
    data = csv_file(
        [
            ["text", "kind", "group", "asked_by", "asked_at", "source"],
            *(
                [
                    f"Imported note number {n}: access to social media is blocked",
                    ["comment", "question", "idea", "positive"][n % 4],
                    ["Barriers to using social media", "Skills and tools"][n % 2],
                    f"@person{n % 300}",
                    f"2012-06-21 {9 + n % 8:02d}:{n % 60:02d}",
                    "Bulk test",
                ]
                for n in range(10_000)
            ),
        ]
    )
    started = time.perf_counter()
    rows = read_rows(workshop, data)
    read = time.perf_counter() - started
    result = notes_import(workshop=workshop, rows=rows, by=organiser)
    total = time.perf_counter() - started
    print(f"\nFIGURE: imported 10000 rows in {total:.2f} s (reading and checking {read:.2f} s)")
    assert result.added == 10_000
    assert Contribution.history.count() == 10_000
    started = time.perf_counter()
    again = notes_import(workshop=workshop, rows=rows, by=organiser)
    seconds = time.perf_counter() - started
    print(f"FIGURE: importing the same 10000 rows again added 0 in {seconds:.2f} s")
    assert again.added == 0


def test_replay_the_asksirbob_questions_from_a_csv_through_to_an_answer(
    workshop, group, organiser, tmp_path
):
    out = io.StringIO()
    call_command(
        "import_notes",
        workshop.slug,
        str(DATA / "asksirbob-questions.csv"),
        "--mapping",
        "text=Tweet,asked_by=Handle,asked_at=Posted",
        "--kind",
        "question",
        "--source",
        "#asksirbob on Twitter",
        stdout=out,
    )

    questions = list(Contribution.objects.questions_open().order_by("asked_at"))
    assert len(questions) == 5
    assert {question.asked_by for question in questions} == {"@baragouiner"}
    assert {question.source for question in questions} == {"#asksirbob on Twitter"}
    assert questions[0].asked_at == timezone.make_aware(datetime.datetime(2012, 6, 21, 9, 12))
    assert "contestable policy making" in questions[0].text
    assert all(question.days_waiting() > 0 for question in questions)

    answered = question_answer(
        question=questions[0],
        by=organiser,
        answer="Policy teams will be able to draw on outside expertise as well as their own.",
    )
    assert answered.closure == Contribution.Closure.ANSWERED
    assert Contribution.objects.questions_open().count() == 4
