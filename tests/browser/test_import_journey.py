"""An organiser imports a file of questions from the workshop's admin page: upload, choose the
columns, preview, import; each page passes axe's WCAG 2.2 checks."""

from pathlib import Path

import pytest
from playwright.sync_api import Page, expect

from tests.browser.conftest import assert_accessible, sign_in_to_admin
from workshops.models import Contribution, Workshop

pytestmark = pytest.mark.django_db(transaction=True)

QUESTIONS = Path(__file__).resolve().parents[1] / "data" / "asksirbob-questions.csv"


def test_an_organiser_imports_the_asksirbob_questions_from_the_workshops_page(
    page: Page, live_server, demo: Workshop
):
    sign_in_to_admin(page, live_server.url)
    page.goto(f"{live_server.url}/admin/workshops/workshop/{demo.pk}/change/")
    page.get_by_role("link", name="Import notes").click()
    expect(page.get_by_role("heading", level=1)).to_contain_text("Import notes")
    assert_accessible(page)

    page.get_by_label("File of notes").set_input_files(QUESTIONS)
    page.get_by_role("button", name="Upload and choose columns").click()
    expect(page.get_by_text("5 rows of notes under 3 column headings")).to_be_visible()
    assert_accessible(page)

    page.get_by_label("Note text").select_option(label="Tweet")
    page.get_by_label("Asked by").select_option(label="Handle")
    page.get_by_label("Asked at").select_option(label="Posted")
    page.get_by_label("Kind of rows without one").select_option(label="Question")
    page.get_by_label("Flipchart group of rows without one").select_option(index=1)
    page.get_by_label("Source of rows without one").fill("#asksirbob on Twitter")
    page.get_by_role("button", name="Show the rows with these choices").click()
    preview = page.locator("#import-preview")
    expect(preview.get_by_role("cell", name="@baragouiner")).to_have_count(5)
    assert_accessible(page)

    page.get_by_role("button", name="Import 5 rows").click()
    expect(page.get_by_text("Imported 5 notes from asksirbob-questions.csv")).to_be_visible()
    imported = Contribution.objects.filter(channel=Contribution.Channel.IMPORT)
    assert imported.count() == 5
    assert set(imported.values_list("asked_by", flat=True)) == {"@baragouiner"}
