"""Triage staff sort contributions in the admin: the list, bulk moves, themes and the overview."""

import datetime
from urllib.parse import parse_qs, urlsplit

import pytest
from django.urls import reverse
from django.utils import timezone
from django.utils.html import escape

from actions.services import action_create
from tests.conftest import client_for
from tests.factories import (
    ContributionFactory,
    FlipchartGroupFactory,
    ThemeFactory,
)
from workshops.models import Area, Contribution, FlipchartGroup, Theme

pytestmark = pytest.mark.django_db

CHANGELIST = reverse("admin:workshops_contribution_changelist")
ADD_TO_THEME = reverse("admin:workshops_contribution_add_to_theme")


@pytest.fixture
def groups(workshop):
    return [
        FlipchartGroupFactory(workshop=workshop, subject="Barriers", order=1),
        FlipchartGroupFactory(workshop=workshop, subject="Skills and tools", order=2),
    ]


@pytest.fixture
def notes(groups):
    start = timezone.now() - datetime.timedelta(hours=1)
    return [
        ContributionFactory(
            group=groups[i % 2], text=f"Note {i}", entered_at=start + datetime.timedelta(minutes=i)
        )
        for i in range(6)
    ]


def area(slug):
    return Area.objects.get(slug=slug)


def run_action(client, action, contributions, query=""):
    return client.post(
        f"{CHANGELIST}{query}",
        {"action": action, "index": 0, "_selected_action": [c.pk for c in contributions]},
    )


def test_the_list_opens_on_untriaged_notes_oldest_first(organiser, notes):
    notes[0].area = area("training")
    notes[0].save()
    notes[1].removed_at = timezone.now()
    notes[1].save()

    response = client_for(organiser).get(CHANGELIST, follow=True)

    assert response.redirect_chain == [(f"{CHANGELIST}?triaged=no&removed=no", 302)]
    shown = list(response.context["cl"].result_list)
    assert shown == notes[2:]


def test_there_is_one_move_action_per_area_including_new_areas(organiser, notes):
    Area.objects.create(name="Communications", slug="communications", order=9)
    response = client_for(organiser).get(f"{CHANGELIST}?triaged=no")
    choices = [label for _, label in response.context["action_form"].fields["action"].choices]
    for name in ["Cultural change", "Infrastructure", "Empowerment", "Training", "Communications"]:
        assert f"Move to {name}" in choices


def test_moving_selected_notes_to_an_area_records_who_triaged_them(organiser, notes):
    training = area("training")
    client = client_for(organiser)
    response = run_action(client, f"move_to_area_{training.pk}", notes[:3], "?triaged=no")

    assert response.status_code == 302
    assert response.url == f"{CHANGELIST}?triaged=no"
    moved = Contribution.objects.filter(area=training)
    assert set(moved) == set(notes[:3])
    assert {c.triaged_by for c in moved} == {organiser}
    page = client.get(response.url)
    assert "3 contributions moved to Training." in page.text


def test_an_action_with_nothing_selected_changes_nothing(organiser, notes):
    training = area("training")
    response = client_for(organiser).post(
        f"{CHANGELIST}?triaged=no",
        {"action": f"move_to_area_{training.pk}", "index": 0},
        follow=True,
    )
    assert "Items must be selected in order to perform actions on them" in response.text
    assert not Contribution.objects.filter(area__isnull=False).exists()


def test_area_and_theme_are_edited_in_the_list_with_history(organiser, notes):
    theme = ThemeFactory(workshop=notes[0].group.workshop, name="Blocked sites")
    training = area("training")
    client = client_for(organiser)
    url = f"{CHANGELIST}?triaged=no"
    formset = client.get(url).context["cl"].formset
    data = {
        "form-TOTAL_FORMS": formset.total_form_count(),
        "form-INITIAL_FORMS": formset.initial_form_count(),
        "_save": "Save",
    }
    for i, form in enumerate(formset.forms):
        data[f"form-{i}-id"] = form.instance.pk
        data[f"form-{i}-area"] = ""
        data[f"form-{i}-theme"] = ""
    data["form-0-area"] = training.pk
    data["form-0-theme"] = theme.pk

    response = client.post(url, data)

    assert response.status_code == 302
    first = Contribution.objects.get(pk=formset.forms[0].instance.pk)
    assert (first.area, first.theme, first.triaged_by) == (training, theme, organiser)
    record = first.history.latest()
    assert (record.history_user, record.area_id) == (organiser, training.pk)


