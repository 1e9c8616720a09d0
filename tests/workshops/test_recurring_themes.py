"""Recurring themes: the same thing said at different workshops, joined. Their constraints, the
engine's proposals when a triager makes a theme (workbench with and without JavaScript, and the
admin), and linking with history."""

import datetime

import pytest
from django.core.exceptions import ValidationError
from django.db import IntegrityError, transaction
from django.urls import reverse

from tests.conftest import client_for
from tests.factories import (
    ContributionFactory,
    FlipchartGroupFactory,
    ThemeFactory,
    WorkshopFactory,
)
from workshops.models import Area, RecurringTheme, RecurringThemeLink, Theme
from workshops.services import (
    RecurringLinkError,
    recurring_theme_proposals,
    recurring_theme_start,
    theme_link_recurring,
    theme_unlink_recurring,
    themes_merge,
)

pytestmark = pytest.mark.django_db

JSON = {"HTTP_ACCEPT": "application/json"}


def area(slug) -> Area:
    return Area.objects.get(slug=slug)


def theme_with_notes(name, area_slug, texts, *, date=datetime.date(2025, 3, 4), workshop=None):
    workshop = workshop or WorkshopFactory(date=date)
    group = FlipchartGroupFactory(workshop=workshop)
    theme = ThemeFactory(workshop=workshop, name=name, area=area(area_slug))
    for text in texts:
        ContributionFactory(group=group, theme=theme, area=theme.area, text=text)
    return theme


def recurring(name, area_slug, *themes):
    made = RecurringTheme.objects.create(
        name=name, slug=name.lower().replace(" ", "-"), area=area(area_slug)
    )
    for theme in themes:
        RecurringThemeLink.objects.create(recurring_theme=made, theme=theme)
    return made


@pytest.fixture
def known():
    """Three recurring themes of infrastructure, each raised before, and one of training."""
    blocked = recurring(
        "Blocked access to tools",
        "infrastructure",
        theme_with_notes(
            "Sites blocked",
            "infrastructure",
            ["YouTube is blocked on our network", "Facebook blocked by the firewall"],
        ),
        theme_with_notes(
            "Can't get on social media",
            "infrastructure",
            ["Twitter is blocked at work", "We can't access LinkedIn from the office"],
            date=datetime.date(2026, 1, 20),
        ),
    )
    laptops = recurring(
        "Old laptops",
        "infrastructure",
        theme_with_notes(
            "Slow kit", "infrastructure", ["Our laptops are too slow to run video calls"]
        ),
    )
    wifi = recurring(
        "No wifi in meeting rooms",
        "infrastructure",
        theme_with_notes("Wifi", "infrastructure", ["There is no wifi in the meeting rooms"]),
    )
    training = recurring(
        "Training on social media",
        "training",
        theme_with_notes("Courses", "training", ["Nobody trained us to use social media"]),
    )
    return {"blocked": blocked, "laptops": laptops, "wifi": wifi, "training": training}


# The model


def test_a_recurring_theme_needs_a_name_and_a_unique_one(known):
    with pytest.raises(IntegrityError), transaction.atomic():
        RecurringTheme.objects.create(name="  ", slug="blank", area=area("training"))
    with pytest.raises(IntegrityError), transaction.atomic():
        RecurringTheme.objects.create(
            name="Old laptops", slug="old-laptops-2", area=area("training")
        )


def test_a_theme_belongs_to_at_most_one_recurring_theme(known):
    theme = known["laptops"].themes.get()
    with pytest.raises(IntegrityError), transaction.atomic():
        RecurringThemeLink.objects.create(recurring_theme=known["wifi"], theme=theme)


def test_a_link_across_areas_does_not_validate(known):
    theme = known["training"].themes.get()
    link = RecurringThemeLink(recurring_theme=known["wifi"], theme=theme)

    with pytest.raises(ValidationError, match="is in Training"):
        link.full_clean()


# Linking


def test_linking_records_who_and_keeps_history_of_links_and_unlinks(known, organiser):
    theme = theme_with_notes("Firewall", "infrastructure", ["The firewall blocks Yammer"])

    link = theme_link_recurring(theme=theme, recurring=known["blocked"], by=organiser)
    theme_link_recurring(theme=theme, recurring=known["laptops"], by=organiser)
    theme_unlink_recurring(theme=theme, by=organiser)

    assert not RecurringThemeLink.objects.filter(theme=theme).exists()
    history = RecurringThemeLink.history.filter(id=link.pk).order_by("history_date")
    assert [(h.history_type, h.recurring_theme_id, h.history_user) for h in history] == [
        ("+", known["blocked"].pk, organiser),
        ("~", known["laptops"].pk, organiser),
        ("-", known["laptops"].pk, organiser),
    ]
    assert history[1].history_change_reason == (
        f"Moved from Blocked access to tools to Old laptops: “Firewall” of {theme.workshop}"
    )


