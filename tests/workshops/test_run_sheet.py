import datetime
import re
import uuid

import pytest
from django.urls import reverse
from django.utils import timezone

from tests.conftest import client_for
from tests.factories import ContributionFactory, FlipchartGroupFactory, WorkshopFactory
from workshops.capture import parse_notes
from workshops.models import Contribution, FlipchartGroup
from workshops.services import notes_capture, workshop_rounds_start


@pytest.fixture
def workshop(db):
    workshop = WorkshopFactory(slug="so-what")
    for order, limit in enumerate([5, 5, 10]):
        FlipchartGroupFactory(workshop=workshop, order=order, time_limit_minutes=limit)
    return workshop


def run_sheet_url(workshop):
    return reverse("workshops:workshop_run_sheet", kwargs={"slug": workshop.slug})


def test_starting_all_rounds_gives_every_group_the_same_start(organiser, workshop):
    client = client_for(organiser)
    response = client.post(run_sheet_url(workshop), {"grace_minutes": "3"})

    assert response.status_code == 302
    starts = set(workshop.groups.values_list("round_started_at", flat=True))
    assert len(starts) == 1
    assert None not in starts
    ends = [group.round_ends_at for group in workshop.groups.all()]
    assert ends[0] == ends[1] == ends[2] - datetime.timedelta(minutes=5)
    workshop.refresh_from_db()
    assert workshop.grace_minutes == 3
    page = client.get(response.url).text
    assert "Rounds started for all 3 groups at" in page
    assert page.count("Running</strong>") == 3


def test_notes_after_the_grace_period_are_marked_as_late(db, workshop):
    started = timezone.now() - datetime.timedelta(minutes=30)
    workshop_rounds_start(workshop=workshop, grace_minutes=2, at=started)
    group = FlipchartGroup.objects.select_related("workshop").filter(workshop=workshop).first()
    # Two different notes: the same notes again within seconds would be one submit, sent twice.
    in_time, late = (parse_notes(text, default_kind="comment") for text in ("On time", "Late"))

    in_grace = started + datetime.timedelta(minutes=6, seconds=59)
    after_grace = started + datetime.timedelta(minutes=7, seconds=1)
    notes_capture(group=group, by=None, key=uuid.uuid4(), notes=in_time, at=in_grace)
    notes_capture(group=group, by=None, key=uuid.uuid4(), notes=late, at=after_grace)

    assert list(
        Contribution.objects.order_by("entered_at").values_list("entered_after_round", flat=True)
    ) == [
        False,
        True,
    ]


def test_run_sheet_shows_each_groups_notes_round_and_latest_note(organiser, workshop):
    group = workshop.groups.first()
    ContributionFactory.create_batch(2, group=group, entered_after_round=True)
    html = client_for(organiser).get(run_sheet_url(workshop)).text
    assert html.count("Not started</strong>") == 3
    assert re.search(
        r"numeric\" data-label=\"Notes\">2</td>\s*"
        r"<td class=\"govuk-table__cell govuk-table__cell--numeric\" "
        r"data-label=\"After the round\">2</td>",
        html,
    )
    assert "None yet" in html
    assert 'href="/workshops/so-what/run-sheet/" data-refresh-link>Refresh</a>' in html


@pytest.mark.parametrize("grace", ["-1", "61", "two", ""])
def test_a_bad_grace_period_is_explained(organiser, workshop, grace):
    response = client_for(organiser).post(run_sheet_url(workshop), {"grace_minutes": grace})
    assert response.status_code == 200
    assert "There is a problem" in response.text
    assert re.search(r"Grace period must be|Enter a grace period", response.text)
    assert not workshop.groups.filter(round_started_at__isnull=False).exists()


def test_only_organisers_can_open_the_run_sheet(client, facilitator, owner_a, workshop):
    url = run_sheet_url(workshop)
    assert client.get(url).url.startswith(reverse("login"))
    for user in (facilitator, owner_a):
        assert client_for(user).get(url).status_code == 404
        assert client_for(user).post(url, {"grace_minutes": "2"}).status_code == 404
    assert not workshop.groups.filter(round_started_at__isnull=False).exists()


def test_organisers_find_the_run_sheet_from_the_workshop_page(organiser, workshop):
    html = client_for(organiser).get(workshop.get_absolute_url()).text
    assert run_sheet_url(workshop) in html
