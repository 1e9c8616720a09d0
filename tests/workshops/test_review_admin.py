"""Review and themes in the admin: the review filter, publishing and hiding selected notes, the
workshop's review setting, the overview's count, and merging themes."""

import re

import pytest
from django.urls import reverse

from tests.conftest import client_for
from tests.factories import (
    ActionItemFactory,
    ContributionFactory,
    FlipchartGroupFactory,
    ThemeFactory,
    UserFactory,
    WorkshopFactory,
)
from workshops.models import Area, Contribution, Theme

pytestmark = pytest.mark.django_db

CHANGELIST = reverse("admin:workshops_contribution_changelist")
HIDE = reverse("admin:workshops_contribution_hide")
THEMES = reverse("admin:workshops_theme_changelist")
MERGE = reverse("admin:workshops_theme_merge")


@pytest.fixture
def workshop():
    return WorkshopFactory(title="Social media guidelines: so what?")


@pytest.fixture
def group(workshop):
    return FlipchartGroupFactory(workshop=workshop, subject="Barriers")


@pytest.fixture
def waiting(group):
    return ContributionFactory.create_batch(3, group=group, reviewed_at=None)


@pytest.fixture
def staff_without_role(db):
    return UserFactory(email="staff@example.gov.uk", is_staff=True)


def run_action(client, url, action, objects, query=""):
    return client.post(
        f"{url}{query}",
        {"action": action, "index": 0, "_selected_action": [o.pk for o in objects]},
    )


def listed(client, query):
    return list(client.get(f"{CHANGELIST}?{query}").context["cl"].queryset)


def test_the_review_filter_lists_what_awaits_review(organiser, workshop, group, waiting):
    reviewed = ContributionFactory(group=group)
    hidden = ContributionFactory(
        group=group,
        reviewed_at=None,
        hidden_from_public=True,
        hidden_reason=Contribution.HiddenReason.OFFENSIVE,
    )
    ContributionFactory(group=group, reviewed_at=None, removed_at="2012-07-05T10:00Z")
    elsewhere = WorkshopFactory(notes_public_after_review=False)
    needs_none = ContributionFactory(
        group=FlipchartGroupFactory(workshop=elsewhere), reviewed_at=None
    )
    client = client_for(organiser)

    not_yet = listed(client, "triaged=all&removed=no&reviewed=no")
    done = listed(client, "triaged=all&removed=no&reviewed=yes")

    assert set(not_yet) == set(waiting) == set(Contribution.objects.awaiting_review())
    assert set(done) == {reviewed, needs_none}
    assert hidden not in not_yet


def test_the_triage_overview_counts_notes_awaiting_review_and_links_to_them(
    organiser, workshop, group, waiting
):
    ContributionFactory(group=group)
    client = client_for(organiser)

    html = client.get(reverse("admin:workshops_workshop_triage", args=[workshop.pk])).text

    link = re.search(
        r'<p id="awaiting-review"><a href="([^"]+)">3 notes not yet reviewed</a>', html
    )
    assert link
    url = link.group(1).replace("&amp;", "&")
    shown = client.get(url).context["cl"].queryset
    assert set(shown) == set(
        Contribution.objects.awaiting_review().filter(group__workshop=workshop)
    )


def test_the_overview_says_when_a_workshop_shows_notes_without_review(organiser, workshop):
    workshop.notes_public_after_review = False
    workshop.save()

    html = (
        client_for(organiser)
        .get(reverse("admin:workshops_workshop_triage", args=[workshop.pk]))
        .text
    )

    assert "appear publicly without review" in html


def test_publishing_selected_notes_as_they_are(organiser, waiting):
    client = client_for(organiser)

    response = run_action(client, CHANGELIST, "publish_selected", waiting[:2], "?reviewed=no")

    assert response.status_code == 302
    assert set(Contribution.objects.awaiting_review()) == {waiting[2]}
    for note in Contribution.objects.filter(pk__in=[waiting[0].pk, waiting[1].pk]):
        assert note.reviewed_by == organiser
        assert note.area is None
    messages = [str(m) for m in client.get(response.url).context["messages"]]
    assert "2 contributions reviewed and published as they are." in messages


def test_publishing_says_hidden_notes_stay_hidden(organiser, group):
    hidden = ContributionFactory(
        group=group,
        reviewed_at=None,
        hidden_from_public=True,
        hidden_reason=Contribution.HiddenReason.DUPLICATE,
    )
    client = client_for(organiser)

    response = run_action(client, CHANGELIST, "publish_selected", [hidden], "?triaged=all")

    messages = [str(m) for m in client.get(response.url).context["messages"]]
    assert "1 hidden contribution stays hidden" in messages[0]
    hidden.refresh_from_db()
    assert hidden.hidden_from_public


def test_hiding_asks_for_a_reason_then_hides_the_notes(organiser, waiting):
    client = client_for(organiser)

    response = run_action(client, CHANGELIST, "hide_selected", waiting[:2], "?reviewed=no")
    assert response.status_code == 302
    assert response.url.startswith(HIDE)
    page = client.get(response.url)
    assert page.status_code == 200
    assert waiting[0].text in page.text
    assert "Choose a reason" in page.text

    refused = client.post(response.url, {"reason": ""})
    assert "Select why the notes are hidden from the public" in refused.text
    assert not Contribution.objects.filter(hidden_from_public=True).exists()

    done = client.post(response.url, {"reason": "personal_data"})
    assert done.status_code == 302
    assert done.url == f"{CHANGELIST}?reviewed=no"
    hidden = Contribution.objects.filter(hidden_from_public=True)
    assert set(hidden) == set(waiting[:2])
    assert {note.hidden_reason for note in hidden} == {"personal_data"}
    assert {note.reviewed_by for note in hidden} == {organiser}


