import datetime
import re
import uuid

import pytest
from django.test import Client
from django.urls import reverse
from django.utils import timezone

from accounts import roles
from tests.conftest import client_for
from tests.factories import ContributionFactory, FlipchartGroupFactory, UserFactory, WorkshopFactory
from workshops.models import CaptureBatch, Contribution
from workshops.models import ContributionKind as Kind
from workshops.services import REPEAT_WINDOW, question_answer
from workshops.views import GroupListView

pytestmark = pytest.mark.django_db


@pytest.fixture
def other_facilitator(db):
    return UserFactory(email="other.facilitator@example.gov.uk", roles=[roles.FACILITATORS])


def capture_url(group):
    return reverse("workshops:group_capture", kwargs={"pk": group.pk})


def send(client, group, notes, *, kind=Kind.COMMENT, key=None, **extra):
    return client.post(
        capture_url(group), {"notes": notes, "kind": kind, "key": str(key or uuid.uuid4())}, **extra
    )


# Your flipcharts


def test_facilitators_see_their_own_groups_with_todays_first(facilitator, group):
    today = FlipchartGroupFactory(
        subject="Skills and tools", workshop=WorkshopFactory(date=timezone.localdate())
    )
    today.facilitators.add(facilitator)
    ContributionFactory.create_batch(2, group=group)
    FlipchartGroupFactory(subject="Someone else's flipchart")

    html = client_for(facilitator).get(reverse("workshops:group_list")).text

    assert html.index("Skills and tools") < html.index("Barriers to using social media")
    assert "Someone else&#x27;s flipchart" not in html
    assert "Today" in html
    assert re.search(r'data-label="Notes">\s*2\s*</td>', html)


def test_organisers_see_every_group(organiser, group):
    FlipchartGroupFactory(subject="Someone else's flipchart")
    html = client_for(organiser).get(reverse("workshops:group_list")).text
    assert "Barriers to using social media" in html
    assert "Someone else&#x27;s flipchart" in html


def test_owners_have_no_flipcharts(owner_a, group):
    html = client_for(owner_a).get(reverse("workshops:group_list")).text
    assert "You are not facilitating any flipcharts yet" in html
    assert "Barriers to using social media" not in html


# The capture page


def test_capture_page_shows_the_subject_prompt_and_shorthand(facilitator, group):
    response = client_for(facilitator).get(capture_url(group))
    assert response.status_code == 200
    html = response.text
    assert "Barriers to using social media" in html
    assert "What stops you using it at work?" in html
    assert "start its line with a symbol and a space: “+ ” positive" in html
    assert 'name="key"' in html
    assert "The 5-minute round has not started" in html


def test_a_batch_stores_every_line_with_its_kind_and_author(facilitator, group):
    client = client_for(facilitator)
    response = send(
        client, group, "Sites are blocked\n\n+ Speed\n? Permission?\n", kind=Kind.NEGATIVE
    )

    assert response.status_code == 302
    notes = Contribution.objects.filter(group=group).order_by("pk")
    assert [(n.text, n.kind) for n in notes] == [
        ("Sites are blocked", Kind.NEGATIVE),
        ("Speed", Kind.POSITIVE),
        ("Permission?", Kind.QUESTION),
    ]
    assert {n.entered_by for n in notes} == {facilitator}
    assert len({n.batch_id for n in notes}) == 1

    page = client.get(response.url)
    assert "3 notes added" in page.text
    assert "Notes (3)" in page.text


@pytest.mark.parametrize("lines", [2, 200])
def test_a_submit_costs_the_same_queries_whatever_its_size(
    facilitator, group, lines, django_assert_num_queries
):
    client = client_for(facilitator)
    client.get(capture_url(group))
    # Session, user, role groups, the group, one look-up for this key or the same notes sent
    # lately, savepoint, batch, notes, the workshop's new progress version, release.
    with django_assert_num_queries(10):
        response = send(client, group, "\n".join(f"Note {n}" for n in range(lines)))
    assert response.status_code == 302
    assert Contribution.objects.filter(group=group).count() == lines


