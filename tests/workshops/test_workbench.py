"""The triage workbench: its page, the save of one note (JavaScript), of a page of notes (no
JavaScript) and of selected notes, undo, who may use it, and its queries at two data sizes."""

import datetime

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.urls import reverse
from django.utils import timezone

from accounts import roles
from feedback_site.admin_site import changelist_url
from tests.conftest import client_for
from tests.factories import (
    ContributionFactory,
    FlipchartGroupFactory,
    ThemeFactory,
    UserFactory,
    WorkshopFactory,
)
from workshops.models import Area, Contribution, Theme
from workshops.services import (
    WORKBENCH_REASON,
    NothingToUndo,
    WorkbenchError,
    contribution_triage,
    contribution_triage_undo,
    contributions_triage,
)

pytestmark = pytest.mark.django_db

JSON = {"HTTP_ACCEPT": "application/json"}


def area(slug) -> Area:
    return Area.objects.get(slug=slug)


@pytest.fixture
def workshop():
    return WorkshopFactory(title="Social media guidelines: so what?")


@pytest.fixture
def groups(workshop):
    return [
        FlipchartGroupFactory(workshop=workshop, subject="Barriers", order=1),
        FlipchartGroupFactory(workshop=workshop, subject="Skills and tools", order=2),
    ]


def make_notes(groups, count, start=None):
    start = start or timezone.now() - datetime.timedelta(hours=1)
    return Contribution.objects.bulk_create(
        Contribution(
            group=groups[i % len(groups)],
            text=f"Note {i}",
            entered_at=start + datetime.timedelta(seconds=i),
        )
        for i in range(count)
    )


@pytest.fixture
def notes(groups):
    return make_notes(groups, 6)


def page_url(workshop, **params):
    url = reverse("admin:workshops_workshop_workbench", args=[workshop.pk])
    return url + ("?" + "&".join(f"{k}={v}" for k, v in params.items()) if params else "")


def save_url(workshop):
    return reverse("admin:workshops_workshop_workbench_save", args=[workshop.pk])


def save_one(client, workshop, note, **fields):
    data = {"action": "one", "note": note.pk}
    data |= {f"n{note.pk}-{name}": value for name, value in fields.items()}
    return client.post(save_url(workshop), data, **JSON)


# The services


def test_triage_sets_area_marks_reviewed_and_records_one_history_row(notes, organiser):
    note = notes[0]

    saved = contribution_triage(contribution=note, by=organiser, area=area("training"))

    saved.refresh_from_db()
    assert saved.area == area("training")
    assert saved.reviewed_by == organiser
    assert saved.reviewed_at is not None
    assert saved.triaged_by == organiser
    records = list(saved.history.order_by("history_date"))
    # The state it was captured in, then the save.
    assert [r.history_change_reason for r in records] == ["As captured", WORKBENCH_REASON]
    assert records[0].area_id is None


def test_choosing_a_theme_sets_the_notes_area(notes, organiser, workshop):
    theme = ThemeFactory(workshop=workshop, area=area("infrastructure"), name="Blocked sites")

    saved = contribution_triage(contribution=notes[0], by=organiser, area=None, theme=theme)

    assert saved.area_id == theme.area_id
    assert saved.theme == theme


def test_changing_the_area_clears_a_theme_of_another_area(notes, organiser, workshop):
    theme = ThemeFactory(workshop=workshop, area=area("infrastructure"))
    contribution_triage(contribution=notes[0], by=organiser, area=None, theme=theme)

    saved = contribution_triage(contribution=notes[0], by=organiser, area=area("training"))

    assert saved.area == area("training")
    assert saved.theme is None


def test_a_theme_of_another_area_than_the_one_chosen_is_refused(notes, organiser, workshop):
    theme = ThemeFactory(workshop=workshop, area=area("infrastructure"), name="Blocked sites")

    with pytest.raises(WorkbenchError, match="“Blocked sites” is in Infrastructure"):
        contribution_triage(contribution=notes[0], by=organiser, area=area("training"), theme=theme)