def test_each_row_offers_only_its_own_workshops_themes(organiser, notes):
    mine = ThemeFactory(workshop=notes[0].group.workshop, name="Mine")
    ThemeFactory(name="Another workshop's theme")
    formset = client_for(organiser).get(f"{CHANGELIST}?triaged=no").context["cl"].formset
    choices = formset.forms[0].fields["theme"].widget.choices
    assert choices == [("", "---------"), (mine.pk, "Mine")]


def test_the_rows_share_one_rendering_of_their_options_and_show_what_is_chosen(organiser, notes):
    mine = ThemeFactory(workshop=notes[0].group.workshop, name="Mine")
    notes[0].theme = mine
    notes[0].save()
    response = client_for(organiser).get(f"{CHANGELIST}?triaged=no")
    forms = response.context["cl"].formset.forms

    assert len({id(form.fields["area"].widget.choices) for form in forms}) == 1
    assert len({id(form.fields["theme"].widget.choices) for form in forms}) == 1
    assert response.text.count('value="">---------</option>') == 2 * len(forms)
    assert f'<option selected value="{mine.pk}">Mine</option>' in response.text


def test_a_theme_from_another_workshop_is_refused_in_the_list(organiser, notes):
    elsewhere = ThemeFactory()
    client = client_for(organiser)
    url = f"{CHANGELIST}?triaged=no&group={notes[0].group_id}"
    data = {
        "form-TOTAL_FORMS": 3,
        "form-INITIAL_FORMS": 3,
        "_save": "Save",
    }
    for i, note in enumerate(notes[0::2]):
        data[f"form-{i}-id"] = note.pk
        data[f"form-{i}-area"] = ""
        data[f"form-{i}-theme"] = elsewhere.pk if i == 0 else ""

    response = client.post(url, data)

    assert response.status_code == 200
    assert "Choose a theme from this contribution&#x27;s workshop." in response.text
    assert not elsewhere.contributions.exists()


def test_the_list_filters_by_group_and_by_having_an_action(organiser, notes):
    action_create(
        workshop=notes[0].group.workshop,
        area=area("training"),
        title="Train people",
        contributions=[notes[0]],
    )
    client = client_for(organiser)
    workshop_id = notes[0].group.workshop_id

    by_group = client.get(
        f"{CHANGELIST}?group__workshop__id__exact={workshop_id}&group={notes[1].group_id}"
    )
    assert list(by_group.context["cl"].result_list) == notes[1::2]
    assert "Skills and tools" in by_group.text

    with_action = client.get(f"{CHANGELIST}?has_action=yes")
    assert list(with_action.context["cl"].result_list) == [notes[0]]
    without = client.get(f"{CHANGELIST}?has_action=no")
    assert notes[0] not in without.context["cl"].result_list


def test_the_list_searches_the_text(organiser, notes):
    ContributionFactory(group=notes[0].group, text="YouTube is blocked")
    response = client_for(organiser).get(f"{CHANGELIST}?q=youtube")
    assert [c.text for c in response.context["cl"].result_list] == ["YouTube is blocked"]


def test_a_contribution_shows_the_actions_that_came_from_it(organiser, notes):
    action = action_create(
        workshop=notes[0].group.workshop,
        area=area("training"),
        title="Set up digital champions",
        contributions=[notes[0]],
    )
    response = client_for(organiser).get(
        reverse("admin:workshops_contribution_change", args=[notes[0].pk])
    )
    change_url = reverse("admin:actions_actionitem_change", args=[action.pk])
    assert f'<a href="{change_url}">Set up digital champions</a>' in response.text


