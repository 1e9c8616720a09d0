"""Themes that stay consistent: renamed, merged and split, always one area with their notes."""

import pytest

from tests.factories import (
    ActionItemFactory,
    ContributionFactory,
    FlipchartGroupFactory,
    ThemeFactory,
    UserFactory,
    WorkshopFactory,
)
from workshops.models import Area, Contribution, Theme
from workshops.services import (
    MixedWorkshopsError,
    ThemeAreaError,
    ThemeNameError,
    contribution_save,
    contributions_add_to_theme,
    contributions_move_to_area,
    theme_rename,
    theme_split,
    themes_merge,
)

pytestmark = pytest.mark.django_db


@pytest.fixture
def training():
    return Area.objects.get(slug="training")


@pytest.fixture
def infrastructure():
    return Area.objects.get(slug="infrastructure")


@pytest.fixture
def group():
    return FlipchartGroupFactory()


@pytest.fixture
def triager():
    return UserFactory()


def theme_with_notes(group, area, n=2, **fields):
    theme = ThemeFactory(workshop=group.workshop, area=area, **fields)
    notes = ContributionFactory.create_batch(n, group=group, theme=theme, area=area)
    return theme, notes


# Rename


def test_renaming_a_theme_keeps_its_notes(group, triager, training):
    theme, notes = theme_with_notes(group, training, name="Skils")

    theme_rename(theme=theme, name="  Skills  ", by=triager)

    theme.refresh_from_db()
    assert theme.name == "Skills"
    assert set(theme.contributions.all()) == set(notes)


@pytest.mark.parametrize("name", ["", "   ", "ACCESS TO TOOLS"])
def test_a_theme_cannot_be_renamed_blank_or_to_another_themes_name(group, triager, name):
    ThemeFactory(workshop=group.workshop, name="Access to tools")
    theme = ThemeFactory(workshop=group.workshop, name="Tools")

    with pytest.raises(ThemeNameError):
        theme_rename(theme=theme, name=name, by=triager)


def test_a_theme_may_be_renamed_to_a_change_of_case_of_its_own_name(group, triager):
    theme = ThemeFactory(workshop=group.workshop, name="access to tools")

    theme_rename(theme=theme, name="Access to tools", by=triager)

    assert Theme.objects.get().name == "Access to tools"


# Merge


def test_merging_moves_notes_and_actions_to_the_survivor_with_history(group, triager, training):
    survivor, kept = theme_with_notes(group, training, name="Skills")
    other, moved = theme_with_notes(group, training, name="Training courses")
    removed = ContributionFactory(
        group=group, theme=other, area=training, removed_at="2012-07-05T10:00Z"
    )
    action = ActionItemFactory(workshop=group.workshop, area=training, theme=other)

    merged = themes_merge(survivor=survivor, others=[other], by=triager)

    assert merged.notes == 3
    assert merged.actions == 1
    assert merged.merged == ["Training courses"]
    assert not Theme.objects.filter(pk=other.pk).exists()
    assert set(survivor.contributions.all()) == {*kept, *moved, removed}
    for note in [*moved, removed]:
        record = note.history.latest()
        assert record.theme_id == survivor.pk
        assert record.history_user == triager
        assert record.history_change_reason == "Theme Training courses merged into Skills"
    action.refresh_from_db()
    assert action.theme == survivor
    record = action.history.latest()
    assert record.history_user == triager
    assert record.history_change_reason == "Theme Training courses merged into Skills"


def test_merging_themes_of_another_area_moves_their_notes_to_the_survivors_area(
    group, triager, training, infrastructure
):
    survivor, _ = theme_with_notes(group, training, name="Skills")
    other, moved = theme_with_notes(group, infrastructure, name="Laptops")
    action = ActionItemFactory(workshop=group.workshop, area=infrastructure, theme=other)

    merged = themes_merge(survivor=survivor, others=Theme.objects.filter(pk=other.pk), by=triager)

    survivor.refresh_from_db()
    assert survivor.area == training
    assert merged.moved_area == 2
    for note in Contribution.objects.filter(pk__in=[n.pk for n in moved]):
        assert note.area == training
        assert note.triaged_by == triager
        assert (
            note.history.latest().history_change_reason
            == "Theme Laptops merged into Skills, so in Training"
        )
    # An action keeps the area and owner it was published with.
    action.refresh_from_db()
    assert action.area == infrastructure
    assert action.theme == survivor


def test_a_survivor_without_an_area_takes_the_one_its_new_notes_share(group, triager, training):
    survivor = ThemeFactory(workshop=group.workshop, area=None)
    other, _ = theme_with_notes(group, training)

    themes_merge(survivor=survivor, others=[other], by=triager)

    survivor.refresh_from_db()
    assert survivor.area == training


