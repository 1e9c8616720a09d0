import datetime

import pytest
from django.db import IntegrityError, transaction
from django.db.models import ProtectedError

from actions.models import ActionItem, Organisation, Status, StatusUpdate
from actions.services import action_post_update
from tests.factories import (
    ActionItemFactory,
    ContributionFactory,
    OrganisationFactory,
    UserFactory,
)

pytestmark = pytest.mark.django_db


def test_status_update_cannot_be_changed_once_written():
    update = action_post_update(
        action=ActionItemFactory(), by=UserFactory(), status=Status.IN_PROGRESS, note="Started"
    )
    update.note = "Rewritten history"
    with pytest.raises(TypeError, match="append-only"):
        update.save()
    assert StatusUpdate.objects.get(pk=update.pk).note == "Started"


def test_status_updates_cannot_be_deleted_one_by_one_or_in_bulk():
    action = ActionItemFactory()
    update = action_post_update(action=action, by=UserFactory(), status=Status.DONE, note="Done")
    with pytest.raises(TypeError, match="append-only"):
        update.delete()
    with pytest.raises(TypeError, match="append-only"):
        StatusUpdate.objects.filter(action=action).delete()
    with pytest.raises(TypeError, match="append-only"):
        StatusUpdate.objects.filter(action=action).update(note="Rewritten")
    assert action.updates.get().note == "Done"


def test_an_action_with_history_cannot_be_deleted():
    action = ActionItemFactory()
    action_post_update(action=action, by=UserFactory(), status=Status.IN_PROGRESS)
    with pytest.raises(ProtectedError):
        action.delete()


def test_an_organisation_that_owns_actions_cannot_be_deleted():
    owner = OrganisationFactory()
    ActionItemFactory(owner=owner)
    with pytest.raises(ProtectedError):
        owner.delete()
    assert Organisation.objects.filter(pk=owner.pk).exists()


def test_a_contribution_an_action_came_from_cannot_be_deleted():
    contribution = ContributionFactory()
    action = ActionItemFactory(workshop=contribution.group.workshop)
    action.source_contributions.add(contribution)
    with pytest.raises(ProtectedError):
        contribution.delete()


def test_the_database_rejects_an_unknown_status():
    action = ActionItemFactory()
    with pytest.raises(IntegrityError), transaction.atomic():
        ActionItem.objects.filter(pk=action.pk).update(status="forgotten")


def test_the_database_rejects_a_blank_action_title():
    with pytest.raises(IntegrityError), transaction.atomic():
        ActionItemFactory(title="   ")


def test_an_action_cannot_be_its_own_parent():
    action = ActionItemFactory()
    with pytest.raises(IntegrityError), transaction.atomic():
        ActionItem.objects.filter(pk=action.pk).update(parent=action)


def test_an_action_is_cascaded_to_each_organisation_once():
    parent = ActionItemFactory()
    department = OrganisationFactory()
    ActionItemFactory(parent=parent, owner=department, workshop=parent.workshop)
    with pytest.raises(IntegrityError), transaction.atomic():
        ActionItemFactory(parent=parent, owner=department, workshop=parent.workshop)


def test_overdue_means_open_and_past_its_due_date():
    today = datetime.date(2013, 1, 10)
    late = ActionItemFactory(due_date=datetime.date(2013, 1, 9))
    due_today = ActionItemFactory(due_date=today)
    finished_late = ActionItemFactory(due_date=datetime.date(2013, 1, 1))
    action_post_update(action=finished_late, by=UserFactory(), status=Status.DONE, note="Done")

    assert list(ActionItem.objects.overdue(today)) == [late]
    assert late.is_overdue(today)
    assert not due_today.is_overdue(today)
    assert not finished_late.is_overdue(today)
