import base64

import pytest
from django.contrib.auth import authenticate
from django.core.management import CommandError, call_command
from django.urls import reverse
from django_otp import match_token
from django_otp.oath import totp

from actions.models import ActionItem, Organisation, Status, StatusUpdate
from demo.management.commands.seed_demo import (
    DEMO_BACKUP_CODES,
    DEMO_PASSWORD,
    DEMO_SLUG,
    DEMO_TOTP_KEY,
)
from progress.models import WorkshopReport
from workshops.models import Area, Contribution, FlipchartGroup, Theme, User, Workshop

pytestmark = pytest.mark.django_db

MODELS = [
    Workshop,
    FlipchartGroup,
    Contribution,
    Theme,
    ActionItem,
    StatusUpdate,
    User,
    Organisation,
    Area,
    WorkshopReport,
]


@pytest.fixture
def debug_on(settings):
    settings.DEBUG = True


def counts():
    return {model.__name__: model.objects.count() for model in MODELS}


def test_seeding_twice_changes_nothing(debug_on, capsys):
    call_command("seed_demo")
    first = counts()
    call_command("seed_demo")
    assert counts() == first
    assert "already loaded; nothing changed" in capsys.readouterr().out


def test_the_demo_is_the_workshop_from_the_blog(debug_on):
    call_command("seed_demo")
    workshop = Workshop.objects.get(slug=DEMO_SLUG)
    assert workshop.is_published
    assert workshop.event == "Civil Service Live"
    assert workshop.actual_attendance == 40
    assert "4 July 2012" in workshop.description
    assert [g.subject for g in workshop.groups.all()] == [
        "Barriers to using social media",
        "Positives and negatives in your department",
        "Implementing service delivery",
        "Skills and tools",
    ]
    for group in workshop.groups.all():
        assert group.facilitator_line
        assert group.facilitators.exists()
    notes = Contribution.objects.filter(group__workshop=workshop)
    assert 30 <= notes.count() <= 40
    assert notes.untriaged().exists()
    assert notes.filter(area__isnull=False, theme__isnull=False).exists()


def test_the_demo_has_one_action_due_soon_one_overdue_and_one_done(debug_on):
    call_command("seed_demo")
    actions = ActionItem.objects.all()
    owners = set(actions.values_list("owner__name", flat=True))
    assert {"Digital Leaders network", "ICT Strategy Board"} <= owners
    assert actions.filter(status=Status.DONE).count() == 1
    assert StatusUpdate.objects.exists()
    # One overdue action of its own, cascaded to three departments whose copies share its date.
    overdue = actions.filter(parent__isnull=True).overdue().get()
    assert overdue.accountable.email == "owner@example.gov.uk"
    assert overdue.deputy.email == "deputy@example.gov.uk"
    assert set(actions.overdue().exclude(pk=overdue.pk)) == set(overdue.children.all())
    assert overdue.children.count() == 3


def test_the_digital_leaders_pack_has_something_of_every_kind_it_lists(debug_on):
    from actions.packs import board_pack

    call_command("seed_demo")
    pack = board_pack(Organisation.objects.get(name="Digital Leaders network"))

    assert len(pack.overdue) == 1
    assert len(pack.slipped) == 1
    assert len(pack.cascaded) == 1
    assert pack.cascaded[0].cascade_rollup == "1 of 3 departments have reported; 0 done"
    assert [question.text for question in pack.questions] == [
        "Not sure if we have permission to use it"
    ]


def test_no_demo_action_reports_work_while_awaiting_acceptance(debug_on):
    call_command("seed_demo")

    started = ActionItem.objects.exclude(status=Status.NOT_STARTED)

    assert started.filter(status=Status.DONE).exists()
    assert [a.title for a in started if a.is_awaiting_acceptance] == []
    for action in started:
        first_update = action.updates.order_by("created_at").first()
        assert action.accepted_at < first_update.created_at


def test_the_demo_has_departments_to_cascade_to(debug_on):
    call_command("seed_demo")

    departments = Organisation.objects.filter(kind=Organisation.Kind.DEPARTMENT)

    assert departments.count() >= 3
    assert departments.filter(name="Department for Education").exists()


def test_the_demo_logins_work_for_each_role(debug_on, rf, capsys):
    call_command("seed_demo")
    printed = capsys.readouterr().out
    for email, role in [
        ("organiser@example.gov.uk", "Organisers"),
        ("facilitator@example.gov.uk", "Facilitators"),
        ("owner@example.gov.uk", "Owners"),
    ]:
        assert email in printed
        assert User.objects.get(email=email).groups.filter(name=role).exists()
        assert authenticate(rf.post("/"), username=email, password=DEMO_PASSWORD)
    assert DEMO_PASSWORD in printed


def test_the_demo_organiser_signs_in_with_the_published_second_factor(debug_on, capsys):
    call_command("seed_demo")
    call_command("seed_demo")
    printed = capsys.readouterr().out
    organiser = User.objects.get(email="organiser@example.gov.uk")
    code = totp(base64.b32decode(DEMO_TOTP_KEY))
    assert DEMO_TOTP_KEY in printed
    assert match_token(organiser, f"{code:06d}") is not None
    assert match_token(organiser, DEMO_BACKUP_CODES[0]) is not None
    assert match_token(organiser, DEMO_BACKUP_CODES[0]) is None, "a backup code works once"


def test_seeding_refuses_to_create_known_passwords_without_debug(settings):
    settings.DEBUG = False
    with pytest.raises(CommandError, match="only runs with DEBUG on"):
        call_command("seed_demo")
    assert not User.objects.exists()


def test_the_demo_shows_review_before_public(debug_on):
    call_command("seed_demo")
    workshop = Workshop.objects.get(slug=DEMO_SLUG)
    notes = Contribution.objects.filter(group__workshop=workshop)

    assert workshop.notes_public_after_review
    assert notes.filter(area__isnull=False).awaiting_review().count() == 0
    assert notes.awaiting_review().count() == 3
    assert notes.public().count() == notes.count() - 4
    hidden = notes.get(hidden_from_public=True)
    assert hidden.hidden_reason == Contribution.HiddenReason.PERSONAL_DATA
    assert hidden.reviewed_at is not None
    assert notes.filter(area__isnull=True).public().exists()


def test_the_demo_progress_page_counts_the_notes_being_reviewed(debug_on, client):
    call_command("seed_demo")

    html = client.get(reverse("progress:workshop_progress", kwargs={"slug": DEMO_SLUG})).text

    assert "3 notes are still being reviewed" in html
    assert "07700 900461" not in html


def test_the_demo_workshop_has_a_draft_report_due_3_months_after_it(debug_on, client):
    call_command("seed_demo")
    workshop = Workshop.objects.get(slug=DEMO_SLUG)

    assert not workshop.report.is_published
    assert workshop.report.due_date.month == (workshop.date.month + 2) % 12 + 1
    assert client.get(reverse("progress:report", kwargs={"slug": DEMO_SLUG})).status_code == 404
    progress = client.get(reverse("progress:workshop_progress", kwargs={"slug": DEMO_SLUG})).text
    assert "The report back on this workshop is due on" in progress


def test_the_demo_has_recurring_themes_over_two_workshops(debug_on, client):
    call_command("seed_demo")

    page = client.get(reverse("progress:recurring_theme", args=["blocked-access-to-tools"])).text

    assert "Raised at 2 published workshops" in page
    assert "Social media at work: where are we?" in page
    assert "Social media guidelines: so what?" in page
    assert ">Won&#x27;t do</strong>" in page
    assert ">In progress</strong>" in page
