"""Every change to a note is in its history, and a theme's area and its notes' areas agree."""

import re
from html import unescape

import pytest
from django.urls import reverse

from accounts import roles
from actions.models import ActionItem
from tests.conftest import client_for
from tests.factories import (
    ActionItemFactory,
    ContributionFactory,
    FlipchartGroupFactory,
    ThemeFactory,
    UserFactory,
)
from workshops.models import Area, Contribution, Theme

pytestmark = pytest.mark.django_db

CHANGELIST = reverse("admin:workshops_contribution_changelist")
ADD_TO_THEME = reverse("admin:workshops_contribution_add_to_theme")


def area(slug):
    return Area.objects.get(slug=slug)


@pytest.fixture
def group(facilitator):
    group = FlipchartGroupFactory(subject="Barriers")
    group.facilitators.add(facilitator)
    return group


@pytest.fixture
def second_organiser(db):
    return UserFactory(
        email="second.organiser@example.gov.uk", is_staff=True, roles=[roles.ORGANISERS]
    )


def run_action(client, action, notes):
    return client.post(
        f"{CHANGELIST}?triaged=all",
        {"action": action, "index": 0, "_selected_action": [note.pk for note in notes]},
        follow=True,
    )


def add_to_theme(client, notes, **data):
    ids = ",".join(str(note.pk) for note in notes)
    return client.post(
        f"{ADD_TO_THEME}?ids={ids}",
        {"theme": "", "new_theme_name": "", "area": "", **data},
        follow=True,
    )


def changes_listed(response) -> list[str]:
    """The history page's "Changes" entries as a reader sees them, one line each."""
    items = re.findall(r"<li>\s*<strong>(.*?)</li>", response.text, flags=re.S)
    return [" ".join(unescape(re.sub(r"<[^>]+>", " ", item)).split()) for item in items]


# Removing and restoring


def test_removing_then_restoring_a_note_leaves_two_history_entries_with_who(
    organiser, second_organiser, group
):
    note = ContributionFactory(group=group)

    run_action(client_for(organiser), "remove_selected", [note])
    run_action(client_for(second_organiser), "restore_selected", [note])

    removal, restoration = reversed(note.history.all()[:2])
    assert note.history.count() == 3
    assert (removal.history_change_reason, removal.history_user) == ("Removed", organiser)
    assert removal.removed_at is not None
    assert (restoration.history_change_reason, restoration.history_user) == (
        "Restored",
        second_organiser,
    )
    assert restoration.removed_at is None


def test_restoring_a_note_keeps_who_removed_it_and_says_who_restored_it(
    organiser, second_organiser, group
):
    note = ContributionFactory(group=group)
    run_action(client_for(organiser), "remove_selected", [note])

    response = run_action(client_for(second_organiser), "restore_selected", [note])

    assert "1 contribution restored." in response.text
    note.refresh_from_db()
    assert not note.is_removed
    assert (note.removed_by, note.restored_by) == (organiser, second_organiser)
    assert note.restored_at is not None


def test_a_facilitator_removing_a_note_is_in_its_history(facilitator, group):
    note = ContributionFactory(group=group)

    client_for(facilitator).post(reverse("workshops:contribution_remove", kwargs={"pk": note.pk}))

    record = note.history.latest()
    assert (record.history_change_reason, record.history_user) == ("Removed", facilitator)
    assert record.removed_by == facilitator


# A theme and its notes share one area


def test_adding_untriaged_notes_to_a_theme_gives_them_its_area(organiser, group):
    infrastructure = area("infrastructure")
    theme = ThemeFactory(workshop=group.workshop, name="Blocked sites", area=infrastructure)
    notes = ContributionFactory.create_batch(2, group=group)

    response = add_to_theme(client_for(organiser), notes, theme=theme.pk)

    assert (
        "2 contributions are in the theme “Blocked sites”; "
        "2 untriaged contributions are now in Infrastructure." in response.text
    )
    for note in Contribution.objects.filter(pk__in=[n.pk for n in notes]):
        assert (note.theme, note.area, note.triaged_by) == (theme, infrastructure, organiser)
        assert note.triaged_at is not None
        assert note.history.latest().history_change_reason == (
            "Added to theme Blocked sites, so in Infrastructure"
        )
    assert not Contribution.objects.untriaged().exists()