def test_sending_the_same_form_again_stores_nothing_new(facilitator, group):
    client = client_for(facilitator)
    key = uuid.uuid4()
    first = send(client, group, "One\nTwo", key=key)
    again = send(client, group, "One\nTwo", key=key)

    assert again.url == first.url
    assert Contribution.objects.filter(group=group).count() == 2
    assert CaptureBatch.objects.count() == 1
    assert "2 notes added" in client.get(again.url).text


def test_the_same_notes_from_a_fresh_form_are_not_stored_again_and_the_page_says_so(
    facilitator, group
):
    # Back, then "Add notes" again: the browser refills the textarea but the page, fetched again,
    # carries a new key.
    client = client_for(facilitator)
    first = send(client, group, "One\n+ Two", key=uuid.uuid4())
    resent_key = uuid.uuid4()
    again = send(client, group, "One\n+ Two", key=resent_key)

    assert again.status_code == 302
    assert Contribution.objects.filter(group=group).count() == 2
    assert CaptureBatch.objects.count() == 1
    html = client.get(again.url).text
    assert "Nothing new was added" in html
    assert "You added these 2 notes at" in html
    assert "2 notes added" not in html
    assert "Notes (2)" in html
    assert f'data-confirmed-key="{resent_key}"' in html, "the device forgets the resent draft"
    assert "Nothing new was added" not in client.get(first.url).text


def test_the_same_notes_are_new_notes_after_the_repeat_window(facilitator, group):
    client = client_for(facilitator)
    send(client, group, "+1")
    CaptureBatch.objects.update(
        submitted_at=timezone.now() - REPEAT_WINDOW - datetime.timedelta(seconds=1)
    )
    response = send(client, group, "+1")

    assert "1 note added" in client.get(response.url).text
    assert Contribution.objects.filter(group=group, text="+1").count() == 2


def test_a_repeated_note_sent_with_another_is_stored_within_the_window(facilitator, group):
    client = client_for(facilitator)
    send(client, group, "+1")
    send(client, group, "+1\nAgreed with the room")
    assert Contribution.objects.filter(group=group, text="+1").count() == 2


@pytest.mark.parametrize("change", ["another kind", "another flipchart", "another person"])
def test_the_same_text_is_stored_again_when_anything_else_differs(
    facilitator, other_facilitator, group, change
):
    send(client_for(facilitator), group, "Sites are blocked")
    sender, target, kind = facilitator, group, Kind.COMMENT
    if change == "another kind":
        kind = Kind.NEGATIVE
    elif change == "another flipchart":
        target = FlipchartGroupFactory(workshop=group.workshop)
        target.facilitators.add(facilitator)
    else:
        group.facilitators.add(other_facilitator)
        sender = other_facilitator
    response = send(client_for(sender), target, "Sites are blocked", kind=kind)

    assert "1 note added" in client_for(sender).get(response.url).text
    assert Contribution.objects.filter(text="Sites are blocked").count() == 2


def test_a_reused_key_with_different_notes_keeps_the_text_and_stores_nothing(facilitator, group):
    client = client_for(facilitator)
    key = uuid.uuid4()
    send(client, group, "One\nTwo", key=key)
    response = send(client, group, "One\nTwo\nThree", key=key)

    assert response.status_code == 200
    assert "These notes differ from the ones this form sent before" in response.text
    assert "One\nTwo\nThree</textarea>" in response.text
    assert str(key) not in response.text, "the form gets a fresh key"
    assert Contribution.objects.filter(group=group).count() == 2


def test_two_facilitators_on_one_group_both_keep_their_notes(facilitator, other_facilitator, group):
    group.facilitators.add(other_facilitator)
    send(client_for(facilitator), group, "First facilitator's note")
    send(client_for(other_facilitator), group, "Second facilitator's note")
    assert set(Contribution.objects.values_list("entered_by__email", flat=True)) == {
        facilitator.email,
        other_facilitator.email,
    }


