import datetime

import pytest
from django.utils import timezone

from actions.models import ActionItem, DueDateChange, Status
from actions.services import (
    NoOwnerError,
    Refused,
    action_cascade,
    action_create,
    action_post_update,
    due_date_decide,
    due_date_move,
)
from tests.factories import (
    ActionItemFactory,
    ContributionFactory,
    OrganisationFactory,
    UserFactory,
    WorkshopFactory,
)
from workshops.models import Area
from workshops.services import MixedWorkshopsError

pytestmark = pytest.mark.django_db


def test_a_new_action_is_owned_by_its_areas_default_owner_and_due_in_three_months():
    workshop = WorkshopFactory(date=datetime.date(2013, 1, 31))
    area = Area.objects.get(slug="cultural-change")

    action = action_create(workshop=workshop, area=area, title="Managers lead by example")

    assert action.owner.name == "Digital Leaders network"
    assert action.due_date == datetime.date(2013, 4, 30)
    assert action.status == Status.NOT_STARTED


def test_a_new_action_can_take_another_owner_and_date_and_keeps_its_sources():
    contribution = ContributionFactory()
    department = OrganisationFactory()
    action = action_create(
        workshop=contribution.group.workshop,
        area=Area.objects.get(slug="infrastructure"),
        title="Unblock YouTube",
        owner=department,
        due_date=datetime.date(2012, 9, 1),
        contributions=[contribution],
    )
    assert action.owner == department
    assert action.due_date == datetime.date(2012, 9, 1)
    assert list(contribution.actions.all()) == [action]


def test_an_action_in_an_area_without_a_default_owner_needs_one():
    area = Area.objects.create(name="Other", slug="other")
    with pytest.raises(NoOwnerError, match="Choose an owner"):
        action_create(workshop=WorkshopFactory(), area=area, title="Something")


def test_the_current_status_is_always_the_latest_updates():
    action = ActionItemFactory()
    author = UserFactory()
    action_post_update(action=action, by=author, status=Status.IN_PROGRESS, note="Started")
    action_post_update(action=action, by=author, status=Status.BLOCKED, note="No budget")
    action.refresh_from_db()
    assert action.status == Status.BLOCKED
    assert [u.status for u in action.updates.all()] == [Status.IN_PROGRESS, Status.BLOCKED]


def test_an_update_recorded_late_for_an_earlier_day_does_not_become_current():
    action = ActionItemFactory()
    author = UserFactory()
    action_post_update(action=action, by=author, status=Status.DONE, note="Finished")
    action_post_update(
        action=action,
        by=author,
        status=Status.IN_PROGRESS,
        note="Written up late: we had started the week before",
        at=timezone.now() - datetime.timedelta(days=7),
    )
    action.refresh_from_db()
    assert action.status == Status.DONE


def test_an_update_proposes_a_new_due_date_and_the_date_stays_until_it_is_approved(organiser):
    action = ActionItemFactory(due_date=datetime.date(2012, 10, 4), accepted_at=timezone.now())
    update = action_post_update(
        action=action,
        by=UserFactory(),
        status=Status.IN_PROGRESS,
        note="Waiting for the new firewall",
        new_due_date=datetime.date(2012, 12, 1),
        reason="The firewall arrives in November",
    )
    action.refresh_from_db()
    assert action.due_date == datetime.date(2012, 10, 4)
    assert update.new_due_date == datetime.date(2012, 12, 1)
    assert update.due_date_change.state == DueDateChange.State.PROPOSED

    due_date_decide(proposal=update.due_date_change, by=organiser, approve=True)

    action.refresh_from_db()
    assert action.due_date == datetime.date(2012, 12, 1)
    assert action.history.first().history_user == organiser


def test_an_unknown_status_is_refused_before_anything_is_written():
    action = ActionItemFactory()
    with pytest.raises(ValueError, match="forgotten"):
        action_post_update(action=action, by=UserFactory(), status="forgotten")
    assert not action.updates.exists()


def test_an_action_cannot_come_from_another_workshops_contributions():
    contribution = ContributionFactory()
    with pytest.raises(MixedWorkshopsError):
        action_create(
            workshop=WorkshopFactory(),
            area=Area.objects.get(slug="training"),
            title="Train people",
            contributions=[contribution],
        )
    assert not ActionItem.objects.exists()


