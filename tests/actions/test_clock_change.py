"""Dates stay right across the clock change in Europe/London (last Sunday of March and October):
"today", due dates, days left, overdue counts, reminders and working days all follow the local
date, not the UTC one."""

import datetime
import zoneinfo

import pytest
import time_machine
from django.utils import timezone

from actions import reminders
from actions.models import ActionItem
from actions.services import action_create
from tests.factories import ActionItemFactory, ContributionFactory, WorkshopFactory
from workshops.models import Area, Contribution
from workshops.working_days import add_working_days

pytestmark = pytest.mark.django_db

D = datetime.date


def utc(year, month, day, hour) -> datetime.datetime:
    return datetime.datetime(year, month, day, hour, 30, tzinfo=datetime.UTC)


# (the instant, the local time it is in London, the local date, 3 calendar months later)
MOMENTS = [
    (utc(2027, 3, 27, 23), "23:30 GMT", D(2027, 3, 27), D(2027, 6, 27)),
    (utc(2027, 3, 28, 0), "00:30 GMT", D(2027, 3, 28), D(2027, 6, 28)),
    (utc(2027, 3, 28, 1), "02:30 BST", D(2027, 3, 28), D(2027, 6, 28)),
    (utc(2027, 3, 28, 22), "23:30 BST", D(2027, 3, 28), D(2027, 6, 28)),
    (utc(2027, 3, 28, 23), "00:30 BST", D(2027, 3, 29), D(2027, 6, 29)),
    (utc(2027, 10, 30, 22), "23:30 BST", D(2027, 10, 30), D(2028, 1, 30)),
    (utc(2027, 10, 30, 23), "00:30 BST", D(2027, 10, 31), D(2028, 1, 31)),
    (utc(2027, 10, 31, 0), "01:30 BST", D(2027, 10, 31), D(2028, 1, 31)),
    (utc(2027, 10, 31, 1), "01:30 GMT", D(2027, 10, 31), D(2028, 1, 31)),
    (utc(2027, 10, 31, 23), "23:30 GMT", D(2027, 10, 31), D(2028, 1, 31)),
]
ids = [f"{instant:%m-%dT%H:%MZ}={local}" for instant, local, _, _ in MOMENTS]


@pytest.fixture(params=MOMENTS, ids=ids)
def moment(request):
    instant, _, today, three_months_on = request.param
    with time_machine.travel(instant, tick=False):
        yield today, three_months_on


def test_the_moments_straddle_both_clock_changes():
    london = zoneinfo.ZoneInfo("Europe/London")
    for instant, local, today, _ in MOMENTS:
        in_london = instant.astimezone(london)
        assert f"{in_london:%H:%M %Z}" == local
        assert in_london.date() == today
    offsets = {instant.astimezone(london).utcoffset() for instant, *_ in MOMENTS}
    assert offsets == {datetime.timedelta(0), datetime.timedelta(hours=1)}
    checks = len(MOMENTS) * 4
    print(f"\nFIGURE: clock change: {len(MOMENTS)} moments x 4 checks = {checks} cases")


def test_today_and_the_default_due_date_are_the_local_ones(moment):
    today, three_months_on = moment
    workshop = WorkshopFactory(date=timezone.localdate())
    action = action_create(workshop=workshop, area=Area.objects.first(), title="Unblock YouTube")

    assert timezone.localdate() == today
    assert action.due_date == three_months_on


def test_days_left_due_soon_and_overdue_count_by_the_local_date(moment):
    today, _ = moment
    due_today = ActionItemFactory(due_date=today)
    due_in_14 = ActionItemFactory(due_date=today + datetime.timedelta(days=14))
    due_yesterday = ActionItemFactory(due_date=today - datetime.timedelta(days=1))

    assert (due_today.days_until_due(), due_in_14.days_until_due()) == (0, 14)
    assert reminders.when(-due_in_14.days_until_due()) == "in 14 days"
    assert due_today.is_due_soon()
    assert not due_today.is_overdue()
    assert due_yesterday.is_overdue()
    assert list(ActionItem.objects.overdue()) == [due_yesterday]
    assert set(ActionItem.objects.due_within(0)) == {due_today}


def test_an_action_assigned_now_gets_todays_reminder(moment):
    today, _ = moment
    action = ActionItemFactory(assigned_at=timezone.now(), due_date=today + datetime.timedelta(90))

    assert reminders.anchor_date(action, "assigned") == today
    assert [due.step.step for due in reminders.due_steps(action, today)] == ["assigned"]


def test_a_question_asked_now_counts_working_days_from_the_local_date(moment):
    today, _ = moment
    question = ContributionFactory(kind=Contribution.Kind.QUESTION, entered_at=timezone.now())
    acknowledge_by = add_working_days(today, 5)

    assert question.days_waiting() == 0
    assert list(Contribution.objects.filter(entered_at__date=today)) == [question]
    assert question.acknowledge_by == acknowledge_by
    assert question not in Contribution.objects.questions_overdue(acknowledge_by)
    day_after = acknowledge_by + datetime.timedelta(days=1)
    assert list(Contribution.objects.questions_overdue(day_after)) == [question]