def test_a_theme_created_from_notes_of_one_area_takes_that_area(organiser, group):
    training = area("training")
    notes = ContributionFactory.create_batch(2, group=group, area=training)
    untriaged = ContributionFactory(group=group)

    response = add_to_theme(client_for(organiser), [*notes, untriaged], new_theme_name="Courses")

    assert "3 contributions are in the theme “Courses”" in response.text
    theme = Theme.objects.get(name="Courses")
    assert theme.area == training
    assert set(theme.contributions.values_list("area", flat=True)) == {training.pk}


def test_add_to_theme_asks_for_the_area_when_the_notes_have_none(organiser, group):
    notes = ContributionFactory.create_batch(2, group=group)
    client = client_for(organiser)

    response = add_to_theme(client, notes, new_theme_name="Old browsers")

    assert response.status_code == 200
    assert "Please correct the error below." in response.text
    assert "Select an area for the theme: its notes have no area yet" in response.text
    assert 'value="Old browsers"' in response.text
    assert not Theme.objects.exists()
    assert Contribution.objects.untriaged().count() == 2

    add_to_theme(client, notes, new_theme_name="Old browsers", area=area("training").pk)

    assert Theme.objects.get().area == area("training")
    assert not Contribution.objects.untriaged().exists()


def test_add_to_theme_asks_for_the_area_when_the_notes_are_in_several(organiser, group):
    notes = [
        ContributionFactory(group=group, area=area("training")),
        ContributionFactory(group=group, area=area("empowerment")),
    ]

    response = add_to_theme(client_for(organiser), notes, new_theme_name="Mixed")

    assert "Select an area for the theme: its notes are in different areas" in response.text
    assert not Theme.objects.exists()


def test_add_to_theme_moves_notes_of_another_area_to_the_themes_area(organiser, group):
    infrastructure, training = area("infrastructure"), area("training")
    theme = ThemeFactory(workshop=group.workshop, name="Blocked sites", area=infrastructure)
    note = ContributionFactory(group=group, area=training)

    response = add_to_theme(client_for(organiser), [note], theme=theme.pk)

    assert "1 contribution moved from another area to Infrastructure." in response.text
    note.refresh_from_db()
    assert (note.theme, note.area, note.triaged_by) == (theme, infrastructure, organiser)
    assert [record.area_id for record in note.history.all()[:2]] == [
        infrastructure.pk,
        training.pk,
    ]


def test_add_to_theme_refuses_an_area_that_contradicts_the_theme(organiser, group):
    theme = ThemeFactory(workshop=group.workshop, name="Blocked sites", area=area("infrastructure"))
    note = ContributionFactory(group=group)

    response = add_to_theme(client_for(organiser), [note], theme=theme.pk, area=area("training").pk)

    assert "“Blocked sites” is in Infrastructure: leave the area blank" in response.text
    note.refresh_from_db()
    assert (note.theme, note.area) == (None, None)


def test_an_area_less_theme_takes_the_chosen_area_with_its_notes(organiser, group):
    theme = ThemeFactory(workshop=group.workshop, name="From before")
    earlier = ContributionFactory(group=group, theme=theme)
    note = ContributionFactory(group=group)

    add_to_theme(client_for(organiser), [note], theme=theme.pk, area=area("training").pk)

    theme.refresh_from_db()
    assert theme.area == area("training")
    assert set(theme.contributions.all()) == {earlier, note}
    assert not Contribution.objects.untriaged().exists()


def test_moving_notes_to_another_area_takes_them_out_of_a_theme_of_a_different_area(
    organiser, group
):
    infrastructure, training = area("infrastructure"), area("training")
    theme = ThemeFactory(workshop=group.workshop, name="Blocked sites", area=infrastructure)
    themed = ContributionFactory(group=group, area=infrastructure, theme=theme)
    loose = ContributionFactory(group=group)

    response = run_action(client_for(organiser), f"move_to_area_{training.pk}", [themed, loose])

    assert (
        "2 contributions moved to Training. 1 of them left its theme, which is in another area."
        in response.text
    )
    themed.refresh_from_db()
    assert (themed.area, themed.theme) == (training, None)
    assert themed.history.latest().history_change_reason == (
        "Moved to Training, out of theme Blocked sites"
    )
    theme.refresh_from_db()
    assert theme.area == infrastructure


