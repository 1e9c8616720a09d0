"""The admin renders for organisers with a bounded number of queries whatever the data size."""

import pytest
from django.urls import reverse

from actions.models import Status
from actions.services import action_post_update
from tests.conftest import client_for
from tests.factories import (
    ActionItemFactory,
    ContributionFactory,
    FlipchartGroupFactory,
    ThemeFactory,
    WorkshopFactory,
)
from workshops.models import Area, Contribution

pytestmark = pytest.mark.django_db

CHANGELISTS = [
    "workshops_workshop",
    "workshops_flipchartgroup",
    "workshops_contribution",
    "workshops_area",
    "workshops_theme",
    "workshops_user",
    "actions_organisation",
    "actions_actionitem",
    "actions_statusupdate",
]


def make_data(size, author):
    area = Area.objects.get(slug="training")
    for _ in range(size):
        workshop = WorkshopFactory()
        theme = ThemeFactory(workshop=workshop, area=area)
        group = FlipchartGroupFactory(workshop=workshop)
        contributions = ContributionFactory.create_batch(3, group=group, area=area, theme=theme)
        action = ActionItemFactory(workshop=workshop, area=area, theme=theme)
        action.source_contributions.add(*contributions)
        action_post_update(action=action, by=author, status=Status.IN_PROGRESS, note="Started")


@pytest.mark.parametrize("changelist", CHANGELISTS)
def test_each_changelist_issues_the_same_queries_at_two_data_sizes(
    organiser, changelist, django_assert_max_num_queries
):
    client = client_for(organiser)
    url = reverse(f"admin:{changelist}_changelist")
    make_data(2, organiser)
    with django_assert_max_num_queries(16) as small:
        assert client.get(url, follow=True).status_code == 200
    make_data(20, organiser)
    with django_assert_max_num_queries(len(small.captured_queries)):
        assert client.get(url, follow=True).status_code == 200


def test_contributions_are_removed_not_deleted_from_admin(organiser):
    contribution = ContributionFactory()
    client = client_for(organiser)
    url = reverse("admin:workshops_contribution_changelist")
    response = client.post(
        url, {"action": "remove_selected", "_selected_action": [contribution.pk]}, follow=True
    )
    assert "1 contribution removed." in response.text
    contribution.refresh_from_db()
    assert contribution.removed_by == organiser
    assert "delete_selected" not in client.get(url).text

    client.post(url, {"action": "restore_selected", "_selected_action": [contribution.pk]})
    assert Contribution.objects.present().filter(pk=contribution.pk).exists()


def test_action_admin_shows_its_history_read_only(organiser):
    action = ActionItemFactory()
    action_post_update(action=action, by=organiser, status=Status.BLOCKED, note="Budget frozen")
    response = client_for(organiser).get(
        reverse("admin:actions_actionitem_change", args=[action.pk])
    )
    assert response.status_code == 200
    assert "Budget frozen" in response.text


def test_people_without_staff_access_cannot_reach_the_admin(facilitator, owner_a, client):
    url = reverse("admin:workshops_contribution_changelist")
    for user in (facilitator, owner_a):
        response = client_for(user).get(url)
        assert response.status_code == 302
        assert response.url.startswith(reverse("admin:login"))
    assert client.get(url).status_code == 302


def test_a_groups_admin_page_shows_its_photos_and_capture_submits(organiser, settings, tmp_path):
    import uuid

    from workshops.capture import parse_notes
    from workshops.models import FlipchartGroup
    from workshops.photos import CheckedPhoto
    from workshops.services import notes_capture, photo_add

    settings.MEDIA_ROOT = tmp_path
    group = FlipchartGroup.objects.select_related("workshop").get(pk=FlipchartGroupFactory().pk)
    photo = photo_add(
        group=group,
        by=organiser,
        photo=CheckedPhoto(content=b"\x89PNG", image_format="png", width=1, height=1),
    )
    notes_capture(
        group=group,
        by=organiser,
        key=uuid.uuid4(),
        notes=parse_notes("One\nTwo", default_kind="comment"),
    )
    html = (
        client_for(organiser)
        .get(reverse("admin:workshops_flipchartgroup_change", args=[group.pk]))
        .text
    )
    assert photo.get_absolute_url() in html
    assert "Capture submits" in html
