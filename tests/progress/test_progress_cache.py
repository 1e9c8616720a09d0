"""The public progress page is cached whole; every change that shows on it must show at once."""

import datetime
import re
import uuid

import pytest
from django.db import connection
from django.test import Client
from django.test.utils import CaptureQueriesContext
from django.urls import reverse

from actions.models import DueDateChange
from actions.services import action_cascade, action_create, action_post_update, due_date_decide
from tests.conftest import client_for
from tests.factories import (
    ActionItemFactory,
    ContributionFactory,
    OrganisationFactory,
    ThemeFactory,
)
from workshops.capture import ParsedNote
from workshops.models import Area, Contribution, Workshop
from workshops.services import (
    contribution_save,
    contributions_add_to_theme,
    contributions_move_to_area,
    contributions_remove,
    contributions_restore,
    notes_capture,
    question_answer,
)

pytestmark = pytest.mark.django_db


@pytest.fixture
def note(group):
    return ContributionFactory(group=group, text="Sites are blocked")


@pytest.fixture
def action(workshop):
    return ActionItemFactory(
        workshop=workshop, title="Unblock the sites", original_due_date=datetime.date(2012, 10, 4)
    )


@pytest.fixture
def question(group):
    return ContributionFactory(
        group=group, text="Who decides what is blocked?", kind=Contribution.Kind.QUESTION
    )


def page(workshop, client=None) -> str:
    url = reverse("progress:workshop_progress", kwargs={"slug": workshop.slug})
    response = (client or Client()).get(url)
    assert response.status_code == 200
    return response.content.decode()


def rename_workshop(workshop, **_):
    workshop.title = "Renamed workshop"
    workshop.save()
    return "Renamed workshop"


def rename_group(group, **_):
    group.subject = "Renamed subject"
    group.save()
    return "Renamed subject"


def capture_notes(group, organiser, **_):
    """On a workshop that publishes notes without review, a captured note shows at once."""
    Workshop.objects.filter(pk=group.workshop_id).update(notes_public_after_review=False)
    notes = [ParsedNote(line_number=1, text="A captured note", kind="comment")]
    notes_capture(group=group, by=organiser, key=uuid.uuid4(), notes=notes)
    return "A captured note"


def edit_note(note, organiser, **_):
    note.text = "An edited note"
    contribution_save(contribution=note, by=organiser)
    return "An edited note"


def move_note_to_area(note, organiser, **_):
    area = Area.objects.get(slug="training")
    contributions_move_to_area(
        contributions=Contribution.objects.filter(pk=note.pk), area=area, by=organiser
    )
    return 'id="area-training"'


def add_note_to_new_theme(note, organiser, **_):
    contributions_add_to_theme(
        contributions=Contribution.objects.filter(pk=note.pk),
        by=organiser,
        new_theme_name="Blocked sites",
        area=Area.objects.get(slug="infrastructure"),
    )
    return "Blocked sites"


def rename_theme(note, workshop, **_):
    theme = ThemeFactory(workshop=workshop, name="First name")
    note.theme = theme
    note.save()
    theme.name = "Renamed theme"
    theme.save()
    return "Renamed theme"


def rename_area(note, **_):
    area = Area.objects.get(slug="infrastructure")
    note.area = area
    note.save()
    area.name = "Tools and access"
    area.save()
    return "Tools and access"


def create_action(workshop, organiser, **_):
    action_create(
        workshop=workshop,
        area=Area.objects.get(slug="training"),
        title="Train digital champions",
        by=organiser,
    )
    return "Train digital champions"


def edit_action(action, **_):
    action.title = "Retitled action"
    action.save()
    return "Retitled action"


def post_status_update(action, organiser, **_):
    action_post_update(action=action, by=organiser, status="in_progress", note="Halfway there")
    return "Halfway there"


def approve_new_due_date(action, organiser, **_):
    proposal = DueDateChange.objects.create(
        action=action,
        old_date=action.due_date,
        new_date=action.due_date + datetime.timedelta(days=30),
        reason="Waiting for the new firewall",
        state=DueDateChange.State.PROPOSED,
    )
    due_date_decide(proposal=proposal, by=organiser, approve=True)
    return "Waiting for the new firewall"


def rename_owner(action, **_):
    action.owner.name = "Renamed department"
    action.owner.save()
    return "Renamed department"


def cascade_action(action, organiser, **_):
    action_cascade(action=action, owners=[OrganisationFactory(name="Cascade dept")], by=organiser)
    return "Cascade dept"


def answer_question(question, organiser, **_):
    question_answer(question=question, by=organiser, answer="The security team")
    return "The security team"


def remove_note(note, organiser, **_):
    contributions_remove(contributions=Contribution.objects.filter(pk=note.pk), by=organiser)
    return None


def hide_note(note, **_):
    note.hidden_from_public = True
    note.save()
    return None


def delete_action(action, **_):
    action.delete()
    return None