def test_a_theme_of_another_area_or_none_is_not_linked(known, organiser):
    courses = theme_with_notes("Courses wanted", "training", ["More courses please"])
    unsorted = ThemeFactory(name="Unsorted")

    with pytest.raises(RecurringLinkError, match="is in Training"):
        theme_link_recurring(theme=courses, recurring=known["blocked"], by=organiser)
    with pytest.raises(RecurringLinkError, match="has no area yet"):
        theme_link_recurring(theme=unsorted, recurring=known["blocked"], by=organiser)
    assert not RecurringThemeLink.objects.filter(theme__in=[courses, unsorted]).exists()


def test_a_theme_starts_a_recurring_theme_of_its_name_and_area(organiser):
    theme = theme_with_notes(
        "Clearance takes weeks",
        "cultural-change",
        ["Sign-off is slow"],
        workshop=WorkshopFactory(title="A workshop with a long title " * 6),
    )

    started = recurring_theme_start(theme=theme, by=organiser)

    assert len(RecurringThemeLink.history.get().history_change_reason) <= 100
    assert (started.name, started.slug, started.area) == (
        "Clearance takes weeks",
        "clearance-takes-weeks",
        area("cultural-change"),
    )
    assert list(started.themes.all()) == [theme]


# Proposals


def test_a_new_theme_is_proposed_the_recurring_themes_of_its_area_closest_first(known):
    theme = theme_with_notes(
        "Social media blocked", "infrastructure", ["Facebook and Twitter are blocked here"]
    )

    proposals = recurring_theme_proposals(theme)

    assert proposals[0].name == "Blocked access to tools"
    assert {p.name for p in proposals} == {
        "Blocked access to tools",
        "Old laptops",
        "No wifi in meeting rooms",
    }
    assert proposals[0].workshop_count == 2
    assert proposals[0].score > proposals[1].score


def test_a_theme_without_area_or_recurring_themes_of_its_area_gets_no_proposal(known):
    assert recurring_theme_proposals(ThemeFactory(name="Blocked sites")) == []
    assert recurring_theme_proposals(theme_with_notes("Stuff", "empowerment", ["x"])) == []


def test_proposals_take_a_fixed_number_of_queries(known, django_assert_num_queries):
    theme = theme_with_notes("Blocked", "infrastructure", ["Blocked sites"])
    with django_assert_num_queries(3):
        recurring_theme_proposals(theme)
    for number in range(10):
        recurring(
            f"Recurring {number}",
            "infrastructure",
            theme_with_notes(f"T{number}", "infrastructure", ["a note", "another"]),
        )
    with django_assert_num_queries(3):
        assert len(recurring_theme_proposals(theme)) == 3


# The pages that offer them


def link_page(theme):
    return reverse("admin:workshops_theme_recurring", args=[theme.pk])


def test_the_link_page_offers_the_top_three_and_links_in_one_click(known, organiser):
    theme = theme_with_notes("Sites blocked here", "infrastructure", ["YouTube is blocked"])
    client = client_for(organiser)

    page = client.get(link_page(theme)).text
    response = client.post(
        link_page(theme), {"choice": known["blocked"].pk, "next": "/admin/workshops/theme/"}
    )

    assert page.count('name="choice"') == 5  # three proposals, start a new one, none of these
    assert page.index("Blocked access to tools") < page.index("Old laptops")
    assert "Training on social media" not in page
    assert response.status_code == 302
    assert response.url == "/admin/workshops/theme/"
    assert RecurringThemeLink.objects.get(theme=theme).recurring_theme == known["blocked"]


def test_none_of_these_links_nothing_and_an_outside_next_is_not_followed(known, organiser):
    theme = theme_with_notes("Sites blocked here", "infrastructure", ["YouTube is blocked"])

    response = client_for(organiser).post(
        link_page(theme), {"choice": "none", "next": "https://example.com/"}
    )

    assert response.url == reverse("admin:workshops_theme_change", args=[theme.pk])
    assert not RecurringThemeLink.objects.filter(theme=theme).exists()


