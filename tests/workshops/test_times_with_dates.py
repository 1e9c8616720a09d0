"""A time is shown alone only when it is today; from another day it carries its date, so two
times side by side from different days never look like the same afternoon."""

import datetime

import pytest
from django.urls import reverse
from django.utils import timezone

from feedback_site.templatetags.dates import when
from tests.conftest import client_for
from tests.factories import ContributionFactory

pytestmark = pytest.mark.django_db


def at(days_ago: int, hour: int, minute: int) -> datetime.datetime:
    day = timezone.localdate() - datetime.timedelta(days=days_ago)
    return timezone.make_aware(datetime.datetime.combine(day, datetime.time(hour, minute)))


def long_date(moment) -> str:
    local = timezone.localtime(moment)
    return f"{local.day} {local:%B %Y}"


def test_when_shows_the_time_alone_today_and_with_its_date_otherwise():
    assert when(at(0, 0, 5)) == "00:05"
    yesterday = at(1, 14, 35)
    assert when(yesterday) == f"{long_date(yesterday)} at 14:35"
    assert when(yesterday, "H:i:s") == f"{long_date(yesterday)} at 14:35:00"
    assert when(None) == ""


def test_the_capture_page_dates_notes_from_another_day(facilitator, group):
    yesterday, today = at(1, 14, 35), at(0, 0, 10)
    ContributionFactory(group=group, text="From the first day", entered_at=yesterday)
    ContributionFactory(group=group, text="From today", entered_at=today)

    html = client_for(facilitator).get(group.get_absolute_url()).text

    assert f"{long_date(yesterday)} at 14:35" in html
    assert "00:10" in html
    assert f"{long_date(today)} at 00:10" not in html


def test_the_run_sheet_dates_a_latest_note_from_another_day(organiser, group):
    last_week = at(7, 9, 30)
    ContributionFactory(group=group, entered_at=last_week)

    html = (
        client_for(organiser)
        .get(reverse("workshops:workshop_run_sheet", kwargs={"slug": group.workshop.slug}))
        .text
    )

    assert f"{long_date(last_week)} at 09:30:00" in html


def test_the_run_sheet_dates_a_round_that_ended_on_another_day(organiser, group):
    group.round_started_at = at(2, 10, 0)
    group.save(update_fields=["round_started_at"])

    html = (
        client_for(organiser)
        .get(reverse("workshops:workshop_run_sheet", kwargs={"slug": group.workshop.slug}))
        .text
    )

    assert f"Ended</strong> at {long_date(group.round_started_at)} at 10:05" in html
