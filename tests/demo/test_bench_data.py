import pytest
from django.core.management import CommandError, call_command
from django.db.models import F

from actions.models import ActionItem, Organisation, StatusUpdate
from demo.management.commands.bench_data import (
    BOARD_PACK_ORGANISATION_SLUG,
    BUSY_ORGANISATION_SLUG,
    BUSY_WORKSHOP_SLUG,
    EMAIL_DOMAIN,
    SLUG_PREFIX,
)
from tests.factories import UserFactory, WorkshopFactory
from workshops.models import (
    Area,
    Contribution,
    FlipchartGroup,
    RecurringThemeLink,
    User,
    Workshop,
)

pytestmark = pytest.mark.django_db


def test_bench_data_at_a_hundredth_makes_the_scaled_counts_all_marked():
    call_command("bench_data", scale=0.01, verbosity=0)

    assert Workshop.objects.count() == 5
    assert FlipchartGroup.objects.count() == 20
    assert Contribution.objects.count() == 400
    assert ActionItem.objects.count() == 300
    assert StatusUpdate.objects.count() == 1200
    assert Organisation.objects.filter(slug__startswith=SLUG_PREFIX).count() == 3
    assert RecurringThemeLink.objects.count() == 5 * Area.objects.count()
    assert not RecurringThemeLink.objects.exclude(theme__area=F("recurring_theme__area")).exists()
    assert not Workshop.objects.exclude(slug__startswith=SLUG_PREFIX).exists()
    assert not User.objects.exclude(email__endswith=EMAIL_DOMAIN).exists()


def test_bench_data_keeps_the_busy_pages_the_same_size_at_every_scale():
    call_command("bench_data", scale=0.01, verbosity=0)

    busy_workshop = Workshop.objects.get(slug=BUSY_WORKSHOP_SLUG)
    assert ActionItem.objects.filter(owner__slug=BUSY_ORGANISATION_SLUG).count() == 50
    assert ActionItem.objects.filter(owner__slug=BOARD_PACK_ORGANISATION_SLUG).count() == 200
    assert busy_workshop.actions.count() == 50
    assert Contribution.objects.filter(group__workshop=busy_workshop).count() == 200
    assert Contribution.objects.untriaged().count() == 200


def test_bench_data_action_status_is_its_latest_update():
    call_command("bench_data", scale=0.01, verbosity=0)

    for action in ActionItem.objects.all()[:8]:
        assert action.status == action.updates.latest().status


def test_bench_data_refuses_a_database_with_real_workshops():
    WorkshopFactory(slug="civil-service-live")

    with pytest.raises(CommandError, match="not benchmark data"):
        call_command("bench_data", scale=0.01, verbosity=0)

    assert Workshop.objects.count() == 1


def test_bench_data_refuses_a_database_with_real_people():
    UserFactory(email="someone@example.gov.uk")

    with pytest.raises(CommandError, match="1 users"):
        call_command("bench_data", scale=0.01, verbosity=0)


def test_bench_data_refuses_to_run_twice_on_one_database():
    call_command("bench_data", scale=0.01, verbosity=0)

    with pytest.raises(CommandError, match="already holds benchmark data"):
        call_command("bench_data", scale=0.01, verbosity=0)
