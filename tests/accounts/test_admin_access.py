"""The admin's own ways in: filters, search, autocomplete, view on site, people and permissions."""

import pytest
from django.contrib.auth.models import Group
from django.contrib.contenttypes.models import ContentType
from django.test import Client
from django.urls import reverse

from accounts import roles
from tests.conftest import client_for
from tests.factories import (
    ActionItemFactory,
    ContributionFactory,
    FlipchartGroupFactory,
    UserFactory,
    WorkshopFactory,
)
from workshops.models import Contribution

pytestmark = pytest.mark.django_db

ACTION_LIST = "/admin/actions/actionitem/"


@pytest.fixture
def staff_facilitator():
    return UserFactory(
        email="staff.facilitator@example.gov.uk", is_staff=True, roles=[roles.FACILITATORS]
    )


@pytest.fixture
def superuser():
    return UserFactory(email="root@example.gov.uk", is_staff=True, is_superuser=True)


def change_data(person, **changes):
    return {
        "email": person.email,
        "full_name": "Renamed Person",
        "job_title": "",
        "is_active": "on",
        "is_staff": "on",
        "date_joined_0": "2012-07-04",
        "date_joined_1": "10:00:00",
        **changes,
    }


def test_facilitators_and_owners_hold_no_model_permissions():
    for role in (roles.FACILITATORS, roles.OWNERS):
        assert not Group.objects.get(name=role).permissions.exists(), role


@pytest.mark.parametrize(
    "query",
    ["?owner__id__exact=1", "?q=Action", "?due=overdue", "?status__exact=done&o=1"],
)
def test_admin_filters_and_search_refuse_staff_without_the_organiser_role(staff_facilitator, query):
    ActionItemFactory()
    response = client_for(staff_facilitator).get(ACTION_LIST + query)
    assert response.status_code == 302
    assert response.url.startswith(reverse("admin:login"))


def test_the_admin_refuses_lookups_it_does_not_offer(organiser):
    ActionItemFactory()
    response = client_for(organiser).get(ACTION_LIST + "?owner__members__password__startswith=m")
    assert response.status_code == 400


@pytest.mark.parametrize(
    "query",
    [
        "app_label=actions&model_name=actionitem&field_name=owner",
        "app_label=workshops&model_name=user&field_name=groups",
        "app_label=nothing&model_name=none&field_name=owner",
        "app_label=actions&model_name=actionitem&field_name=title",
        "",
    ],
)
def test_autocomplete_answers_only_for_fields_an_admin_page_offers(organiser, query):
    response = client_for(organiser).get(f"{reverse('admin:autocomplete')}?{query}&term=a")
    assert response.status_code == 403


def test_view_on_site_does_not_lead_anyone_but_organisers_to_a_draft(organiser, owner_a):
    draft = WorkshopFactory(is_published=False)
    url = reverse(
        "admin:view_on_site",
        kwargs={
            "content_type_id": ContentType.objects.get_for_model(draft).pk,
            "object_id": draft.pk,
        },
    )
    for client in (Client(), client_for(owner_a)):
        response = client.get(url)
        assert response.url.startswith(reverse("admin:login"))
        assert draft.slug not in response.url
    assert client_for(owner_a).get(draft.get_absolute_url()).status_code == 404
    assert client_for(organiser).get(url, follow=True).status_code == 200


def test_an_organiser_cannot_make_anyone_a_superuser(organiser, facilitator):
    url = reverse("admin:workshops_user_change", args=[facilitator.pk])
    response = client_for(organiser).post(
        url, change_data(facilitator, is_superuser="on", user_permissions=["1"])
    )
    assert response.status_code == 302
    facilitator.refresh_from_db()
    assert facilitator.full_name == "Renamed Person"
    assert not facilitator.is_superuser
    assert not facilitator.user_permissions.exists()


def test_an_organiser_cannot_change_or_delete_a_superuser(organiser, superuser, facilitator):
    client = client_for(organiser)
    other_person = reverse("admin:workshops_user_change", args=[facilitator.pk])
    assert 'name="_save"' in client.get(other_person).text
    for name in ["admin:workshops_user_delete", "admin:auth_user_password_change"]:
        assert client.get(reverse(name, args=[superuser.pk])).status_code == 403, name
    url = reverse("admin:workshops_user_change", args=[superuser.pk])
    assert 'name="_save"' not in client.get(url).text
    assert client.post(url, change_data(superuser, is_active="")).status_code == 403
    superuser.refresh_from_db()
    assert superuser.is_active


def test_a_superuser_can_make_a_superuser(superuser, facilitator):
    url = reverse("admin:workshops_user_change", args=[facilitator.pk])
    response = client_for(superuser).post(url, change_data(facilitator, is_superuser="on"))
    assert response.status_code == 302
    facilitator.refresh_from_db()
    assert facilitator.is_superuser


# Access taken away applies to the very next request


def test_an_organiser_taken_out_of_the_role_loses_the_admin_at_once(organiser):
    client = client_for(organiser)
    assert client.get(reverse("admin:index")).status_code == 200
    organiser.groups.clear()
    response = client.get(reverse("admin:index"))
    assert response.url.startswith(reverse("admin:login"))
    assert client.get(reverse("workshops:workshop_run_sheet", args=["any"])).status_code == 404


def test_a_facilitator_taken_off_a_group_loses_it_at_once(facilitator):
    group = FlipchartGroupFactory()
    group.facilitators.add(facilitator)
    client = client_for(facilitator)
    assert client.get(group.get_absolute_url()).status_code == 200
    group.facilitators.remove(facilitator)
    assert client.get(group.get_absolute_url()).status_code == 404


def test_an_owner_taken_out_of_the_organisation_loses_its_actions_at_once(owner_a, department_a):
    action = ActionItemFactory(owner=department_a)
    client = client_for(owner_a)
    assert client.get(action.get_absolute_url()).status_code == 200
    department_a.members.remove(owner_a)
    assert client.get(action.get_absolute_url()).status_code == 404


def test_a_deactivated_organiser_is_refused_at_once(organiser):
    client = client_for(organiser)
    organiser.is_active = False
    organiser.save()
    assert client.get(reverse("admin:index")).url.startswith(reverse("admin:login"))


def test_admin_actions_refuse_staff_without_the_organiser_role(staff_facilitator, organiser):
    note = ContributionFactory()
    url = reverse("admin:workshops_contribution_changelist")
    data = {"action": "remove_selected", "_selected_action": [note.pk], "index": 0}
    response = client_for(staff_facilitator).post(url, data)
    assert response.url.startswith(reverse("admin:login"))
    assert Contribution.objects.present().filter(pk=note.pk).exists()
    client_for(organiser).post(url, data)
    assert not Contribution.objects.present().filter(pk=note.pk).exists()