def test_a_new_theme_takes_the_notes_area_and_its_name_is_reused(notes, organiser, workshop):
    first = contribution_triage(
        contribution=notes[0], by=organiser, area=area("training"), new_theme_name="Champions"
    )
    second = contribution_triage(
        contribution=notes[1], by=organiser, area=area("training"), new_theme_name="champions"
    )

    assert first.theme == second.theme
    assert first.theme.area == area("training")
    assert Theme.objects.filter(workshop=workshop).count() == 1


def test_a_new_theme_needs_an_area(notes, organiser):
    with pytest.raises(WorkbenchError, match="Select an area for the new theme"):
        contribution_triage(
            contribution=notes[0], by=organiser, area=None, new_theme_name="Champions"
        )


def test_a_note_needs_an_area_unless_it_is_hidden(notes, organiser):
    with pytest.raises(WorkbenchError, match="Select an area"):
        contribution_triage(contribution=notes[0], by=organiser, area=None)

    hidden = contribution_triage(
        contribution=notes[0], by=organiser, area=None, hidden_reason="personal_data"
    )

    assert hidden.hidden_from_public
    assert hidden.hidden_reason == "personal_data"
    assert not Contribution.objects.public().filter(pk=hidden.pk).exists()
    assert not Contribution.objects.to_triage().filter(pk=hidden.pk).exists()


def test_undo_puts_back_what_the_last_save_replaced(notes, organiser, workshop):
    theme = ThemeFactory(workshop=workshop, area=area("training"))
    contribution_triage(contribution=notes[0], by=organiser, area=None, theme=theme)
    contribution_triage(
        contribution=notes[0], by=organiser, area=area("empowerment"), hidden_reason="offensive"
    )

    restored = contribution_triage_undo(contribution=notes[0], by=organiser)

    restored.refresh_from_db()
    assert restored.area == area("training")
    assert restored.theme == theme
    assert not restored.hidden_from_public
    assert restored.hidden_reason == ""
    assert restored.history.latest().history_change_reason == "Undid a workbench save"


def test_undo_of_a_first_save_leaves_the_note_untriaged_and_unreviewed(notes, organiser):
    contribution_triage(contribution=notes[0], by=organiser, area=area("training"))

    restored = contribution_triage_undo(contribution=notes[0], by=organiser)

    restored.refresh_from_db()
    assert restored.area is None
    assert restored.reviewed_at is None
    assert restored.triaged_by is None
    assert Contribution.objects.to_triage().filter(pk=restored.pk).exists()


def test_undo_refuses_someone_elses_save_and_a_second_undo(notes, organiser):
    other = UserFactory(roles=[roles.ORGANISERS])
    contribution_triage(contribution=notes[0], by=other, area=area("training"))

    with pytest.raises(NothingToUndo):
        contribution_triage_undo(contribution=notes[0], by=organiser)

    contribution_triage(contribution=notes[0], by=organiser, area=area("empowerment"))
    contribution_triage_undo(contribution=notes[0], by=organiser)
    with pytest.raises(NothingToUndo):
        contribution_triage_undo(contribution=notes[0], by=organiser)


def test_several_notes_take_a_theme_at_once_with_a_history_row_each(notes, organiser, workshop):
    selected = Contribution.objects.filter(pk__in=[n.pk for n in notes[:3]])

    triaged = contributions_triage(
        contributions=selected, by=organiser, area=area("training"), new_theme_name="Champions"
    )

    assert len(triaged.changed) == 3
    for note in selected:
        assert note.theme == triaged.theme
        assert note.area == area("training")
        assert note.reviewed_by == organiser
        assert note.history.latest().history_change_reason == WORKBENCH_REASON
    assert Contribution.objects.filter(theme__isnull=True).count() == 3


def test_hiding_several_notes_leaves_their_area_alone(notes, organiser):
    contribution_triage(contribution=notes[0], by=organiser, area=area("training"))
    selected = Contribution.objects.filter(pk__in=[notes[0].pk, notes[1].pk])

    contributions_triage(contributions=selected, by=organiser, hidden_reason="duplicate")

    first, second = Contribution.objects.filter(pk__in=[notes[0].pk, notes[1].pk])
    assert first.area == area("training")
    assert second.area is None
    assert first.hidden_reason == second.hidden_reason == "duplicate"


