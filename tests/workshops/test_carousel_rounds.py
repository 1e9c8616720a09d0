"""The blog's format: flipcharts stay, groups rotate, rounds start together; strict time limits."""

import datetime
import uuid

import pytest
from django.urls import reverse
from django.utils import timezone

from tests.conftest import client_for
from tests.factories import FlipchartGroupFactory, WorkshopFactory
from workshops.models import Contribution, LateNotes, RoundsMode, Workshop
from workshops.services import workshop_rounds_start

pytestmark = pytest.mark.django_db

SUBJECTS = ["Barriers", "Positives and negatives", "Service delivery", "Skills and tools"]


@pytest.fixture
def carousel(db):
    workshop = WorkshopFactory(
        slug="so-what",
        rounds_mode=RoundsMode.ROTATE,
        visiting_groups="Red\nBlue\nGreen\nYellow",
    )
    for order, subject in enumerate(SUBJECTS):
        FlipchartGroupFactory(workshop=workshop, order=order, subject=subject)
    return workshop


def run_sheet_url(workshop):
    return reverse("workshops:workshop_run_sheet", kwargs={"slug": workshop.slug})


def capture(client, group, notes):
    return client.post(
        reverse("workshops:group_capture", kwargs={"pk": group.pk}),
        {"notes": notes, "kind": "comment", "key": str(uuid.uuid4())},
    )


def test_four_rounds_from_the_run_sheet_give_each_note_its_round_and_visiting_group(
    organiser, carousel
):
    client = client_for(organiser)
    first, last = carousel.groups.get(order=0), carousel.groups.get(order=3)
    for number in range(1, 5):
        response = client.post(run_sheet_url(carousel), {"grace_minutes": "2"})
        if number > 1:
            # A round has run already: the run sheet asks first and starts nothing yet.
            assert response.status_code == 200
            assert f"Start round {number} at every flipchart?" in response.text
            assert Workshop.objects.get(pk=carousel.pk).current_round == number - 1
            response = client.post(
                run_sheet_url(carousel), {"grace_minutes": "2", "confirmed": str(number)}
            )
        assert response.status_code == 302
        assert f"Round {number}: Rounds started for all 4 groups" in client.get(response.url).text
        capture(client, first, f"Round {number} at the barriers flipchart")
        capture(client, last, f"Round {number} at skills and tools")

    # Group i visits flipchart (i + round - 1) mod 4.
    assert list(
        Contribution.objects.filter(group=first)
        .order_by("round_number")
        .values_list("round_number", "visiting_group")
    ) == [(1, "Red"), (2, "Yellow"), (3, "Green"), (4, "Blue")]
    assert list(
        Contribution.objects.filter(group=last)
        .order_by("round_number")
        .values_list("round_number", "visiting_group")
    ) == [(1, "Yellow"), (2, "Green"), (3, "Blue"), (4, "Red")]
    page = client.get(run_sheet_url(carousel)).text
    assert "Which group is at which flipchart" in page
    assert "<strong>Blue</strong> (now)" in page


def test_the_confirmation_never_restarts_an_ended_round(organiser, carousel):
    client = client_for(organiser)
    started = timezone.now() - datetime.timedelta(minutes=20)
    workshop_rounds_start(workshop=carousel, grace_minutes=2, at=started)
    # A confirmation for round 1 sent again (a stale page) asks again rather than restart it.
    response = client.post(run_sheet_url(carousel), {"grace_minutes": "2", "confirmed": "1"})
    assert response.status_code == 200
    assert "Start round 2 at every flipchart?" in response.text
    assert set(carousel.groups.values_list("round_started_at", "round_number")) == {(started, 1)}


def test_the_confirmation_warns_that_running_rounds_end(organiser, carousel):
    workshop_rounds_start(workshop=carousel, grace_minutes=2)
    response = client_for(organiser).post(run_sheet_url(carousel), {"grace_minutes": "2"})
    assert "4 rounds are still running" in response.text


def test_groups_that_stay_put_record_the_round_but_no_visiting_group(facilitator, group):
    workshop_rounds_start(workshop=group.workshop, grace_minutes=2)
    capture(client_for(facilitator), group, "Sites are blocked")
    note = Contribution.objects.get()
    assert (note.round_number, note.visiting_group) == (1, "")


def test_strict_time_limits_refuse_late_notes_and_give_them_back(facilitator, group):
    Workshop.objects.filter(pk=group.workshop_id).update(late_notes=LateNotes.REFUSE)
    workshop_rounds_start(
        workshop=group.workshop,
        grace_minutes=2,
        at=timezone.now() - datetime.timedelta(minutes=8),
    )
    response = capture(client_for(facilitator), group, "Typed after time\n+ Kept for later")

    assert response.status_code == 200
    assert "There is a problem" in response.text
    assert "time limits are strict, so these notes were not added" in response.text
    assert "Typed after time\n+ Kept for later</textarea>" in response.text
    assert not Contribution.objects.exists()


def test_strict_time_limits_accept_notes_within_the_grace_period(facilitator, group):
    Workshop.objects.filter(pk=group.workshop_id).update(late_notes=LateNotes.REFUSE)
    workshop_rounds_start(
        workshop=group.workshop,
        grace_minutes=2,
        at=timezone.now() - datetime.timedelta(minutes=6),
    )
    assert capture(client_for(facilitator), group, "Just in time").status_code == 302
    assert Contribution.objects.get().entered_after_round is False


def test_marking_late_notes_stays_the_default(facilitator, group):
    assert group.workshop.late_notes == LateNotes.MARK
    workshop_rounds_start(
        workshop=group.workshop,
        grace_minutes=2,
        at=timezone.now() - datetime.timedelta(minutes=30),
    )
    assert capture(client_for(facilitator), group, "Late but kept").status_code == 302
    assert Contribution.objects.get().entered_after_round is True


def test_triage_filters_notes_by_round_and_visiting_group(organiser, carousel):
    client = client_for(organiser)
    first = carousel.groups.get(order=0)
    for number in (1, 2):
        workshop_rounds_start(workshop=carousel, grace_minutes=2)
        capture(client, first, f"Said in round {number}")
    changelist = reverse("admin:workshops_contribution_changelist")
    page = client.get(changelist, {"visiting_group": "Yellow", "triaged": "all"}).text
    assert "Said in round 2" in page
    assert "Said in round 1" not in page
    page = client.get(changelist, {"round_number": "1", "triaged": "all"}).text
    assert "Said in round 1" in page
    assert "Said in round 2" not in page
    # The run sheet links each visit that has happened to its notes.
    run_sheet = client.get(run_sheet_url(carousel)).text
    assert (
        f"?group__workshop__id__exact={carousel.pk}&amp;round_number=2&amp;visiting_group=Yellow"
        in run_sheet
    )