def test_a_contributions_history_shows_who_changed_its_area(organiser, notes):
    client = client_for(organiser)
    training = area("training")
    run_action(client, f"move_to_area_{training.pk}", notes[:1])

    response = client.get(reverse("admin:workshops_contribution_history", args=[notes[0].pk]))

    assert response.status_code == 200
    assert "Moved to Training" in response.text
    assert escape(str(organiser)) in response.text  # names such as O'Brien are escaped


# Add to theme


def test_add_to_theme_opens_a_page_for_the_selected_notes(organiser, notes):
    response = run_action(client_for(organiser), "add_to_theme", notes[:2], "?triaged=no")

    assert response.status_code == 302
    target = urlsplit(response.url)
    assert target.path == ADD_TO_THEME
    query = parse_qs(target.query)
    assert query["ids"] == [f"{notes[0].pk},{notes[1].pk}"]
    assert query["_changelist_filters"] == ["triaged=no"]


def test_add_to_theme_puts_notes_in_an_existing_theme(organiser, notes):
    theme = ThemeFactory(
        workshop=notes[0].group.workshop, name="Blocked sites", area=area("infrastructure")
    )
    client = client_for(organiser)
    url = f"{ADD_TO_THEME}?ids={notes[0].pk},{notes[1].pk}&_changelist_filters=triaged%3Dno"
    page = client.get(url)
    assert page.status_code == 200
    assert "Note 0" in page.text

    response = client.post(url, {"theme": theme.pk, "new_theme_name": ""})

    assert response.status_code == 302
    assert response.url == f"{CHANGELIST}?triaged=no"
    assert set(theme.contributions.all()) == {notes[0], notes[1]}


def test_add_to_theme_can_create_the_theme(organiser, notes):
    url = f"{ADD_TO_THEME}?ids={notes[0].pk}"
    response = client_for(organiser).post(
        url, {"theme": "", "new_theme_name": "Old browsers", "area": area("infrastructure").pk}
    )
    assert response.status_code == 302
    theme = Theme.objects.get(name="Old browsers")
    assert theme.workshop == notes[0].group.workshop
    assert list(theme.contributions.all()) == [notes[0]]


@pytest.mark.parametrize(
    ("data", "message"),
    [
        ({"theme": "", "new_theme_name": ""}, "Choose an existing theme or name a new one"),
        ({"theme": "THEME", "new_theme_name": "Typed"}, "not both"),
        ({"theme": "", "new_theme_name": "blocked SITES"}, "already has a theme called"),
    ],
)
def test_add_to_theme_shows_errors_and_keeps_the_input(organiser, notes, data, message):
    theme = ThemeFactory(workshop=notes[0].group.workshop, name="Blocked sites")
    if data["theme"] == "THEME":
        data = {**data, "theme": theme.pk}

    response = client_for(organiser).post(f"{ADD_TO_THEME}?ids={notes[0].pk}", data)

    assert response.status_code == 200
    assert message in response.text
    assert "Please correct the error below." in response.text
    if data["new_theme_name"]:
        assert f'value="{data["new_theme_name"]}"' in response.text
    assert not notes[0].__class__.objects.filter(theme__isnull=False).exists()


def test_notes_from_two_workshops_are_refused_with_a_clear_message(organiser, notes):
    other = ContributionFactory(text="From another workshop")
    client = client_for(organiser)
    for action in ["add_to_theme", "create_action"]:
        response = run_action(client, action, [notes[0], other], "?triaged=no")
        assert response.status_code == 302
        assert response.url == f"{CHANGELIST}?triaged=no"
        page = client.get(response.url)
        assert "come from more than one workshop" in page.text

    direct = client.get(f"{ADD_TO_THEME}?ids={notes[0].pk},{other.pk}", follow=True)
    assert "come from more than one workshop" in direct.text


def test_add_to_theme_without_notes_sends_you_back_to_the_list(organiser):
    response = client_for(organiser).get(ADD_TO_THEME, follow=True)
    assert "Select the contributions to add first." in response.text


