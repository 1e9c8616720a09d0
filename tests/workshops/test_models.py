import pytest
from django.contrib.auth import authenticate
from django.db import IntegrityError, transaction
from django.db.models import ProtectedError

from tests.conftest import PASSWORD
from tests.factories import (
    ContributionFactory,
    FlipchartGroupFactory,
    UserFactory,
    WorkshopFactory,
)
from workshops.models import Area, Contribution, FlipchartGroup, User, Workshop
from workshops.services import contributions_remove, contributions_restore

pytestmark = pytest.mark.django_db


@pytest.mark.parametrize("text", ["", "   "])
def test_the_database_rejects_a_contribution_without_text(text):
    with pytest.raises(IntegrityError), transaction.atomic():
        ContributionFactory(text=text)


def test_the_database_rejects_an_unknown_kind_of_contribution():
    with pytest.raises(IntegrityError), transaction.atomic():
        ContributionFactory(kind="rant")


def test_the_database_rejects_a_time_limit_of_zero():
    with pytest.raises(IntegrityError), transaction.atomic():
        FlipchartGroupFactory(time_limit_minutes=0)


def test_a_flipchart_round_lasts_five_minutes_unless_told_otherwise():
    assert FlipchartGroupFactory().time_limit_minutes == 5


def test_a_workshop_with_contributions_cannot_be_deleted():
    contribution = ContributionFactory()
    workshop = contribution.group.workshop
    with pytest.raises(ProtectedError):
        workshop.delete()
    assert Workshop.objects.filter(pk=workshop.pk).exists()
    assert FlipchartGroup.objects.filter(pk=contribution.group.pk).exists()


def test_an_empty_workshop_can_be_deleted_with_its_groups():
    group = FlipchartGroupFactory()
    group.workshop.delete()
    assert not FlipchartGroup.objects.filter(pk=group.pk).exists()


def test_removing_contributions_is_soft_and_can_be_undone():
    kept, removed = ContributionFactory.create_batch(2)
    remover = UserFactory()

    assert (
        contributions_remove(contributions=Contribution.objects.filter(pk=removed.pk), by=remover)
        == 1
    )

    removed.refresh_from_db()
    assert removed.removed_by == remover
    assert removed.removed_at is not None
    assert list(Contribution.objects.present()) == [kept]

    assert contributions_restore(contributions=Contribution.objects.all(), by=remover) == 1
    assert set(Contribution.objects.present()) == {kept, removed}


def test_untriaged_means_present_and_without_an_area():
    from workshops.models import Area

    ContributionFactory(area=Area.objects.get(slug="training"))
    untriaged = ContributionFactory()
    gone = ContributionFactory()
    contributions_remove(contributions=Contribution.objects.filter(pk=gone.pk), by=None)
    assert list(Contribution.objects.untriaged()) == [untriaged]


def test_the_public_never_sees_hidden_removed_or_draft_contributions():
    shown = ContributionFactory()
    ContributionFactory(hidden_from_public=True)
    ContributionFactory(group__workshop__is_published=False)
    gone = ContributionFactory()
    contributions_remove(contributions=Contribution.objects.filter(pk=gone.pk), by=None)
    assert list(Contribution.objects.public()) == [shown]


def test_email_addresses_are_unique_whatever_their_case():
    User.objects.create_user("Alex@Example.gov.uk", PASSWORD)
    with pytest.raises(IntegrityError), transaction.atomic():
        User.objects.create(email="ALEX@example.gov.uk")


def test_people_are_found_by_email_in_any_case(rf):
    User.objects.create_user("Alex@Example.gov.uk", PASSWORD)
    assert User.objects.get().email == "alex@example.gov.uk"
    assert authenticate(rf.post("/"), username="ALEX@example.GOV.UK", password=PASSWORD)


def test_workshop_url_uses_its_slug():
    assert WorkshopFactory(slug="so-what").get_absolute_url() == "/workshops/so-what/"


@pytest.mark.parametrize("review_asked", [True, False])
def test_one_workshops_notes_to_triage_are_those_every_workshops_query_finds(review_asked):
    """The workbench reads one workshop's notes to triage without joining its setting to every
    note; it finds the same notes as the query across workshops, whatever the setting."""
    workshop = WorkshopFactory(notes_public_after_review=review_asked)
    group = FlipchartGroupFactory(workshop=workshop)
    area = Area.objects.get(slug="training")
    for channel in Contribution.Channel.values:
        ContributionFactory(group=group, channel=channel, reviewed_at=None)
        ContributionFactory(group=group, channel=channel, reviewed_at=None, area=area)
        ContributionFactory(group=group, channel=channel, area=area)
        ContributionFactory(
            group=group,
            channel=channel,
            reviewed_at=None,
            hidden_from_public=True,
            hidden_reason="personal_data",
        )
    notes = Contribution.objects.filter(group__workshop=workshop)

    assert set(notes.to_triage_in(workshop)) == set(notes.to_triage())