def test_the_link_page_answers_json_for_the_workbench_script(known, organiser):
    theme = theme_with_notes("Courses", "training", ["Courses please"])
    client = client_for(organiser)

    refused = client.post(link_page(theme), {"choice": known["blocked"].pk}, **JSON)
    linked = client.post(link_page(theme), {"choice": known["training"].pk}, **JSON)

    assert refused.status_code == 400
    assert "is in Training" in refused.json()["error"]
    assert linked.json() == {
        "ok": True,
        "message": "Linked “Courses” to the recurring theme “Training on social media”.",
    }


def test_a_theme_added_in_the_admin_is_offered_its_recurring_themes(known, organiser):
    workshop = WorkshopFactory()
    client = client_for(organiser)

    response = client.post(
        reverse("admin:workshops_theme_add"),
        {
            "workshop": workshop.pk,
            "name": "Blocked websites",
            "summary": "",
            "area": area("infrastructure").pk,
        },
    )

    theme = Theme.objects.get(name="Blocked websites")
    assert response.url == link_page(theme)
    change_page = client.get(reverse("admin:workshops_theme_change", args=[theme.pk])).text
    assert "Link it to a recurring theme" in change_page


def workbench_save(workshop):
    return reverse("admin:workshops_workshop_workbench_save", args=[workshop.pk])


def test_a_theme_made_in_the_workbench_comes_back_with_its_proposals(known, organiser):
    workshop = WorkshopFactory()
    note = ContributionFactory(
        group=FlipchartGroupFactory(workshop=workshop), text="Vimeo is blocked", reviewed_at=None
    )

    response = client_for(organiser).post(
        workbench_save(workshop),
        {
            "action": "one",
            "note": note.pk,
            f"n{note.pk}-area": area("infrastructure").pk,
            f"n{note.pk}-new_theme": "Video sites blocked",
        },
        **JSON,
    )

    offer = response.json()["recurring"]
    theme = Theme.objects.get(name="Video sites blocked")
    assert offer["url"] == link_page(theme)
    assert offer["choices"][0] == {
        "id": known["blocked"].pk,
        "name": "Blocked access to tools",
        "workshops": 2,
    }
    assert len(offer["choices"]) == 3


def test_a_workbench_page_that_made_themes_offers_a_link_for_each(known, organiser):
    workshop = WorkshopFactory()
    group = FlipchartGroupFactory(workshop=workshop)
    notes = [
        ContributionFactory(group=group, text=text, reviewed_at=None)
        for text in ("Vimeo is blocked", "Our wifi drops <b>always</b>")
    ]
    data = {"notes": [n.pk for n in notes], "show": "untriaged", "size": 20, "page": 1}
    for note, name in zip(notes, ["Video blocked", "Wifi <drops>"], strict=True):
        data |= {f"n{note.pk}-area": area("infrastructure").pk, f"n{note.pk}-new_theme": name}
    client = client_for(organiser)

    response = client.post(workbench_save(workshop), data, follow=True)

    page = response.text
    video, wifi = Theme.objects.get(name="Video blocked"), Theme.objects.get(name="Wifi <drops>")
    assert f"{link_page(video)}?next=" in page
    assert f"{link_page(wifi)}?next=" in page
    assert "“Wifi &lt;drops&gt;” may have been said at other workshops too" in page


def test_a_merge_keeps_the_workshop_counted_in_a_merged_themes_recurring_theme(known, organiser):
    linked = known["blocked"].themes.order_by("pk").first()
    survivor = ThemeFactory(workshop=linked.workshop, name="Blocked", area=linked.area)

    themes_merge(survivor=survivor, others=[linked], by=organiser)

    assert RecurringThemeLink.objects.get(theme=survivor).recurring_theme == known["blocked"]
    assert known["blocked"].themes.count() == 2


def test_a_linked_themes_area_is_not_changed_in_the_admin(known, organiser):
    theme = known["wifi"].themes.get()

    response = client_for(organiser).post(
        reverse("admin:workshops_theme_change", args=[theme.pk]),
        {
            "workshop": theme.workshop_id,
            "name": theme.name,
            "summary": "",
            "area": area("training").pk,
        },
    )

    assert response.status_code == 200
    assert "counted in the recurring theme “No wifi in meeting rooms”" in response.text
    theme.refresh_from_db()
    assert theme.area == area("infrastructure")