def test_too_many_selected_notes_are_refused(organiser, groups):
    Contribution.objects.bulk_create(
        Contribution(group=groups[0], text=f"Note {i}") for i in range(201)
    )
    client = client_for(organiser)
    response = client.post(
        f"{CHANGELIST}?triaged=no",
        {"action": "add_to_theme", "index": 0, "select_across": "1", "_selected_action": ["1"]},
        follow=True,
    )
    assert "Select 200 contributions or fewer at a time." in response.text


# Triage overview


def overview_url(workshop):
    return reverse("admin:workshops_workshop_triage", args=[workshop.pk])


def test_the_overview_counts_each_groups_notes_by_area(organiser, workshop, groups, notes):
    training, empowerment = area("training"), area("empowerment")
    for note, note_area in zip(notes, [training, training, empowerment], strict=False):
        note.area = note_area
        note.save()
    ContributionFactory(group=groups[0], area=training, removed_at=timezone.now())
    theme = ThemeFactory(workshop=workshop, name="Digital champions")
    notes[0].theme = theme
    notes[0].save()

    response = client_for(organiser).get(overview_url(workshop))

    assert response.status_code == 200
    barriers, skills = response.context["rows"]
    areas = [a.slug for a in response.context["areas"]]
    barrier_counts = dict(zip(areas, [cell["count"] for cell in barriers["areas"]], strict=True))
    assert barrier_counts == {
        "cultural-change": 0,
        "infrastructure": 0,
        "empowerment": 1,
        "training": 1,
    }
    assert (barriers["untriaged"]["count"], barriers["total"]["count"]) == (1, 3)
    assert barriers["percent_triaged"] == "67%"
    assert (skills["untriaged"]["count"], skills["percent_triaged"]) == (2, "33%")
    assert response.context["totals"]["percent_triaged"] == "50%"
    cell = barriers["areas"][areas.index("training")]["url"]
    assert parse_qs(urlsplit(cell).query) == {
        "group__workshop__id__exact": [str(workshop.pk)],
        "group": [str(groups[0].pk)],
        "area__id__exact": [str(training.pk)],
        "removed": ["no"],
    }
    listed = client_for(organiser).get(cell).context["cl"].result_list
    assert list(listed) == [notes[0]]
    assert "Digital champions" in response.text
    assert response.context["themes"][0]["theme"].contribution_count == 1


def test_the_overview_is_linked_from_the_workshop_page(organiser, workshop):
    response = client_for(organiser).get(
        reverse("admin:workshops_workshop_change", args=[workshop.pk])
    )
    assert overview_url(workshop) in response.text


def test_the_overview_uses_a_fixed_number_of_queries(
    organiser, workshop, groups, django_assert_num_queries, django_assert_max_num_queries
):
    client = client_for(organiser)
    with django_assert_max_num_queries(11) as few:
        client.get(overview_url(workshop))
    for i in range(4):
        group = FlipchartGroup.objects.create(workshop=workshop, subject=f"Extra {i}")
        ThemeFactory(workshop=workshop)
        ContributionFactory.create_batch(3, group=group, area=area("training"))
    with django_assert_num_queries(len(few.captured_queries)):
        client.get(overview_url(workshop))


def test_the_overview_charts_contributions_per_area_and_actions_per_status(
    organiser, workshop, groups
):
    ContributionFactory.create_batch(3, group=groups[0], area=area("training"))

    html = client_for(organiser).get(overview_url(workshop)).text

    assert "Contributions per area</caption>" in html
    assert "Actions per status</caption>" in html
    assert '<rect x="0" y="2" width="100%"' in html


def test_people_who_are_not_organisers_cannot_reach_triage_pages(
    client, facilitator, owner_a, staff_without_role, workshop, notes
):
    pages = [overview_url(workshop), f"{ADD_TO_THEME}?ids={notes[0].pk}"]
    for page in pages:
        response = client.get(page)
        assert response.status_code == 302
        assert response.url.startswith(reverse("admin:login"))
        for user in (facilitator, owner_a, staff_without_role):
            response = client_for(user).get(page)
            assert response.status_code == 302
            assert response.url.startswith(reverse("admin:login"))