def test_organisers_filter_notes_by_the_reason_they_were_hidden(organiser, group):
    offensive = ContributionFactory(
        group=group, hidden_from_public=True, hidden_reason=Contribution.HiddenReason.OFFENSIVE
    )
    ContributionFactory(
        group=group, hidden_from_public=True, hidden_reason=Contribution.HiddenReason.DUPLICATE
    )
    client = client_for(organiser)

    page = client.get(f"{CHANGELIST}?triaged=all&hidden_reason__exact=offensive")

    assert list(page.context["cl"].queryset) == [offensive]
    assert "By hidden reason" in page.text


def test_showing_hidden_notes_again(organiser, group):
    hidden = ContributionFactory(
        group=group, hidden_from_public=True, hidden_reason=Contribution.HiddenReason.OFF_TOPIC
    )

    run_action(client_for(organiser), CHANGELIST, "unhide_selected", [hidden], "?triaged=all")

    hidden.refresh_from_db()
    assert not hidden.hidden_from_public
    assert hidden.hidden_reason == ""


def test_people_who_are_not_organisers_cannot_hide_or_merge(
    client, facilitator, owner_a, staff_without_role, waiting
):
    theme = ThemeFactory()
    pages = [f"{HIDE}?ids={waiting[0].pk}", f"{MERGE}?ids={theme.pk}"]
    for page in pages:
        assert client.get(page).url.startswith(reverse("admin:login"))
        for user in (facilitator, owner_a, staff_without_role):
            response = client_for(user).post(page, {"reason": "offensive"})
            assert response.status_code == 302
            assert response.url.startswith(reverse("admin:login"))
    assert not Contribution.objects.filter(hidden_from_public=True).exists()


def test_hiding_a_note_in_its_change_form_needs_a_reason(organiser, waiting):
    note = waiting[0]
    url = reverse("admin:workshops_contribution_change", args=[note.pk])
    client = client_for(organiser)
    form = client.get(url).context["adminform"].form
    data = {
        name: value
        for name, value in {**form.initial, "group": note.group_id, "text": note.text}.items()
        if value is not None
    }
    data["hidden_from_public"] = "on"
    data["hidden_reason"] = ""

    refused = client.post(url, data)

    assert refused.status_code == 200
    assert "Select why the note is hidden from the public" in refused.text
    data["hidden_reason"] = "personal_data"
    assert client.post(url, data).status_code == 302
    note.refresh_from_db()
    assert note.hidden_reason == "personal_data"
    assert note.reviewed_by == organiser


def test_the_workshop_admin_shows_the_review_setting(organiser, workshop):
    html = (
        client_for(organiser)
        .get(reverse("admin:workshops_workshop_change", args=[workshop.pk]))
        .text
    )

    assert 'name="notes_public_after_review"' in html
    assert "Notes appear publicly after review" in html


# Merging themes


def test_merging_themes_asks_which_to_keep_then_merges(organiser, workshop, group):
    training = Area.objects.get(slug="training")
    keep = ThemeFactory(workshop=workshop, name="Skills", area=training)
    other = ThemeFactory(workshop=workshop, name="Courses", area=training)
    notes = ContributionFactory.create_batch(2, group=group, theme=other, area=training)
    action = ActionItemFactory(workshop=workshop, area=training, theme=other)
    client = client_for(organiser)

    response = run_action(client, THEMES, "merge_selected", [keep, other])
    assert response.url.startswith(MERGE)
    page = client.get(response.url)
    assert "Keep this theme" in page.text
    assert "areas-differ" not in page.text

    refused = client.post(response.url, {"survivor": ""})
    assert "Choose the theme to keep" in refused.text

    done = client.post(response.url, {"survivor": keep.pk})
    assert done.status_code == 302
    assert list(Theme.objects.all()) == [keep]
    assert set(keep.contributions.all()) == set(notes)
    action.refresh_from_db()
    assert action.theme == keep
    messages = [str(m) for m in client.get(done.url).context["messages"]]
    assert messages == ["Merged “Courses” into “Skills”: 2 contributions moved, and 1 action."]


def test_the_merge_page_warns_when_the_themes_are_in_different_areas(organiser, workshop):
    first = ThemeFactory(workshop=workshop, area=Area.objects.get(slug="training"))
    second = ThemeFactory(workshop=workshop, area=Area.objects.get(slug="infrastructure"))

    html = client_for(organiser).get(f"{MERGE}?ids={first.pk},{second.pk}").text

    assert 'id="areas-differ"' in html


@pytest.mark.parametrize("how", ["one", "two workshops"])
def test_merging_needs_two_themes_of_one_workshop(organiser, workshop, how):
    themes = [ThemeFactory(workshop=workshop)]
    if how == "two workshops":
        themes.append(ThemeFactory(workshop=WorkshopFactory()))
    client = client_for(organiser)

    response = client.get(f"{MERGE}?ids={','.join(str(t.pk) for t in themes)}")

    assert response.status_code == 302
    messages = [str(m) for m in client.get(response.url).context["messages"]]
    assert messages == ["Select two or more themes of one workshop to merge."]
    assert Theme.objects.count() == len(themes)
