"""Every admin list with a date hierarchy answers an impossible date in its address without a
server error (Django ticket 37357)."""

import pytest
from django.contrib import admin
from django.contrib.messages import get_messages

from actions.services import action_post_update
from feedback_site.admin_site import changelist_url
from tests.conftest import client_for
from tests.factories import ActionItemFactory, UserFactory

pytestmark = pytest.mark.django_db

WITH_DATE_HIERARCHY = sorted(
    (model._meta.label, model_admin.date_hierarchy)
    for model, model_admin in admin.site._registry.items()
    if model_admin.date_hierarchy
)

IMPOSSIBLE_DATES = [
    {"year": "9999"},
    {"year": "10000"},
    {"year": "0"},
    {"year": "-1"},
    {"year": "2026.0"},
    {"year": "9" * 25},
    {"year": "2026", "month": "13"},
    {"year": "2026", "month": "0"},
    {"year": "2026", "month": "9" * 25},
    {"year": "2026", "month": "2", "day": "30"},
    {"year": "2026", "month": "1", "day": "9" * 25},
    {"year": "9999", "month": "12", "day": "31"},
    {"month": "13"},
    {"month": "9" * 25},
    {"day": "9" * 25},
    {"year": ["2026", "9999"]},
]


def registered(label):
    return next(model for model in admin.site._registry if model._meta.label == label)


@pytest.fixture
def superuser(db):
    return UserFactory(email="super@example.gov.uk", is_staff=True, is_superuser=True)


@pytest.fixture
def some_of_everything(superuser):
    action = ActionItemFactory()
    action_post_update(action=action, by=superuser, status="in_progress", note="Started")


def test_the_lists_with_a_date_hierarchy_are_found():
    assert {label for label, _ in WITH_DATE_HIERARCHY} >= {
        "actions.ActionItem",
        "actions.StatusUpdate",
        "workshops.Workshop",
    }


@pytest.mark.parametrize(("label", "field"), WITH_DATE_HIERARCHY)
@pytest.mark.parametrize("date", IMPOSSIBLE_DATES, ids=str)
def test_an_impossible_date_in_a_date_hierarchy_lists_every_date_with_a_message(
    superuser, some_of_everything, label, field, date
):
    model = registered(label)
    params = {f"{field}__{part}": value for part, value in date.items()}

    response = client_for(superuser).get(changelist_url(model), params)

    assert response.status_code == 200
    assert response.context["cl"].result_count == model._default_manager.count()
    assert [str(m) for m in get_messages(response.wsgi_request)] == [
        "There is no such date, so the list shows every date."
    ]


@pytest.mark.parametrize(("label", "field"), WITH_DATE_HIERARCHY)
def test_a_real_date_in_a_date_hierarchy_still_filters(superuser, some_of_everything, label, field):
    model = registered(label)
    client = client_for(superuser)

    in_february_1999 = client.get(
        changelist_url(model), {f"{field}__year": "1999", f"{field}__month": "2"}
    )

    assert in_february_1999.status_code == 200
    assert in_february_1999.context["cl"].result_count == 0
    assert list(get_messages(in_february_1999.wsgi_request)) == []
