import datetime
from collections.abc import Iterable

from django.db import transaction
from django.utils import timezone
from simple_history.utils import bulk_create_with_history

from actions.dates import default_due_date
from actions.models import ActionItem, ActionSource, Organisation, Status, StatusUpdate
from workshops.models import Area, Contribution, Theme, Workshop
from workshops.services import MixedWorkshopsError, question_route


class NoOwnerError(ValueError):
    pass


@transaction.atomic
def action_create(
    *,
    workshop: Workshop,
    area: Area,
    title: str,
    by=None,
    owner: Organisation | None = None,
    due_date: datetime.date | None = None,
    description: str = "",
    theme: Theme | None = None,
    contributions: Iterable[Contribution] = (),
) -> ActionItem:
    """Create an action owned by the area's default owner and due 3 months after the workshop,
    unless told otherwise, linked to the contributions it came from."""
    owner = owner or area.default_owner
    if owner is None:
        raise NoOwnerError(f"Choose an owner: {area} has no default owner")
    contributions = list(contributions)
    sources = Contribution.objects.filter(pk__in=[c.pk for c in contributions])
    if sources.exclude(group__workshop=workshop).exists():
        raise MixedWorkshopsError("An action's source contributions must come from its workshop.")
    due_date = due_date or default_due_date(workshop.date)
    action = ActionItem(
        workshop=workshop,
        area=area,
        title=title,
        description=description,
        owner=owner,
        due_date=due_date,
        original_due_date=due_date,
        theme=theme,
        created_by=by,
    )
    action._history_user = by
    action.save()
    ActionSource.objects.bulk_create(
        ActionSource(action=action, contribution=contribution) for contribution in contributions
    )
    for question in sources.questions_open():
        question_route(question=question, by=by)
    return action


@transaction.atomic
def action_post_update(
    *,
    action: ActionItem,
    by,
    status: str,
    note: str = "",
    new_due_date: datetime.date | None = None,
    at: datetime.datetime | None = None,
) -> StatusUpdate:
    """Append a status update; the action's status is always its latest update's."""
    locked = ActionItem.objects.select_for_update().get(pk=action.pk)
    update = StatusUpdate.objects.create(
        action=locked,
        author=by,
        status=Status(status),
        note=note,
        new_due_date=new_due_date,
        created_at=at or timezone.now(),
    )
    locked.status = locked.updates.latest().status
    if new_due_date is not None:
        locked.due_date = new_due_date
    locked._history_user = by
    locked.save(update_fields=["status", "due_date", "updated_at"])
    action.status, action.due_date = locked.status, locked.due_date
    return update


@transaction.atomic
def action_cascade(*, action: ActionItem, owners: Iterable[Organisation], by) -> list[ActionItem]:
    """Cascade an action to organisations: each gets its own copy, due the same day, to report
    on; an organisation that already has one gets no second."""
    already = set(action.children.values_list("owner_id", flat=True))
    children = [
        ActionItem(
            workshop_id=action.workshop_id,
            area_id=action.area_id,
            title=action.title,
            description=action.description,
            owner=owner,
            due_date=action.due_date,
            original_due_date=action.due_date,
            theme_id=action.theme_id,
            parent=action,
            created_by=by,
        )
        for owner in owners
        if owner.pk not in already
    ]
    return bulk_create_with_history(
        children, ActionItem, default_user=by, default_change_reason=f"Cascaded from {action}"
    )