@pytest.mark.parametrize(
    ("notes", "error"),
    [
        ("", "Enter at least one note"),
        ("  \n \n", "Enter at least one note"),
        ("Fine\n" + "x" * 1001, "Note on line 2 must be 1,000 characters or fewer (it has 1,001)"),
        ("note\n" * 201, "Enter 200 notes or fewer at a time (you entered 201)"),
        ("Fine\n+", "Line 2 has a shorthand symbol but no note"),
    ],
)
def test_bad_input_is_explained_and_the_text_is_kept(facilitator, group, notes, error):
    response = send(client_for(facilitator), group, notes)
    assert response.status_code == 200
    html = response.text
    assert "There is a problem" in html
    assert error in html
    assert '<a href="#id_notes">' in html
    assert "<title>Error: " in html
    if notes.strip():
        assert notes.splitlines()[0] in html.split('name="notes"')[1]
    assert not Contribution.objects.exists()


def test_markup_in_a_note_is_stored_as_text_and_shown_escaped(facilitator, group):
    client = client_for(facilitator)
    response = send(client, group, '<script>alert("x")</script><b>bold</b>')
    assert Contribution.objects.get().text == '<script>alert("x")</script><b>bold</b>'
    html = client.get(response.url).text
    assert "<script>alert" not in html
    assert "&lt;script&gt;alert(&quot;x&quot;)&lt;/script&gt;&lt;b&gt;bold&lt;/b&gt;" in html


def test_the_form_is_protected_against_cross_site_requests(facilitator, group):
    client = Client(enforce_csrf_checks=True)
    client.force_login(facilitator)
    assert send(client, group, "Forged").status_code == 403
    assert not Contribution.objects.exists()


# Who may capture


def test_anonymous_visitors_are_asked_to_sign_in(client, group):
    for response in (client.get(capture_url(group)), send(client, group, "Note")):
        assert response.status_code == 302
        assert response.url.startswith(reverse("login"))
    assert not Contribution.objects.exists()


def test_other_facilitators_and_owners_cannot_see_or_post_to_a_group(
    other_facilitator, owner_a, group
):
    for user in (other_facilitator, owner_a):
        client = client_for(user)
        assert client.get(capture_url(group)).status_code == 404
        assert send(client, group, "Note").status_code == 404
    assert not Contribution.objects.exists()


def test_organisers_can_capture_for_any_group(organiser, group):
    assert send(client_for(organiser), group, "Organiser's note").status_code == 302
    assert Contribution.objects.get().entered_by == organiser


# Fixing notes afterwards


def edit_url(note):
    return reverse("workshops:contribution_edit", kwargs={"pk": note.pk})


def remove_url(note):
    return reverse("workshops:contribution_remove", kwargs={"pk": note.pk})


def test_a_facilitator_can_fix_a_notes_text_kind_and_reach(facilitator, group):
    note = ContributionFactory(group=group, text="Acess blocked")
    client = client_for(facilitator)
    assert "Change a note" in client.get(edit_url(note)).text

    response = client.post(
        edit_url(note),
        {"text": "Access blocked", "kind": Kind.NEGATIVE, "reach": "almost_everyone"},
    )

    assert response.status_code == 302
    note.refresh_from_db()
    assert (note.text, note.kind, note.reach) == (
        "Access blocked",
        Kind.NEGATIVE,
        "almost_everyone",
    )
    assert "Note updated" in client.get(response.url).text


def test_a_fixed_note_cannot_be_emptied(facilitator, group):
    note = ContributionFactory(group=group, text="Keep me")
    response = client_for(facilitator).post(
        edit_url(note), {"text": "  ", "kind": Kind.COMMENT, "reach": ""}
    )
    assert response.status_code == 200
    assert "Enter the note" in response.text
    note.refresh_from_db()
    assert note.text == "Keep me"


def test_removing_a_note_asks_first_then_removes_it_softly(facilitator, group):
    note = ContributionFactory(group=group, text="Typed twice")
    client = client_for(facilitator)
    assert "Remove this note?" in client.get(remove_url(note)).text

    response = client.post(remove_url(note))

    note.refresh_from_db()
    assert note.removed_by == facilitator
    assert note.removed_at is not None
    page = client.get(response.url).text
    assert "Note removed" in page
    assert "Typed twice" not in page
    assert client.get(edit_url(note)).status_code == 404


