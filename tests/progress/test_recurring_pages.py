"""Pages of recurring themes: the public's (published workshops, public notes only) and the staff
page in the admin (every workshop and note, actions and their status, links made), each in a
fixed number of queries."""

import datetime

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.urls import reverse

from actions.models import Status
from tests.conftest import client_for
from tests.factories import (
    ActionItemFactory,
    ContributionFactory,
    FlipchartGroupFactory,
    ThemeFactory,
    WorkshopFactory,
)
from workshops.models import Area, HiddenReason, RecurringTheme
from workshops.services import theme_link_recurring

pytestmark = pytest.mark.django_db


@pytest.fixture
def infrastructure():
    return Area.objects.get(slug="infrastructure")


@pytest.fixture
def blocked(infrastructure):
    return RecurringTheme.objects.create(
        name="Blocked access to tools",
        slug="blocked-access",
        area=infrastructure,
        summary="Sites and tools staff need are blocked.",
    )


def raised(recurring, organiser, *, title, date, published=True, texts=("Sites blocked",)):
    workshop = WorkshopFactory(title=title, date=date, is_published=published)
    group = FlipchartGroupFactory(workshop=workshop)
    theme = ThemeFactory(workshop=workshop, name=f"Blocked at {title}", area=recurring.area)
    notes = [
        ContributionFactory(group=group, theme=theme, area=theme.area, text=text) for text in texts
    ]
    theme_link_recurring(theme=theme, recurring=recurring, by=organiser)
    return theme, notes


@pytest.fixture
def history(blocked, organiser):
    """Raised at two published workshops in 2025 and 2026 and at a draft; at the second, one
    note is hidden and one not yet reviewed."""
    first, _ = raised(
        blocked,
        organiser,
        title="Live 2025",
        date=datetime.date(2025, 6, 1),
        texts=("YouTube is blocked", "Facebook is blocked"),
    )
    second, (_, hidden, unreviewed) = raised(
        blocked,
        organiser,
        title="Leaders 2026",
        date=datetime.date(2026, 2, 1),
        texts=("Twitter is blocked", "Jo Bloggs on 07700 900123", "Unreviewed words"),
    )
    hidden.hidden_from_public = True
    hidden.hidden_reason = HiddenReason.PERSONAL_DATA
    hidden.save()
    unreviewed.reviewed_at = None
    unreviewed.save()
    draft, _ = raised(
        blocked,
        organiser,
        title="Draft 2026",
        date=datetime.date(2026, 3, 1),
        published=False,
        texts=("Draft words",),
    )
    ActionItemFactory(
        workshop=first.workshop,
        area=blocked.area,
        theme=first,
        title="Unblock video sites",
        status=Status.DONE,
    )
    ActionItemFactory(
        workshop=second.workshop,
        area=blocked.area,
        theme=second,
        title="Review the firewall list",
        status=Status.IN_PROGRESS,
    )
    return {"first": first, "second": second, "draft": draft}


def test_the_public_page_counts_and_quotes_only_public_notes_of_published_workshops(
    client, blocked, history
):
    page = client.get(reverse("progress:recurring_theme", args=["blocked-access"])).text

    assert "Raised at 2 published workshops in 3 published notes; 2 actions taken." in page
    assert "YouTube is blocked" in page
    assert "Twitter is blocked" in page
    for secret in ("07700 900123", "Unreviewed words", "Draft words", "Draft 2026"):
        assert secret not in page
    assert "Unblock video sites" in page
    assert "Review the firewall list" in page
    assert ">Done</strong>" in page
    assert ">In progress</strong>" in page
    assert page.index("Live 2025") < page.index("Leaders 2026")
    assert '<th scope="row" class="govuk-table__header">2025</th>' in page


def test_a_recurring_theme_with_nothing_public_is_not_found(client, blocked, organiser):
    raised(blocked, organiser, title="Draft", date=datetime.date(2026, 1, 1), published=False)

    assert (
        client.get(reverse("progress:recurring_theme", args=["blocked-access"])).status_code == 404
    )
    assert "Blocked access to tools" not in client.get(reverse("progress:recurring_themes")).text


def test_the_public_list_counts_published_workshops_and_links_each_theme(client, history):
    page = client.get(reverse("progress:recurring_themes")).text

    assert 'href="/themes/blocked-access/"' in page
    assert "raised at 2 workshops, 2025-2026, in 3 published notes" in page


def test_a_progress_page_and_the_home_page_link_to_the_recurring_themes(client, history):
    workshop = history["first"].workshop
    progress = client.get(reverse("progress:workshop_progress", args=[workshop.slug])).text
    home = client.get(reverse("workshops:workshop_list")).text

    assert 'href="/themes/blocked-access/">Said at other workshops too: Blocked access' in progress
    assert 'href="/themes/"' in home