# Query counts


def make_contributions(size, workshop, groups):
    """`size` notes spread over the groups and themes, every third one triaged."""
    themes = [ThemeFactory(workshop=workshop) for _ in range(3)]
    areas = list(Area.objects.all())
    Contribution.objects.bulk_create(
        Contribution(
            group=groups[i % len(groups)],
            text=f"Note {i}",
            area=areas[i % len(areas)] if i % 3 == 0 else None,
            theme=themes[i % len(themes)],
        )
        for i in range(size)
    )


# Session, user, 2 for permissions, areas for the move actions, workshops for their filter, areas
# for theirs, count, areas for the row choices, rows, themes for the row choices; and the groups
# of the workshop once one is chosen.
@pytest.mark.parametrize(
    ("query", "queries"),
    [("?triaged=no&removed=no", 13), ("?group__workshop__id__exact={w}", 14)],
)
def test_the_contribution_list_issues_the_same_queries_for_100_and_2000_notes(
    organiser, workshop, groups, query, queries, django_assert_num_queries
):
    client = client_for(organiser)
    url = CHANGELIST + query.format(w=workshop.pk)
    make_contributions(100, workshop, groups)
    with django_assert_num_queries(queries):
        response = client.get(url)
    assert len(response.context["cl"].result_list) == (66 if "triaged=no" in query else 100)

    make_contributions(1900, workshop, groups)
    assert Contribution.objects.count() == 2000
    with django_assert_num_queries(queries):
        response = client.get(url)
    assert len(response.context["cl"].result_list) == 100


def test_showing_all_notes_keeps_an_explicit_choice(organiser, notes):
    notes[0].area = area("training")
    notes[0].save()
    client = client_for(organiser)
    default = client.get(f"{CHANGELIST}?triaged=no")
    triage_filter = next(f for f in default.context["cl"].filter_specs if f.title == "triage")
    all_link = next(triage_filter.choices(default.context["cl"]))

    assert all_link["display"] == "All"
    assert all_link["query_string"] == "?triaged=all"
    response = client.get(CHANGELIST + all_link["query_string"])
    assert len(response.context["cl"].result_list) == 6


# The list's columns


def test_area_and_theme_come_straight_after_the_note(organiser, notes):
    response = client_for(organiser).get(f"{CHANGELIST}?triaged=no")
    assert response.context["cl"].list_display[:4] == ["action_checkbox", "text", "area", "theme"]


def test_the_workshop_column_is_left_out_once_one_workshop_is_chosen(organiser, workshop, notes):
    client = client_for(organiser)
    every_workshop = client.get(f"{CHANGELIST}?triaged=no").context["cl"]
    one_workshop = client.get(f"{CHANGELIST}?group__workshop__id__exact={workshop.pk}")

    assert "workshop" in every_workshop.list_display
    assert "workshop" not in one_workshop.context["cl"].list_display
    assert "column-workshop" not in one_workshop.text
    assert len(one_workshop.context["cl"].result_list) == 6


def test_each_rows_area_and_theme_are_named_after_its_note(organiser, notes):
    notes[0].text = 'Managers "block" <YouTube> & most video sites on work laptops'
    notes[0].save()
    html = client_for(organiser).get(f"{CHANGELIST}?triaged=no").text

    note = "Managers &quot;block&quot; &lt;YouTube&gt; &amp; most video sites on…"
    assert f'aria-label="Area for note: {note}"' in html
    assert f'aria-label="Theme for note: {note}"' in html
    for other in notes[1:]:
        assert f'aria-label="Area for note: {other.text}"' in html
        assert f'aria-label="Theme for note: {other.text}"' in html


def test_a_notes_group_kind_reach_and_time_share_one_column(organiser, notes):
    notes[0].kind, notes[0].reach = "question", "most"
    notes[0].save()
    cell = client_for(organiser).get(f"{CHANGELIST}?triaged=no").text

    assert "Barriers<br>Question, shared by most people<br>" in cell
    assert "Skills and tools<br>Comment<br>" in cell