def test_a_survivor_without_an_area_cannot_take_notes_of_two_areas(
    group, triager, training, infrastructure
):
    survivor = ThemeFactory(workshop=group.workshop, area=None)
    first, _ = theme_with_notes(group, training)
    second, _ = theme_with_notes(group, infrastructure)

    with pytest.raises(ThemeAreaError):
        themes_merge(survivor=survivor, others=[first, second], by=triager)

    assert Theme.objects.count() == 3


def test_themes_of_another_workshop_cannot_be_merged(group, triager, training):
    survivor, _ = theme_with_notes(group, training)
    elsewhere = ThemeFactory(workshop=WorkshopFactory(), area=training)

    with pytest.raises(MixedWorkshopsError):
        themes_merge(survivor=survivor, others=[elsewhere], by=triager)

    assert Theme.objects.filter(pk=elsewhere.pk).exists()


def test_merging_a_theme_into_itself_is_refused(group, triager, training):
    survivor, _ = theme_with_notes(group, training)

    with pytest.raises(ValueError, match="at least one other theme"):
        themes_merge(survivor=survivor, others=[survivor], by=triager)


# Split


def test_splitting_moves_selected_notes_to_a_new_theme_of_the_same_area(group, triager, training):
    theme, notes = theme_with_notes(group, training, n=3, name="Skills")

    new = theme_split(
        theme=theme,
        contributions=Contribution.objects.filter(pk__in=[notes[0].pk, notes[1].pk]),
        new_name="Digital champions",
        by=triager,
    )

    assert new.workshop == group.workshop
    assert new.area == training
    assert set(new.contributions.all()) == {notes[0], notes[1]}
    assert list(theme.contributions.all()) == [notes[2]]
    record = notes[0].history.latest()
    assert record.history_user == triager
    assert record.history_change_reason == "Split from theme Skills into Digital champions"


def test_only_a_themes_own_notes_can_be_split_from_it(group, triager, training):
    theme, _ = theme_with_notes(group, training)
    stranger = ContributionFactory(group=group, area=training)

    with pytest.raises(ThemeAreaError):
        theme_split(
            theme=theme,
            contributions=Contribution.objects.filter(pk=stranger.pk),
            new_name="New",
            by=triager,
        )

    assert Theme.objects.count() == 1


def test_a_split_needs_a_new_name(group, triager, training):
    theme, notes = theme_with_notes(group, training, name="Skills")

    with pytest.raises(ThemeNameError):
        theme_split(
            theme=theme,
            contributions=Contribution.objects.filter(pk=notes[0].pk),
            new_name="skills",
            by=triager,
        )


def test_adding_notes_to_a_new_theme_takes_them_out_of_their_old_one(group, triager, training):
    """The admin splits a theme through "Add to theme…" with a new name."""
    theme, notes = theme_with_notes(group, training, name="Skills")

    added = contributions_add_to_theme(
        contributions=Contribution.objects.filter(pk=notes[0].pk),
        by=triager,
        new_theme_name="Digital champions",
    )

    assert added.theme.area == training
    assert list(theme.contributions.all()) == [notes[1]]
    assert list(added.theme.contributions.all()) == [notes[0]]


# One area for a theme and its notes


def test_choosing_a_theme_sets_the_notes_area(group, triager, training):
    theme = ThemeFactory(workshop=group.workshop, area=training)
    note = ContributionFactory(group=group, reviewed_at=None)

    note.theme = theme
    contribution_save(contribution=note, by=triager)

    note.refresh_from_db()
    assert note.area == training
    assert note.reviewed_by == triager


def test_choosing_a_theme_of_another_area_in_the_admin_is_refused(
    group, triager, training, infrastructure
):
    theme = ThemeFactory(workshop=group.workshop, area=training)
    note = ContributionFactory(group=group, area=infrastructure)

    note.theme = theme
    with pytest.raises(ThemeAreaError):
        contribution_save(contribution=note, by=triager)


def test_moving_a_note_to_another_area_takes_it_out_of_its_theme(
    group, triager, training, infrastructure
):
    theme, (note, _) = theme_with_notes(group, training)

    contributions_move_to_area(
        contributions=Contribution.objects.filter(pk=note.pk), area=infrastructure, by=triager
    )

    note.refresh_from_db()
    assert note.theme is None
    assert note.area == infrastructure
    assert theme.contributions.count() == 1


def test_after_any_theme_change_every_theme_and_its_notes_share_one_area(
    group, triager, training, infrastructure
):
    skills, skill_notes = theme_with_notes(group, training, n=3)
    laptops, _ = theme_with_notes(group, infrastructure, n=2)
    contributions_move_to_area(
        contributions=Contribution.objects.filter(pk=skill_notes[0].pk),
        area=infrastructure,
        by=triager,
    )
    theme_split(
        theme=skills,
        contributions=Contribution.objects.filter(pk=skill_notes[1].pk),
        new_name="Champions",
        by=triager,
    )
    themes_merge(survivor=laptops, others=[skills], by=triager)

    for theme in Theme.objects.all():
        assert set(theme.contributions.values_list("area", flat=True)) <= {theme.area_id}