def test_the_staff_page_shows_every_workshop_with_public_counts_actions_and_links(
    history, organiser
):
    page = client_for(organiser).get(reverse("admin:workshops_recurringtheme_staff_page")).text

    assert "Raised at 3 workshops in 6 notes; 2 actions." in page
    assert "2025: 1 workshop, 2 notes; 2026: 2 workshops, 4 notes." in page
    assert "Draft 2026</a> (draft)" in page
    assert "<td>3 (1)</td>" in page  # the second workshop: three notes, one public
    assert "Unblock video sites</a>: Done" in page
    assert "Review the firewall list</a>: In progress" in page
    assert "Linked to Blocked access to tools: “Blocked at Live 2025” of Live 2025" in page


def test_the_admin_list_counts_workshops(history, organiser):
    page = client_for(organiser).get(reverse("admin:workshops_recurringtheme_changelist")).text

    assert '<td class="field-workshop_count">3</td>' in page


def fill(recurring, organiser, workshops):
    for number in range(workshops):
        theme, _ = raised(
            recurring,
            organiser,
            title=f"W{recurring.pk}-{number}",
            date=datetime.date(2020 + number % 7, 1 + number % 12, 1),
            texts=[f"Note {n}" for n in range(5)],
        )
        ActionItemFactory(workshop=theme.workshop, area=recurring.area, theme=theme)


def queries(client, url) -> int:
    with CaptureQueriesContext(connection) as captured:
        assert client.get(url).status_code == 200
    return len(captured)


def test_the_pages_take_the_same_queries_at_two_sizes(client, organiser, infrastructure):
    small = RecurringTheme.objects.create(name="Small", slug="small", area=infrastructure)
    large = RecurringTheme.objects.create(name="Large", slug="large", area=infrastructure)
    fill(small, organiser, 2)
    staff = client_for(organiser)
    staff_page = reverse("admin:workshops_recurringtheme_staff_page")
    before = {
        "list": queries(client, reverse("progress:recurring_themes")),
        "staff": queries(staff, staff_page),
    }
    fill(large, organiser, 30)
    for number in range(5):
        extra = RecurringTheme.objects.create(
            name=f"Extra {number}", slug=f"extra-{number}", area=infrastructure
        )
        fill(extra, organiser, 2)

    detail = queries(client, reverse("progress:recurring_theme", args=["small"]))
    assert queries(client, reverse("progress:recurring_theme", args=["large"])) == detail
    assert queries(client, reverse("progress:recurring_themes")) == before["list"]
    assert queries(staff, staff_page) == before["staff"]
    print(
        f"FIGURE: recurring-theme queries at 2 and 30 workshops: public page {detail}, "
        f"public list {before['list']}, staff page {before['staff']}"
    )


def inline_post(recurring, *, add=None, delete=None):
    links = list(recurring.links.order_by("pk"))
    data = {
        "name": recurring.name,
        "slug": recurring.slug,
        "area": recurring.area_id,
        "summary": recurring.summary,
        "links-TOTAL_FORMS": len(links) + 1,
        "links-INITIAL_FORMS": len(links),
        "links-MIN_NUM_FORMS": 0,
        "links-MAX_NUM_FORMS": 1000,
        f"links-{len(links)}-theme": add.pk if add else "",
    }
    for n, link in enumerate(links):
        data[f"links-{n}-id"] = link.pk
        data[f"links-{n}-recurring_theme"] = recurring.pk
        if link.theme == delete:
            data[f"links-{n}-DELETE"] = "on"
    return data


def test_the_admin_page_links_and_unlinks_themes_with_history(blocked, history, organiser):
    client = client_for(organiser)
    url = reverse("admin:workshops_recurringtheme_change", args=[blocked.pk])
    other_area = ThemeFactory(area=Area.objects.get(slug="training"), name="Courses")
    same_area = ThemeFactory(area=blocked.area, name="Firewall")

    refused = client.post(url, inline_post(blocked, add=other_area))
    added = client.post(url, inline_post(blocked, add=same_area, delete=history["draft"]))

    assert refused.status_code == 200
    assert "“Courses” is in Training, and “Blocked access to tools” in Infrastructure" in (
        refused.text
    )
    assert added.status_code == 302
    assert set(blocked.themes.values_list("name", flat=True)) == {
        "Blocked at Live 2025",
        "Blocked at Leaders 2026",
        "Firewall",
    }
    reasons = list(
        blocked.links.model.history.order_by("-history_id").values_list(
            "history_change_reason", "history_user"
        )[:2]
    )
    assert {reason.split(":")[0] for reason, _ in reasons} == {
        "Linked to Blocked access to tools",
        "Unlinked from Blocked access to tools",
    }
    assert {user for _, user in reasons} == {organiser.pk}
