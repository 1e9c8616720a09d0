"""Capture on a phone: notes and button first, how each line was read, messages kept in view."""

import re
import uuid

import pytest
from django.urls import reverse

from tests.conftest import client_for
from tests.factories import ContributionFactory
from tests.workshops.test_photos import _media_in_tmp, image_bytes, upload  # noqa: F401
from workshops.models import Contribution
from workshops.models import ContributionKind as Kind

pytestmark = pytest.mark.django_db


def capture_url(group):
    return reverse("workshops:group_capture", kwargs={"pk": group.pk})


def fix_url(note):
    return reverse("workshops:contribution_kind_fix", kwargs={"pk": note.pk})


def send(client, group, notes, *, kind=Kind.COMMENT):
    return client.post(capture_url(group), {"notes": notes, "kind": kind, "key": str(uuid.uuid4())})


def test_the_notes_and_the_button_come_before_the_folded_options(facilitator, group):
    html = client_for(facilitator).get(capture_url(group)).text
    form = html[html.index("data-capture") :]
    textarea, button = form.index("<textarea"), form.index('value="Add notes"')
    options, kind = form.index('<details class="govuk-details"'), form.index('name="kind"')
    assert textarea < button < options < kind
    assert "Options: lines without a symbol count as a comment" in form
    assert html.index('name="notes"') < html.index('id="round"')


def test_the_options_open_when_another_kind_was_chosen(facilitator, group):
    response = send(client_for(facilitator), group, "", kind=Kind.IDEA)
    assert '<details class="govuk-details" open>' in response.text
    assert "count as an idea" in response.text


def test_the_notes_are_focused_unless_an_error_summary_takes_focus(facilitator, group):
    client = client_for(facilitator)
    assert re.search(r"<textarea[^>]*autofocus", client.get(capture_url(group)).text)
    error_page = send(client, group, " ").text
    assert "There is a problem" in error_page
    assert not re.search(r"<textarea[^>]*autofocus", error_page)


def test_after_a_submit_each_note_shows_how_it_was_read_with_a_fix(facilitator, group):
    client = client_for(facilitator)
    response = send(client, group, "+1 to the buddy idea\n- Bulleted out of habit\n? Who decides")
    page = client.get(response.url).text

    assert "Check how your notes were read" in page
    read = page[page.index('id="notes-read"') : page.index('id="round"')]
    assert re.search(r"Comment</strong> <span[^>]*>“\+1 to the buddy idea”</span>", read)
    assert re.search(r"Negative</strong> <span[^>]*>“Bulleted out of habit”</span>", read)
    assert re.search(r"Question</strong> <span[^>]*>“Who decides”</span>", read)
    negative = Contribution.objects.get(text="Bulleted out of habit")
    assert f'action="{fix_url(negative)}"' in read
    # One button for each other kind, named for a screen reader.
    assert 'Comment<span class="govuk-visually-hidden"> instead: Bulleted out of habit' in read


def test_one_tap_changes_a_notes_kind_and_returns_to_it(facilitator, group):
    client = client_for(facilitator)
    page_url = send(client, group, "- Bulleted out of habit\nAnother").url
    added = re.search(r"added=([0-9a-f-]+)", page_url).group(1)
    note = Contribution.objects.get(text="Bulleted out of habit")

    response = client.post(fix_url(note), {"kind": Kind.COMMENT, "added": added})

    assert response.status_code == 302
    assert response.url.endswith(f"#read-{note.pk}")
    note.refresh_from_db()
    assert note.kind == Kind.COMMENT
    assert note.history.first().history_change_reason == "Kind fixed after capture"
    page = client.get(response.url).text
    assert "Changed to comment" in page
    assert "Check how your notes were read" in page


def test_the_one_tap_fix_is_refused_to_others_and_keeps_answered_questions(
    client, owner_a, organiser, facilitator, group
):
    note = ContributionFactory(group=group, kind=Kind.NEGATIVE)
    assert client.post(fix_url(note), {"kind": Kind.COMMENT}).status_code == 302
    assert client_for(owner_a).post(fix_url(note), {"kind": Kind.COMMENT}).status_code == 404
    assert client_for(facilitator).get(fix_url(note)).status_code == 405
    note.refresh_from_db()
    assert note.kind == Kind.NEGATIVE

    question = ContributionFactory(group=group, kind=Kind.QUESTION)
    from workshops.services import question_answer

    question_answer(question=question, by=organiser, answer="Yes")
    client = client_for(facilitator)
    response = client.post(fix_url(question), {"kind": Kind.IDEA})
    question.refresh_from_db()
    assert question.kind == Kind.QUESTION
    assert "must stay a question" in client.get(response.url).text


def test_change_remove_and_photo_upload_return_to_their_success_message(facilitator, group):
    client = client_for(facilitator)
    note = ContributionFactory(group=group, text="Acess blocked")
    actions = (
        (
            lambda: client.post(
                reverse("workshops:contribution_edit", kwargs={"pk": note.pk}),
                {"text": "Access blocked", "kind": Kind.NEGATIVE, "reach": ""},
            ),
            "Note updated",
        ),
        (
            lambda: client.post(reverse("workshops:contribution_remove", kwargs={"pk": note.pk})),
            "Note removed",
        ),
        (lambda: upload(client, group, "sheet.jpg", image_bytes("JPEG")), "Photo uploaded"),
    )
    for action, message in actions:
        response = action()
        assert response.url.endswith("#main-content")
        page = client.get(response.url).text
        main = page[page.index('id="main-content"') :]
        # The message is the first thing in the part of the page the link scrolls to.
        assert main.index(message) < main.index("<h1")