# The page


def test_the_workbench_shows_notes_to_triage_with_four_area_choices(organiser, workshop, notes):
    contribution_triage(contribution=notes[0], by=organiser, area=area("training"))

    response = client_for(organiser).get(page_url(workshop))

    assert response.status_code == 200
    shown = [item.note for item in response.context["items"]]
    assert shown == notes[1:]
    html = response.content.decode()
    assert html.count(f'name="n{notes[1].pk}-area"') == 4
    assert "Access to tools, blocked sites, old browsers and equipment." in html
    assert "Save and show the next 20" in html
    assert 'src="/static/js/workbench.js"' in html


def test_the_workbench_gives_the_notes_the_pages_width_without_the_admins_sidebar(
    organiser, workshop, notes
):
    html = client_for(organiser).get(page_url(workshop)).content.decode()

    assert 'id="nav-sidebar"' not in html
    assert 'class="breadcrumbs"' in html


def test_the_workbench_offers_only_the_workshops_themes(organiser, workshop, notes):
    ThemeFactory(workshop=workshop, name="Blocked sites", area=area("infrastructure"))
    ThemeFactory(name="A theme of another workshop", area=area("training"))

    html = client_for(organiser).get(page_url(workshop)).content.decode()

    assert "Blocked sites" in html
    assert "A theme of another workshop" not in html


def test_the_workbench_pages_by_20_or_50(organiser, workshop, groups):
    make_notes(groups, 45)
    client = client_for(organiser)

    assert len(client.get(page_url(workshop)).context["items"]) == 20
    assert len(client.get(page_url(workshop, size=50)).context["items"]) == 45
    assert len(client.get(page_url(workshop, page=3)).context["items"]) == 5
    assert len(client.get(page_url(workshop, size=7)).context["items"]) == 20


def test_the_workbench_links_to_the_flipcharts_photos(organiser, workshop, notes, groups):
    from workshops.models import FlipchartPhoto

    FlipchartPhoto.objects.create(
        group=groups[0], image="x.png", image_format="png", width=1, height=1, size_bytes=1
    )

    html = client_for(organiser).get(page_url(workshop)).content.decode()

    assert reverse("admin:workshops_flipchartgroup_change", args=[groups[0].pk]) in html
    assert reverse("admin:workshops_flipchartgroup_change", args=[groups[1].pk]) not in html


def test_the_workbench_is_linked_from_the_workshop_overview_and_contribution_list(
    organiser, workshop, notes
):
    client = client_for(organiser)
    url = page_url(workshop)

    change = client.get(reverse("admin:workshops_workshop_change", args=[workshop.pk]))
    overview = client.get(reverse("admin:workshops_workshop_triage", args=[workshop.pk]))
    changelist = client.get(
        reverse("admin:workshops_contribution_changelist")
        + f"?group__workshop__id__exact={workshop.pk}&triaged=no"
    )

    for response in (change, overview, changelist):
        assert url in response.content.decode()


@pytest.mark.parametrize("persona", ["facilitator", "staff", "anonymous"])
def test_only_organisers_open_or_save_the_workbench(persona, facilitator, workshop, notes):
    client = {
        "facilitator": client_for(facilitator),
        "staff": client_for(UserFactory(is_staff=True)),
        "anonymous": client_for(UserFactory()).__class__(),
    }[persona]

    page = client.get(page_url(workshop))
    saved = save_one(client, workshop, notes[0], area=area("training").pk)

    assert page.status_code in (302, 403)
    assert saved.status_code in (302, 403)
    notes[0].refresh_from_db()
    assert notes[0].area is None


# Saving one note (JavaScript)


def test_saving_one_note_answers_json_and_records_the_triage(organiser, workshop, notes):
    response = save_one(client_for(organiser), workshop, notes[0], area=area("training").pk)

    assert response.status_code == 200
    body = response.json()
    assert body["ok"] is True
    assert body["note"] == {
        "id": notes[0].pk,
        "area": area("training").pk,
        "theme": None,
        "hidden_reason": "",
    }
    assert "saved: in Training" in body["message"]
    notes[0].refresh_from_db()
    assert notes[0].reviewed_by == organiser


