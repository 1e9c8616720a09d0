import pytest

from tests.factories import ContributionFactory, ThemeFactory, UserFactory
from workshops.models import Area, Contribution, Theme
from workshops.services import (
    MixedWorkshopsError,
    contribution_save,
    contributions_add_to_theme,
    contributions_move_to_area,
    contributions_workshop,
)

pytestmark = pytest.mark.django_db


@pytest.fixture
def training():
    return Area.objects.get(slug="training")


def test_moving_to_an_area_records_who_triaged_and_when_with_history(group, training):
    triager = UserFactory()
    notes = ContributionFactory.create_batch(3, group=group)

    moved = contributions_move_to_area(
        contributions=Contribution.objects.filter(pk__in=[n.pk for n in notes]),
        area=training,
        by=triager,
    )

    assert moved.moved == 3
    for note in Contribution.objects.filter(pk__in=[n.pk for n in notes]):
        assert note.area == training
        assert note.triaged_by == triager
        assert note.triaged_at is not None
        record = note.history.latest()
        assert record.area_id == training.pk
        assert record.history_user == triager
        assert record.history_change_reason == "Moved to Training"


def test_moving_notes_already_in_the_area_leaves_their_triage_record_alone(group, training):
    first, second = UserFactory(), UserFactory()
    note = ContributionFactory(group=group)
    contributions_move_to_area(contributions=Contribution.objects.all(), area=training, by=first)

    moved = contributions_move_to_area(
        contributions=Contribution.objects.all(), area=training, by=second
    )

    note.refresh_from_db()
    assert moved.moved == 0
    assert note.triaged_by == first


def test_adding_to_a_new_theme_creates_it_in_the_notes_workshop(group, training):
    by = UserFactory()
    notes = ContributionFactory.create_batch(2, group=group)

    theme = contributions_add_to_theme(
        contributions=Contribution.objects.all(),
        by=by,
        new_theme_name="  Blocked sites ",
        area=training,
    ).theme

    assert theme.name == "Blocked sites"
    assert theme.workshop == group.workshop
    assert set(theme.contributions.all()) == set(notes)
    assert notes[0].history.latest().history_user == by


def test_adding_to_an_existing_theme_keeps_the_theme(group, training):
    theme = ThemeFactory(workshop=group.workshop, area=training)
    ContributionFactory.create_batch(2, group=group)

    result = contributions_add_to_theme(
        contributions=Contribution.objects.all(), by=UserFactory(), theme=theme
    )

    assert result.theme == theme
    assert theme.contributions.count() == 2
    assert Theme.objects.count() == 1


def test_a_theme_from_another_workshop_is_refused(group):
    ContributionFactory(group=group)
    elsewhere = ThemeFactory()
    with pytest.raises(MixedWorkshopsError):
        contributions_add_to_theme(
            contributions=Contribution.objects.all(), by=UserFactory(), theme=elsewhere
        )
    assert not elsewhere.contributions.exists()


def test_contributions_from_two_workshops_cannot_be_themed_together():
    ContributionFactory()
    ContributionFactory()
    with pytest.raises(MixedWorkshopsError, match="more than one workshop"):
        contributions_add_to_theme(
            contributions=Contribution.objects.all(), by=UserFactory(), new_theme_name="Mixed"
        )
    assert not Theme.objects.exists()


def test_the_workshop_of_no_contributions_is_an_error():
    with pytest.raises(ValueError, match="No contributions"):
        contributions_workshop(Contribution.objects.none())


def test_saving_a_new_area_records_triage_and_clearing_it_untriages(group, training):
    by = UserFactory()
    note = ContributionFactory(group=group)

    note.area = training
    contribution_save(contribution=note, by=by)
    note.refresh_from_db()
    assert (note.triaged_by, note.triaged_at is not None) == (by, True)

    note.area = None
    contribution_save(contribution=note, by=by)
    note.refresh_from_db()
    assert (note.triaged_by, note.triaged_at) == (None, None)
    # Newest first: cleared, set, created.
    assert [record.area_id for record in note.history.all()] == [None, training.pk, None]


def test_saving_other_changes_keeps_the_triage_record(group, training):
    first = UserFactory()
    note = ContributionFactory(group=group, area=training, triaged_by=first)
    note.text = "Corrected typo"
    contribution_save(contribution=note, by=UserFactory())
    note.refresh_from_db()
    assert note.triaged_by == first