def test_cascading_gives_each_department_its_own_copy_to_report_on(organiser):
    parent = ActionItemFactory(description="Take back to each department")
    departments = OrganisationFactory.create_batch(3)

    children = action_cascade(action=parent, owners=departments, by=organiser)

    assert {child.owner for child in children} == set(departments)
    for child in ActionItem.objects.filter(parent=parent):
        assert (child.title, child.due_date, child.area, child.workshop) == (
            parent.title,
            parent.due_date,
            parent.area,
            parent.workshop,
        )
        assert child.status == Status.NOT_STARTED
        assert child.created_by == organiser
        assert child.history.get().history_user == organiser


def test_cascading_twice_to_a_department_adds_no_second_copy(organiser):
    parent = ActionItemFactory()
    department = OrganisationFactory()
    action_cascade(action=parent, owners=[department], by=organiser)

    again = action_cascade(action=parent, owners=[department], by=organiser)

    assert again == []
    assert parent.children.count() == 1


def test_the_parent_rolls_up_how_many_departments_reported_and_finished(organiser):
    parent = ActionItemFactory()
    children = action_cascade(
        action=parent, owners=OrganisationFactory.create_batch(4), by=organiser
    )
    action_post_update(action=children[0], by=organiser, status=Status.DONE)
    action_post_update(action=children[1], by=organiser, status=Status.IN_PROGRESS)
    action_post_update(action=children[1], by=organiser, status=Status.BLOCKED)

    rolled_up = ActionItem.objects.with_cascade_progress().get(pk=parent.pk)

    assert (rolled_up.cascade_count, rolled_up.cascade_reported, rolled_up.cascade_done) == (
        4,
        2,
        1,
    )


def test_status_owner_and_due_date_changes_are_kept_with_who_made_them(organiser):
    action = action_create(
        workshop=WorkshopFactory(date=datetime.date(2012, 7, 4)),
        area=Area.objects.get(slug="training"),
        title="Train people",
        by=organiser,
    )
    updater, mover = UserFactory(), UserFactory()
    action_post_update(action=action, by=updater, status=Status.IN_PROGRESS)
    due_date_move(
        action=action,
        by=mover,
        new_date=datetime.date(2012, 12, 1),
        reason="Waiting for the new firewall",
    )

    moved, updated, created = action.history.all()
    assert [moved.history_user, updated.history_user, created.history_user] == [
        mover,
        updater,
        organiser,
    ]
    assert (created.status, created.due_date) == (Status.NOT_STARTED, datetime.date(2012, 10, 4))
    assert (updated.status, updated.due_date) == (Status.IN_PROGRESS, datetime.date(2012, 10, 4))
    assert (moved.status, moved.due_date) == (Status.IN_PROGRESS, datetime.date(2012, 12, 1))


def test_moving_the_due_date_needs_a_reason_before_anything_is_written(organiser):
    action = ActionItemFactory(due_date=datetime.date(2012, 10, 4), accepted_at=timezone.now())
    with pytest.raises(Refused, match="Enter a reason for the new date"):
        due_date_move(action=action, by=organiser, new_date=datetime.date(2012, 12, 1), reason=" ")
    with pytest.raises(Refused, match="Enter a reason for the new date"):
        action_post_update(
            action=action,
            by=UserFactory(),
            status=Status.IN_PROGRESS,
            new_due_date=datetime.date(2012, 12, 1),
        )
    action.refresh_from_db()
    assert action.due_date == datetime.date(2012, 10, 4)
    assert not action.updates.exists()
    assert not action.due_date_changes.exists()


def test_before_acceptance_an_update_cannot_propose_a_date():
    action = ActionItemFactory(due_date=datetime.date(2012, 10, 4))
    with pytest.raises(Refused, match="Accept the action first"):
        action_post_update(
            action=action,
            by=UserFactory(),
            status=Status.IN_PROGRESS,
            new_due_date=datetime.date(2012, 12, 1),
            reason="Budget",
        )
    assert not action.updates.exists()
    assert not action.due_date_changes.exists()
