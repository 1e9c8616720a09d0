"""Review before public: publishing notes as they are, hiding them with a reason, and the review
that giving a note an area makes."""

import pytest

from tests.factories import ContributionFactory, FlipchartGroupFactory, ThemeFactory, UserFactory
from workshops.models import Area, Contribution, Workshop
from workshops.services import (
    HiddenReasonError,
    contribution_save,
    contributions_add_to_theme,
    contributions_hide,
    contributions_move_to_area,
    contributions_publish,
    contributions_unhide,
    theme_save,
)

pytestmark = pytest.mark.django_db

HIDDEN = Contribution.HiddenReason


@pytest.fixture
def training():
    return Area.objects.get(slug="training")


@pytest.fixture
def group():
    return FlipchartGroupFactory()


@pytest.fixture
def triager():
    return UserFactory()


def waiting(group, n=1, **fields):
    return [ContributionFactory(group=group, reviewed_at=None, **fields) for _ in range(n)]


def all_of(notes):
    return Contribution.objects.filter(pk__in=[note.pk for note in notes])


def test_a_new_note_waits_for_review_and_is_not_public(group):
    (note,) = waiting(group)

    assert list(Contribution.objects.awaiting_review()) == [note]
    assert not Contribution.objects.public().exists()


def test_a_workshop_that_asks_for_no_review_shows_notes_at_once(group):
    Workshop.objects.filter(pk=group.workshop_id).update(notes_public_after_review=False)
    (note,) = waiting(group)

    assert not Contribution.objects.awaiting_review().exists()
    assert list(Contribution.objects.public()) == [note]


def test_publishing_reviews_notes_as_they_are_with_who_when_and_history(group, triager):
    notes = waiting(group, 2)

    published = contributions_publish(contributions=all_of(notes), by=triager)

    assert published == 2
    for note in all_of(notes):
        assert note.reviewed_by == triager
        assert note.reviewed_at is not None
        assert note.area is None
        record = note.history.latest()
        assert record.history_user == triager
        assert record.history_change_reason == "Reviewed and published as it is"
    assert set(Contribution.objects.public()) == set(notes)


def test_publishing_leaves_reviewed_and_hidden_notes_alone(group, triager):
    reviewer = UserFactory()
    reviewed = ContributionFactory(group=group, reviewed_by=reviewer)
    hidden = ContributionFactory(
        group=group, reviewed_at=None, hidden_from_public=True, hidden_reason=HIDDEN.OFFENSIVE
    )

    published = contributions_publish(contributions=all_of([reviewed, hidden]), by=triager)

    assert published == 0
    reviewed.refresh_from_db()
    hidden.refresh_from_db()
    assert reviewed.reviewed_by == reviewer
    assert hidden.hidden_from_public
    assert hidden.reviewed_at is None
    assert hidden.history.count() == 1


def test_hiding_keeps_notes_from_the_public_with_a_reason_and_reviews_them(group, triager):
    unreviewed, published = waiting(group)[0], ContributionFactory(group=group)

    hidden = contributions_hide(
        contributions=all_of([unreviewed, published]), by=triager, reason=HIDDEN.PERSONAL_DATA
    )

    assert hidden == 2
    for note in all_of([unreviewed, published]):
        assert note.hidden_from_public
        assert note.hidden_reason == HIDDEN.PERSONAL_DATA
        assert note.reviewed_at is not None
        reason = note.history.latest().history_change_reason
        assert reason == "Hidden from the public: Personal data"
    unreviewed.refresh_from_db()
    assert unreviewed.reviewed_by == triager
    assert not Contribution.objects.public().exists()
    assert not Contribution.objects.awaiting_review().exists()


def test_hiding_a_hidden_note_again_changes_only_its_reason(group, triager):
    (note,) = waiting(group)
    contributions_hide(contributions=all_of([note]), by=triager, reason=HIDDEN.OFF_TOPIC)

    assert contributions_hide(contributions=all_of([note]), by=triager, reason=HIDDEN.DUPLICATE)
    assert not contributions_hide(contributions=all_of([note]), by=triager, reason=HIDDEN.DUPLICATE)

    note.refresh_from_db()
    assert note.hidden_reason == HIDDEN.DUPLICATE


@pytest.mark.parametrize("reason", ["", "because", "NONE"])
def test_hiding_needs_one_of_the_reasons(group, triager, reason):
    (note,) = waiting(group)

    with pytest.raises(HiddenReasonError):
        contributions_hide(contributions=all_of([note]), by=triager, reason=reason)

    note.refresh_from_db()
    assert not note.hidden_from_public