def test_saving_one_note_with_a_new_theme_returns_the_theme(organiser, workshop, notes):
    response = save_one(
        client_for(organiser),
        workshop,
        notes[0],
        area=area("infrastructure").pk,
        new_theme="Blocked sites",
    )

    theme = Theme.objects.get(name="Blocked sites")
    assert response.json()["new_theme"] == {
        "id": theme.pk,
        "name": "Blocked sites",
        "area": area("infrastructure").pk,
    }


def test_naming_a_theme_the_workshop_has_in_other_letters_reuses_it_and_adds_none(
    organiser, workshop, notes
):
    theme = ThemeFactory(workshop=workshop, area=area("infrastructure"), name="Blocked sites")

    response = save_one(
        client_for(organiser),
        workshop,
        notes[0],
        area=area("infrastructure").pk,
        new_theme="blocked SITES",
    )

    body = response.json()
    assert body["note"]["theme"] == theme.pk
    assert body["new_theme"] is None
    assert body["recurring"] is None
    assert "theme Blocked sites" in body["message"]
    assert Theme.objects.filter(workshop=workshop).count() == 1


def test_a_save_keeps_a_theme_of_the_chosen_area_and_clears_one_of_another(
    organiser, workshop, notes
):
    """The script's save reads only the themes its choice names: a note's own theme is the one
    it was read with, kept or cleared by the area chosen, and never offered as new."""
    theme = ThemeFactory(workshop=workshop, area=area("training"), name="Champions")
    client = client_for(organiser)
    save_one(client, workshop, notes[0], theme=theme.pk)

    kept = save_one(client, workshop, notes[0], area=area("training").pk).json()
    cleared = save_one(client, workshop, notes[0], area=area("infrastructure").pk).json()

    assert (kept["note"]["theme"], kept["new_theme"], kept["recurring"]) == (theme.pk, None, None)
    assert "theme Champions" in kept["message"]
    assert cleared["note"]["theme"] is None
    assert "theme" not in cleared["message"]


def test_saving_one_note_without_an_area_says_so_and_changes_nothing(organiser, workshop, notes):
    response = save_one(client_for(organiser), workshop, notes[0])

    assert response.status_code == 400
    assert response.json() == {"ok": False, "error": "Select an area", "field": "area"}
    notes[0].refresh_from_db()
    assert notes[0].reviewed_at is None


def test_a_note_of_another_workshop_is_not_saved_here(organiser, workshop, notes):
    elsewhere = ContributionFactory(reviewed_at=None)

    response = save_one(client_for(organiser), workshop, elsewhere, area=area("training").pk)

    assert response.status_code == 404
    elsewhere.refresh_from_db()
    assert elsewhere.area is None


def test_undo_through_the_save_url(organiser, workshop, notes):
    client = client_for(organiser)
    save_one(client, workshop, notes[0], area=area("training").pk)

    response = client.post(save_url(workshop), {"action": "undo", "note": notes[0].pk}, **JSON)
    again = client.post(save_url(workshop), {"action": "undo", "note": notes[0].pk}, **JSON)

    assert response.json()["note"]["area"] is None
    assert again.status_code == 409
    notes[0].refresh_from_db()
    assert notes[0].area is None


# Saving a page of notes (no JavaScript)


def page_post(workshop, notes, choices, **extra):
    data = {"notes": [n.pk for n in notes], "show": "untriaged", "size": 20, "page": 1}
    for note, fields in zip(notes, choices, strict=True):
        data |= {f"n{note.pk}-{name}": value for name, value in fields.items()}
    return data | extra


def test_a_page_of_notes_saves_together_and_shows_the_next(organiser, workshop, groups):
    notes = make_notes(groups, 25)
    on_page = notes[:20]
    choices = [{"area": area("training").pk, "hidden_reason": ""} for _ in on_page]
    choices[0] = {"area": area("infrastructure").pk, "new_theme": "Blocked sites"}
    choices[1] = {"theme": "", "new_theme": "blocked sites", "area": area("infrastructure").pk}
    choices[2] = {"hidden_reason": "personal_data"}

    client = client_for(organiser)
    response = client.post(save_url(workshop), page_post(workshop, on_page, choices))

    assert response.status_code == 302
    assert response.url == page_url(workshop, show="untriaged", size=20)
    assert Contribution.objects.to_triage().count() == 5
    theme = Theme.objects.get(workshop=workshop)
    assert list(theme.contributions.all()) == notes[:2]
    next_page = client.get(response.url)
    assert [item.note for item in next_page.context["items"]] == notes[20:]