CHANGES_THAT_SHOW = [
    rename_workshop,
    rename_group,
    capture_notes,
    edit_note,
    move_note_to_area,
    add_note_to_new_theme,
    rename_theme,
    rename_area,
    create_action,
    edit_action,
    post_status_update,
    approve_new_due_date,
    rename_owner,
    cascade_action,
    answer_question,
]


@pytest.mark.parametrize("change", CHANGES_THAT_SHOW, ids=lambda change: change.__name__)
def test_progress_page_shows_every_change_at_once(
    change, workshop, group, note, action, question, organiser
):
    before = page(workshop)

    shown = change(
        workshop=workshop,
        group=group,
        note=note,
        action=action,
        question=question,
        organiser=organiser,
    )

    assert shown not in before
    assert shown in page(workshop)


@pytest.mark.parametrize(
    "change", [remove_note, hide_note, delete_action], ids=lambda change: change.__name__
)
def test_progress_page_drops_what_is_taken_away_at_once(change, workshop, note, action, organiser):
    before = page(workshop)
    assert "Sites are blocked" in before or "Unblock the sites" in before

    change(workshop=workshop, note=note, action=action, organiser=organiser)

    gone = "Sites are blocked" if change is not delete_action else "Unblock the sites"
    assert gone not in page(workshop)


def test_restoring_a_removed_note_shows_it_again(workshop, note, organiser):
    notes = Contribution.objects.filter(pk=note.pk)
    contributions_remove(contributions=notes, by=organiser)
    assert "Sites are blocked" not in page(workshop)

    contributions_restore(contributions=notes, by=organiser)

    assert "Sites are blocked" in page(workshop)


def nonce(content: str) -> str:
    return re.search(r'nonce="([^"]+)"', content).group(1)


def test_cached_progress_page_carries_the_nonce_of_its_own_csp_header(workshop, note):
    Client().get(reverse("progress:workshop_progress", kwargs={"slug": workshop.slug}))

    response = Client().get(reverse("progress:workshop_progress", kwargs={"slug": workshop.slug}))

    page_nonce = nonce(response.content.decode())
    assert f"'nonce-{page_nonce}'" in response["Content-Security-Policy"]


def test_unchanged_progress_page_answers_304_after_one_query(workshop, note):
    url = reverse("progress:workshop_progress", kwargs={"slug": workshop.slug})
    etag = Client().get(url)["ETag"]

    with CaptureQueriesContext(connection) as queries:
        response = Client().get(url, headers={"if-none-match": etag})

    assert response.status_code == 304
    assert response["ETag"] == etag
    print(f"\nFIGURE: progress page 304 answer: {len(queries)} query")
    assert len(queries) == 1


def test_progress_page_etag_changes_with_the_day(workshop, note, time_machine):
    url = reverse("progress:workshop_progress", kwargs={"slug": workshop.slug})
    time_machine.move_to(datetime.datetime(2026, 11, 26, 12, tzinfo=datetime.UTC))
    today = Client().get(url)["ETag"]

    time_machine.move_to(datetime.datetime(2026, 11, 27, 12, tzinfo=datetime.UTC))

    assert Client().get(url, headers={"if-none-match": today}).status_code == 200


def test_signed_in_visitors_get_their_own_page_not_the_cached_one(workshop, note, organiser):
    page(workshop)

    content = page(workshop, client_for(organiser))

    assert "Sign out" in content
    assert "Sign out" not in page(workshop)


def test_cached_progress_page_reads_only_the_workshops_version(workshop, note):
    url = reverse("progress:workshop_progress", kwargs={"slug": workshop.slug})
    Client().get(url)

    with CaptureQueriesContext(connection) as queries:
        response = Client().get(url)

    assert response.status_code == 200
    assert note.text in response.text
    (query,) = queries
    assert '"progress_version"' in query["sql"]
    assert '"title"' not in query["sql"]


def test_a_draft_has_no_progress_page_even_when_a_published_one_was_cached(workshop, note):
    url = reverse("progress:workshop_progress", kwargs={"slug": workshop.slug})
    Client().get(url)
    workshop.is_published = False
    workshop.save()

    assert Client().get(url).status_code == 404


def test_a_submit_to_a_workshop_that_reviews_notes_first_keeps_its_cached_page(
    workshop, group, note, organiser
):
    """Its notes are not public until reviewed, so the page need not be dropped, and the submit
    takes no lock on the workshop that the next submit would wait for."""
    assert workshop.notes_public_after_review
    before = Workshop.objects.get(pk=workshop.pk).progress_version
    notes = [ParsedNote(line_number=1, text="Awaiting review", kind="comment")]

    notes_capture(group=group, by=organiser, key=uuid.uuid4(), notes=notes)

    assert Workshop.objects.get(pk=workshop.pk).progress_version == before
    assert "Awaiting review" not in page(workshop)


def test_notes_captured_before_review_was_turned_off_show_once_it_is(workshop, group, organiser):
    page(workshop)
    notes = [ParsedNote(line_number=1, text="Captured under review", kind="comment")]
    notes_capture(group=group, by=organiser, key=uuid.uuid4(), notes=notes)

    workshop.notes_public_after_review = False
    workshop.save()

    assert "Captured under review" in page(workshop)
