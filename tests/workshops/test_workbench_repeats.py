"""Repeats gathered in the triage workbench: notes of a workshop that say much the same are
offered as one group, and put in one theme in one move, each adding to the theme's reach."""

import pytest
from django.urls import reverse

from tests.conftest import client_for
from tests.factories import FlipchartGroupFactory, WorkshopFactory
from workshops.models import Area, Contribution, Theme
from workshops.suggestions import group_repeats, service_model

pytestmark = pytest.mark.django_db

SAME = [
    "Access to social media is blocked in my department",
    "access to social meda is blocked in my departmnet",
    "+1 to access to social media being blocked",
]
OTHERS = ["We need a digital champion in every team", "The canteen closes too early"]


@pytest.fixture
def workshop():
    return WorkshopFactory(title="Online engagement: what next?")


@pytest.fixture
def notes(workshop):
    barriers = FlipchartGroupFactory(workshop=workshop, subject="Barriers")
    ideas = FlipchartGroupFactory(workshop=workshop, subject="Ideas")
    made = [Contribution.objects.create(group=barriers, text=text) for text in SAME[:2]]
    made.append(Contribution.objects.create(group=ideas, text=SAME[2]))
    made += [Contribution.objects.create(group=ideas, text=text) for text in OTHERS]
    return made


def page(client, workshop):
    return client.get(reverse("admin:workshops_workshop_workbench", args=[workshop.pk]))


def put_in_theme(client, workshop, notes, **fields):
    data = {"action": "repeats", "repeats": ",".join(str(note.pk) for note in notes)}
    data |= {f"repeat-{name}": value for name, value in fields.items()}
    url = reverse("admin:workshops_workshop_workbench_save", args=[workshop.pk])
    return client.post(url, data, follow=True)


def test_the_workbench_offers_the_engines_repeats_as_one_group(organiser, workshop, notes):
    html = page(client_for(organiser), workshop).content.decode()

    model, _version = service_model()
    assert group_repeats([note.text for note in notes], model) == [[0, 1, 2]]
    assert "3 notes from 2 flipcharts say much the same" in html
    group = html.split('id="repeat-1"')[1].split("</form>")[0]
    ids = ",".join(str(note.pk) for note in notes[:3])
    assert f'name="repeats" value="{ids}"' in group
    assert all(f"“{note.text}”" in group for note in notes[:3])
    assert "canteen" not in group
    assert "Put these 3 notes in one theme" in group


def test_repeats_go_into_a_new_theme_in_one_move_and_count_towards_its_reach(
    organiser, workshop, notes
):
    infrastructure = Area.objects.get(name="Infrastructure")

    response = put_in_theme(
        client_for(organiser),
        workshop,
        notes[:3],
        new_theme="Blocked social media",
        area=infrastructure.pk,
    )

    theme = Theme.objects.get(workshop=workshop, name="Blocked social media")
    assert [
        note.theme for note in Contribution.objects.filter(pk__in=[n.pk for n in notes[:3]])
    ] == [theme] * 3
    assert theme.area == infrastructure
    html = response.content.decode()
    assert "3 notes put in “Blocked social media”, which now holds 3 notes from 2 flipcharts." in (
        html
    )
    # The repeats are triaged: no group is offered any more.
    assert "say much the same" not in html


def test_repeats_join_an_existing_theme_whose_reach_grows(organiser, workshop, notes):
    infrastructure = Area.objects.get(name="Infrastructure")
    theme = Theme.objects.create(workshop=workshop, name="Blocked sites", area=infrastructure)
    Contribution.objects.create(group=notes[0].group, text="YouTube is blocked", theme=theme)

    html = page(client_for(organiser), workshop).content.decode()
    assert "Blocked sites (1 note from 1 flipchart)" in html

    response = put_in_theme(client_for(organiser), workshop, notes[:3], theme=theme.pk)

    assert "which now holds 4 notes from 2 flipcharts" in response.content.decode()
    assert Contribution.objects.filter(theme=theme, area=infrastructure).count() == 3


def test_putting_repeats_in_no_theme_is_refused_and_saves_nothing(organiser, workshop, notes):
    response = put_in_theme(client_for(organiser), workshop, notes[:3])

    assert "Choose a theme or name a new one" in response.content.decode()
    assert not Contribution.objects.filter(theme__isnull=False).exists()