def test_a_page_with_an_error_saves_nothing_and_keeps_what_was_typed(organiser, workshop, notes):
    theme = ThemeFactory(workshop=workshop, area=area("infrastructure"), name="Blocked sites")
    choices = [
        {"area": area("training").pk},
        {"area": area("training").pk, "theme": theme.pk},
        {"new_theme": "A theme with no area"},
        {},
        {},
        {},
    ]

    response = client_for(organiser).post(save_url(workshop), page_post(workshop, notes, choices))

    assert response.status_code == 400
    html = response.content.decode()
    assert "There is a problem: nothing was saved" in html
    assert "Note 2: “Blocked sites” is in Infrastructure" in html
    assert "Note 3: Select an area for the new theme" in html
    assert 'value="A theme with no area"' in html
    assert f'href="#n{notes[1].pk}-theme"' in html
    assert not Contribution.objects.filter(reviewed_at__isnull=False).exists()
    assert not Theme.objects.filter(name="A theme with no area").exists()


def test_an_empty_page_submit_saves_nothing(organiser, workshop, notes):
    response = client_for(organiser).post(save_url(workshop), page_post(workshop, notes, [{}] * 6))

    assert response.status_code == 302
    assert not Contribution.objects.filter(reviewed_at__isnull=False).exists()


# Several selected notes


def test_selected_notes_are_changed_at_once(organiser, workshop, notes):
    response = client_for(organiser).post(
        save_url(workshop),
        {
            "action": "bulk",
            "selected": [notes[0].pk, notes[1].pk],
            "bulk-area": area("training").pk,
            "bulk-hidden_reason": "keep",
        },
        **JSON,
    )

    assert response.json()["message"] == "2 selected notes saved."
    assert Contribution.objects.filter(area=area("training")).count() == 2


def test_selected_notes_without_a_change_are_refused(organiser, workshop, notes):
    response = client_for(organiser).post(
        save_url(workshop),
        {"action": "bulk", "selected": [notes[0].pk], "bulk-hidden_reason": "keep"},
    )

    assert response.status_code == 302
    assert not Contribution.objects.filter(reviewed_at__isnull=False).exists()


# Queries at two data sizes


def queries_of(request) -> int:
    request()
    with CaptureQueriesContext(connection) as queries:
        response = request()
    assert response.status_code == 200, response.content[:500]
    return len(queries)


@pytest.mark.parametrize("size", [20, 50])
def test_a_workbench_page_issues_the_same_queries_at_100_and_2000_notes(
    organiser, workshop, groups, size, django_assert_max_num_queries
):
    client = client_for(organiser)
    for theme_area in Area.objects.all():
        ThemeFactory(workshop=workshop, area=theme_area, name=f"Theme in {theme_area}")
    make_notes(groups, 100)
    small = queries_of(lambda: client.get(page_url(workshop, size=size)))
    make_notes(groups, 1900)
    large = queries_of(lambda: client.get(page_url(workshop, size=size)))

    print(f"FIGURE: workbench page of {size} notes: {small} queries at 100, {large} at 2,000")
    assert small == large
    # 12 for a non-superuser organiser: session, user, second factor, roles, the workshop, two
    # permission reads, its flipcharts, the areas, its themes with their reach, the notes to
    # triage (read once: counted as the contribution list's "not yet triaged" and "not yet
    # reviewed" count them, paged, searched for repeats and shown) and the check for a newer
    # suggestion model.
    with django_assert_max_num_queries(12):
        client.get(page_url(workshop, size=size))