def test_unhiding_shows_a_note_again_without_its_reason(group, triager):
    (note,) = waiting(group)
    contributions_hide(contributions=all_of([note]), by=triager, reason=HIDDEN.OFF_TOPIC)

    assert contributions_unhide(contributions=all_of([note]), by=triager) == 1

    note.refresh_from_db()
    assert not note.hidden_from_public
    assert note.hidden_reason == ""
    assert note.reviewed_at is not None
    assert list(Contribution.objects.public()) == [note]
    assert note.history.latest().history_change_reason == "Shown to the public again"


def test_moving_a_note_to_an_area_reviews_it(group, triager, training):
    (note,) = waiting(group)

    contributions_move_to_area(contributions=all_of([note]), area=training, by=triager)

    note.refresh_from_db()
    assert note.reviewed_by == triager
    assert note.reviewed_at == note.triaged_at
    assert list(Contribution.objects.public()) == [note]


def test_a_later_move_keeps_who_reviewed_the_note_first(group, triager, training):
    first = UserFactory()
    (note,) = waiting(group)
    contributions_move_to_area(contributions=all_of([note]), area=training, by=first)

    contributions_move_to_area(
        contributions=all_of([note]), area=Area.objects.get(slug="infrastructure"), by=triager
    )

    note.refresh_from_db()
    assert note.triaged_by == triager
    assert note.reviewed_by == first


def test_adding_a_note_to_a_theme_reviews_it(group, triager, training):
    (given,) = waiting(group)
    (in_area,) = waiting(group, area=training)

    contributions_add_to_theme(
        contributions=all_of([given, in_area]), by=triager, new_theme_name="Skills", area=training
    )

    for note in all_of([given, in_area]):
        assert note.reviewed_by == triager


def test_a_theme_moving_area_reviews_its_unreviewed_notes(group, triager, training):
    theme = ThemeFactory(workshop=group.workshop, area=Area.objects.get(slug="infrastructure"))
    (note,) = waiting(group, area=theme.area, theme=theme)

    theme.area = training
    theme_save(theme=theme, by=triager)

    note.refresh_from_db()
    assert note.area == training
    assert note.reviewed_by == triager


def test_saving_a_note_with_an_area_in_the_admin_reviews_it(group, triager, training):
    (note,) = waiting(group)

    note.area = training
    contribution_save(contribution=note, by=triager)

    note.refresh_from_db()
    assert note.reviewed_by == triager
    assert note.triaged_by == triager


def test_clearing_a_notes_area_keeps_its_review(group, triager, training):
    note = ContributionFactory(group=group, area=training, reviewed_by=triager)

    note.area = None
    contribution_save(contribution=note, by=UserFactory())

    note.refresh_from_db()
    assert note.reviewed_by == triager
    assert note.reviewed_at is not None


def test_hiding_a_note_in_the_admin_needs_a_reason_and_reviews_it(group, triager):
    (note,) = waiting(group)
    note.hidden_from_public = True

    with pytest.raises(HiddenReasonError):
        contribution_save(contribution=note, by=triager)

    note.hidden_reason = HIDDEN.OFFENSIVE
    contribution_save(contribution=note, by=triager)
    note.refresh_from_db()
    assert note.hidden_reason == HIDDEN.OFFENSIVE
    assert note.reviewed_by == triager


def test_showing_a_note_in_the_admin_clears_its_reason(group, triager):
    note = ContributionFactory(group=group, hidden_from_public=True, hidden_reason=HIDDEN.DUPLICATE)

    note.hidden_from_public = False
    contribution_save(contribution=note, by=triager)

    note.refresh_from_db()
    assert note.hidden_reason == ""


def test_a_note_hidden_before_reasons_were_kept_can_still_be_edited(group, triager):
    note = ContributionFactory(group=group, hidden_from_public=True)

    note.text = "Corrected spelling"
    contribution_save(contribution=note, by=triager)

    note.refresh_from_db()
    assert note.text == "Corrected spelling"
    assert note.hidden_from_public


def test_moving_an_unreviewed_note_to_the_area_it_has_reviews_it(group, triager, training):
    (note,) = waiting(group, area=training)

    moved = contributions_move_to_area(contributions=all_of([note]), area=training, by=triager)

    note.refresh_from_db()
    assert moved.moved == 1
    assert note.reviewed_by == triager
    assert note.triaged_by is None