def test_nobody_else_can_change_or_remove_a_groups_notes(client, other_facilitator, owner_a, group):
    note = ContributionFactory(group=group, text="Mine")
    for url in (edit_url(note), remove_url(note)):
        assert client.post(url, {"text": "Hacked", "kind": Kind.COMMENT}).url.startswith(
            reverse("login")
        )
        for user in (other_facilitator, owner_a):
            assert (
                client_for(user).post(url, {"text": "Hacked", "kind": Kind.COMMENT}).status_code
                == 404
            )
    note.refresh_from_db()
    assert note.text == "Mine"
    assert note.removed_at is None


# The round


def test_starting_a_round_shows_when_it_ends(facilitator, group):
    client = client_for(facilitator)
    response = client.post(reverse("workshops:group_round_start", kwargs={"pk": group.pk}))
    group.refresh_from_db()
    ends = timezone.localtime(group.round_ends_at)
    assert group.round_ends_at - group.round_started_at == datetime.timedelta(minutes=5)
    page = client.get(response.url).text
    assert f'Round ends at <time datetime="{ends:%Y-%m-%dT%H:%M}' in page
    assert f">{ends:%H:%M}</time>" in page


def test_after_the_round_capture_still_works_and_late_notes_are_marked(facilitator, group):
    group.round_started_at = timezone.now() - datetime.timedelta(minutes=5 + 2, seconds=1)
    group.save()
    client = client_for(facilitator)
    assert "The round ended at" in client.get(capture_url(group)).text

    send(client, group, "After the bell")

    assert Contribution.objects.get().entered_after_round
    assert "After the round" in client.get(capture_url(group)).text


def test_notes_within_the_grace_period_are_on_time(facilitator, group):
    group.round_started_at = timezone.now() - datetime.timedelta(minutes=6)
    group.save()
    send(client_for(facilitator), group, "Just in time")
    assert not Contribution.objects.get().entered_after_round


def test_other_facilitators_cannot_start_a_groups_round(other_facilitator, group):
    url = reverse("workshops:group_round_start", kwargs={"pk": group.pk})
    assert client_for(other_facilitator).post(url).status_code == 404
    assert client_for(other_facilitator).get(url).status_code in (404, 405)
    group.refresh_from_db()
    assert group.round_started_at is None


def test_a_long_list_of_flipcharts_comes_in_pages(organiser, monkeypatch):
    monkeypatch.setattr(GroupListView, "paginate_by", 2)
    workshop = WorkshopFactory()
    for order in range(1, 4):
        FlipchartGroupFactory(workshop=workshop, subject=f"Flipchart {order}", order=order)
    client = client_for(organiser)

    first = client.get(reverse("workshops:group_list")).text
    assert "Showing 1 to 2 of 3 flipcharts" in first
    assert "Flipchart 3" not in first
    second = client.get(reverse("workshops:group_list"), {"page": 2}).text
    assert "Flipchart 3" in second
    assert "Flipchart 1" not in second


@pytest.mark.parametrize("size", [3, 60])
def test_capture_pages_issue_a_bounded_number_of_queries(
    organiser, group, size, django_assert_max_num_queries
):
    ContributionFactory.create_batch(size, group=group)
    for _ in range(size // 3):
        FlipchartGroupFactory(workshop=group.workshop).facilitators.add(organiser)
    client = client_for(organiser)
    run_sheet = reverse("workshops:workshop_run_sheet", kwargs={"slug": group.workshop.slug})
    for url, limit in [
        (capture_url(group), 8),
        (reverse("workshops:group_list"), 6),  # with the count that pages the list
        (run_sheet, 6),
    ]:
        with django_assert_max_num_queries(limit):
            assert client.get(url).status_code == 200


def test_an_answered_question_cannot_be_edited_into_another_kind(facilitator, organiser):
    question = ContributionFactory(kind=Contribution.Kind.QUESTION, text="Why is Twitter blocked?")
    question.group.facilitators.add(facilitator)
    question_answer(question=question, by=organiser, answer="It is not any more")

    response = client_for(facilitator).post(
        reverse("workshops:contribution_edit", args=[question.pk]),
        {"text": "Why is Twitter blocked?", "kind": Contribution.Kind.IDEA, "reach": ""},
    )

    assert response.status_code == 200
    assert "must stay a question" in response.text
    question.refresh_from_db()
    assert question.kind == Contribution.Kind.QUESTION