def test_a_workbench_save_issues_the_same_queries_at_100_and_2000_notes(
    organiser, workshop, groups, django_assert_max_num_queries
):
    client = client_for(organiser)
    theme = ThemeFactory(workshop=workshop, area=area("training"), name="Champions")
    counts = []
    for count in (100, 1900):
        notes = make_notes(groups, count)
        # Two saves of the same kind: the first records the note's state as captured.
        for note in notes[:2]:
            counts.append(
                queries_of(lambda note=note: save_one(client, workshop, note, theme=theme.pk))
            )

    print(f"FIGURE: one workbench save: {counts[0]} queries at 100 notes, {counts[2]} at 2,000")
    assert counts[0] == counts[2]
    # 16 for a non-superuser organiser's first save of a note: session, user, second factor,
    # roles, two permission reads, the note with its flipchart and workshop, the areas, the
    # theme the choice names, the lock (which tells whether the note has history), its state
    # as captured, the progress version, the update and its history, and the savepoint's two.
    with django_assert_max_num_queries(16):
        save_one(client, workshop, notes[5], theme=theme.pk)


def test_selected_notes_return_only_to_the_workbench(organiser, workshop, notes):
    client = client_for(organiser)
    data = {"action": "bulk", "selected": [notes[0].pk], "bulk-area": area("training").pk}

    elsewhere = client.post(save_url(workshop), data | {"next": "https://example.com/?x"})
    back = client.post(save_url(workshop), data | {"next": page_url(workshop, page=2)})

    assert elsewhere.url == page_url(workshop)
    assert back.url == page_url(workshop, page=2)


def test_the_workbench_and_the_contribution_lists_filters_count_the_same_notes(
    organiser, workshop, groups
):
    """What the list calls "not yet triaged" and "not yet reviewed" are, together, the notes the
    workbench has still to triage, whatever mix of states the notes are in."""
    training = Area.objects.get(slug="training")
    group = groups[0]
    ContributionFactory(group=group, reviewed_at=None)  # neither sorted nor reviewed
    ContributionFactory(group=group)  # reviewed as it is, no area
    ContributionFactory(group=group, area=training, reviewed_at=None)  # sorted, not reviewed
    ContributionFactory(group=group, area=training)  # done
    ContributionFactory(
        group=group, hidden_from_public=True, hidden_reason="personal_data", reviewed_at=None
    )  # hidden: dealt with
    ContributionFactory(group=group, reviewed_at=None, removed_at=timezone.now())  # removed
    client = client_for(organiser)

    def listed(**params):
        url = changelist_url(
            Contribution, group__workshop__id__exact=workshop.pk, removed="no", **params
        )
        return {note.pk for note in client.get(url).context["cl"].result_list}

    not_triaged, not_reviewed = listed(triaged="no"), listed(reviewed="no")
    page = client.get(page_url(workshop, size=50))

    assert len(not_triaged) == 2
    assert len(not_reviewed) == 2
    assert page.context["not_triaged"]["count"] == len(not_triaged)
    assert page.context["not_reviewed"]["count"] == len(not_reviewed)
    assert page.context["paginator"].count == len(not_triaged | not_reviewed) == 3
    assert f"{len(not_triaged)} not yet triaged" in page.text


def test_without_review_by_default_the_workbench_counts_notes_sent_online_as_the_list_does(
    organiser, workshop, groups
):
    """A workshop may publish notes without review, but what the public sent online always
    waits for one: the workbench's "not yet reviewed" counts those notes as the list does."""
    workshop.notes_public_after_review = False
    workshop.save(update_fields=["notes_public_after_review"])
    training = Area.objects.get(slug="training")
    online = ContributionFactory(
        group=groups[0], area=training, reviewed_at=None, channel=Contribution.Channel.ONLINE
    )
    ContributionFactory(group=groups[0], area=training, reviewed_at=None)  # in the room: public
    client = client_for(organiser)
    url = changelist_url(
        Contribution, group__workshop__id__exact=workshop.pk, removed="no", reviewed="no"
    )

    listed = {note.pk for note in client.get(url).context["cl"].result_list}
    page = client.get(page_url(workshop, size=50))

    assert listed == {online.pk}
    assert page.context["not_reviewed"]["count"] == 1
    assert [item.note.pk for item in page.context["items"]] == [online.pk]