def test_changing_a_themes_area_in_the_admin_moves_its_notes(organiser, group):
    theme = ThemeFactory(workshop=group.workshop, name="Blocked sites", area=area("training"))
    notes = ContributionFactory.create_batch(2, group=group, theme=theme, area=area("training"))
    url = reverse("admin:workshops_theme_change", args=[theme.pk])
    client = client_for(organiser)
    assert client.get(url).status_code == 200

    response = client.post(
        url,
        {
            "workshop": group.workshop.pk,
            "name": "Blocked sites",
            "summary": "",
            "area": area("infrastructure").pk,
        },
        follow=True,
    )

    assert "2 contributions of the theme moved to Infrastructure." in response.text
    for note in notes:
        note.refresh_from_db()
        assert (note.area, note.triaged_by) == (area("infrastructure"), organiser)
        assert note.history.latest().history_change_reason == (
            "Moved to Infrastructure with theme Blocked sites"
        )


def test_a_theme_with_notes_cannot_lose_its_area_in_the_admin(organiser, group):
    theme = ThemeFactory(workshop=group.workshop, name="Blocked sites", area=area("training"))
    ContributionFactory(group=group, theme=theme, area=area("training"))

    response = client_for(organiser).post(
        reverse("admin:workshops_theme_change", args=[theme.pk]),
        {"workshop": group.workshop.pk, "name": "Blocked sites", "summary": "", "area": ""},
    )

    assert response.status_code == 200
    assert "Select an area: this theme has notes" in response.text
    theme.refresh_from_db()
    assert theme.area == area("training")


def edit_in_list(client, note, **fields):
    url = f"{CHANGELIST}?triaged=all&group={note.group_id}"
    data = {
        "form-TOTAL_FORMS": 1,
        "form-INITIAL_FORMS": 1,
        "_save": "Save",
        "form-0-id": note.pk,
        "form-0-area": "",
        "form-0-theme": "",
    }
    data.update({f"form-0-{name}": value for name, value in fields.items()})
    return client.post(url, data)


def test_a_note_put_in_a_theme_in_the_list_takes_its_area(organiser, group):
    theme = ThemeFactory(workshop=group.workshop, name="Blocked sites", area=area("training"))
    note = ContributionFactory(group=group)

    response = edit_in_list(client_for(organiser), note, theme=theme.pk)

    assert response.status_code == 302
    note.refresh_from_db()
    assert (note.theme, note.area, note.triaged_by) == (theme, area("training"), organiser)


def test_a_note_cannot_be_given_an_area_other_than_its_themes_in_the_list(organiser, group):
    theme = ThemeFactory(workshop=group.workshop, name="Blocked sites", area=area("training"))
    note = ContributionFactory(group=group, theme=theme, area=area("training"))

    response = edit_in_list(
        client_for(organiser), note, theme=theme.pk, area=area("infrastructure").pk
    )

    assert response.status_code == 200
    assert "“Blocked sites” is in Training: choose that area or take the note out" in (
        response.text
    )
    note.refresh_from_db()
    assert note.area == area("training")


# The history page's wording


def test_the_history_says_set_for_a_first_area_and_triager_never_pk_none(organiser, group):
    note = ContributionFactory(group=group)
    client = client_for(organiser)
    run_action(client, f"move_to_area_{area('training').pk}", [note])
    run_action(client, f"move_to_area_{area('empowerment').pk}", [note])

    response = client.get(reverse("admin:workshops_contribution_history", args=[note.pk]))

    assert response.status_code == 200
    assert "pk=None" not in response.text
    assert "Deleted" not in response.text
    changes = changes_listed(response)
    assert "Area: set to Training" in changes
    assert f"Triaged by: set to {organiser}" in changes
    assert "Area: Training → Empowerment" in changes


def test_the_history_says_cleared_for_an_emptied_value(organiser, group):
    note = ContributionFactory(group=group)
    client = client_for(organiser)
    run_action(client, "remove_selected", [note])
    run_action(client, "restore_selected", [note])

    response = client.get(reverse("admin:workshops_contribution_history", args=[note.pk]))

    changes = changes_listed(response)
    assert f"Removed by: set to {organiser}" in changes
    assert any(change.startswith("Removed at: cleared (was ") for change in changes)
    assert "pk=None" not in response.text


def test_an_actions_history_uses_the_same_wording(organiser):
    action = ActionItemFactory()
    action.accountable = organiser
    action.save()

    response = client_for(organiser).get(
        reverse("admin:actions_actionitem_history", args=[action.pk])
    )

    assert response.status_code == 200
    assert f"Accountable person: set to {organiser}" in changes_listed(response)
    assert "pk=None" not in response.text
    assert ActionItem.history.count() == 2
