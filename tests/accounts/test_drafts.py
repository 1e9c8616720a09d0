"""Who meets a draft workshop, as the README's "Who may do what" says: its page, the home page
list and its run sheet are the organisers'; its facilitators and owners see its title where they
prepare; the public pages never show it."""

import pytest
from django.urls import reverse

from tests.conftest import client_for
from tests.factories import ActionItemFactory, FlipchartGroupFactory, WorkshopFactory

pytestmark = pytest.mark.django_db


@pytest.fixture
def draft():
    return WorkshopFactory(title="A workshop still being planned", is_published=False)


def test_only_organisers_open_a_drafts_page_and_run_sheet_and_see_it_listed(
    client, organiser, facilitator, owner_a, draft
):
    FlipchartGroupFactory(workshop=draft).facilitators.add(facilitator)
    ActionItemFactory(workshop=draft, owner=owner_a.organisations.get())
    pages = [
        reverse("workshops:workshop_detail", kwargs={"slug": draft.slug}),
        reverse("workshops:workshop_run_sheet", kwargs={"slug": draft.slug}),
    ]

    for user in [facilitator, owner_a]:
        signed_in = client_for(user)
        assert [signed_in.get(page).status_code for page in pages] == [404, 404]
        assert draft.title not in signed_in.get(reverse("workshops:workshop_list")).text
    assert client.get(pages[0]).status_code == 404
    assert [client_for(organiser).get(page).status_code for page in pages] == [200, 200]
    assert draft.title in client_for(organiser).get(reverse("workshops:workshop_list")).text


def test_a_drafts_facilitators_see_its_title_on_their_flipcharts(facilitator, draft):
    group = FlipchartGroupFactory(workshop=draft)
    group.facilitators.add(facilitator)
    client = client_for(facilitator)

    assert draft.title in client.get(reverse("workshops:group_list")).text
    capture = client.get(reverse("workshops:group_capture", kwargs={"pk": group.pk}))
    assert capture.status_code == 200
    assert draft.title in capture.text


def test_a_drafts_owners_see_its_title_on_their_actions(owner_a, draft):
    action = ActionItemFactory(workshop=draft, owner=owner_a.organisations.get())
    client = client_for(owner_a)

    assert draft.title in client.get(reverse("actions:action_list")).text
    detail = client.get(reverse("actions:action_detail", kwargs={"pk": action.pk}))
    assert detail.status_code == 200
    assert draft.title in detail.text


@pytest.mark.parametrize(
    "name",
    [
        "workshop_progress",
        "workshop_progress_json",
        "workshop_xlsx",
        "contributions_csv",
        "actions_xlsx",
        "workshop_qr",
        "follow",
    ],
)
def test_even_organisers_find_no_public_page_for_a_draft(organiser, draft, name):
    page = reverse(f"progress:{name}", kwargs={"slug": draft.slug})

    assert client_for(organiser).get(page).status_code == 404
