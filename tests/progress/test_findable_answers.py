"""Findable answers: the home page leads to "You said, we did", the progress page opens with
contents and a search of everything on it, and every published note can be reached in pages per
area. Nothing hidden, removed or unreviewed is ever found."""

import re

import pytest
from django.core.cache import cache
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.urls import reverse

from actions.services import action_post_update
from progress.selectors import AREA_NOTES_PER_PAGE
from tests.factories import (
    ActionItemFactory,
    ContributionFactory,
    FlipchartGroupFactory,
    ThemeFactory,
    WorkshopFactory,
)
from workshops.charts import bar_chart
from workshops.models import Area, Contribution
from workshops.services import question_answer

pytestmark = pytest.mark.django_db

XSS = '<script>alert("x")</script>'


def search_url(workshop, query=None):
    url = reverse("progress:workshop_search", kwargs={"slug": workshop.slug})
    return url if query is None else f"{url}?q={query}"


def area_url(workshop, area_slug, page=None):
    url = reverse("progress:area_notes", kwargs={"slug": workshop.slug, "area": area_slug})
    return url if page is None else f"{url}?page={page}"


def progress_url(workshop):
    return reverse("progress:workshop_progress", kwargs={"slug": workshop.slug})


def results_html(response) -> str:
    """The page below the search box, where the results are listed."""
    return response.text.split("</form>", 1)[1]


@pytest.fixture
def said(group):
    """A workshop with a note, a theme, an action with an update and an answered question, each
    with a word of its own, and the same words in notes the public must not see."""
    training = Area.objects.get(slug="training")
    theme = ThemeFactory(
        workshop=group.workshop, name="Digital champions", summary="Peers who teach", area=training
    )
    ContributionFactory(group=group, text="Facebook is blocked at work", area=training, theme=theme)
    action = ActionItemFactory(
        workshop=group.workshop, title="Unblock video sites", description="Ask the ICT board"
    )
    action_post_update(action=action, by=None, status="in_progress", note="Firewall rule drafted")
    question = ContributionFactory(
        group=group, text="Can we blog in work time?", kind="question", area=training
    )
    question_answer(question=question, by=None, answer="Yes, up to an hour a week")
    ContributionFactory(group=group, text="Facebook secret hidden", hidden_from_public=True)
    ContributionFactory(group=group, text="Facebook secret removed", removed_at="2012-07-04T14:00Z")
    ContributionFactory(group=group, text="Facebook secret unreviewed", reviewed_at=None)
    other = FlipchartGroupFactory(workshop=WorkshopFactory())
    ContributionFactory(group=other, text="Facebook from another workshop")
    draft = FlipchartGroupFactory(workshop=WorkshopFactory(is_published=False))
    ContributionFactory(group=draft, text="Facebook from a draft")
    return group.workshop


def test_the_home_page_links_each_published_workshop_to_its_progress_page(client, workshop):
    html = client.get(reverse("workshops:workshop_list")).text

    assert f'href="{progress_url(workshop)}"' in html
    assert f'href="{workshop.get_absolute_url()}"' in html


def test_the_progress_page_opens_with_contents_and_a_search_box(client, group):
    ContributionFactory(group=group, area=Area.objects.get(slug="infrastructure"))
    question = ContributionFactory(group=group, kind="question")

    html = client.get(progress_url(group.workshop)).text

    contents = html.split('id="contents-heading"', 1)[1].split("</nav>", 1)[0]
    for anchor in ["#summary", "#area-infrastructure", "#questions", "#download"]:
        assert f'href="{anchor}"' in contents
        assert f'id="{anchor[1:]}"' in html
    assert f'id="question-{question.pk}"' in html
    assert f'action="{search_url(group.workshop)}" method="get"' in html
    assert html.index('id="contents-heading"') < html.index('id="summary"')


def test_search_finds_a_note_a_theme_an_action_and_an_answer(client, said):
    for query, found in [
        ("facebook", "Facebook is blocked at work"),
        ("champions", "Digital champions"),
        ("peers", "Peers who teach"),
        ("video", "Unblock video sites"),
        ("firewall", "Firewall rule drafted"),
        ("hour+a+week", "Yes, up to an hour a week"),
        ("blog", "Can we blog in work time?"),
    ]:
        response = client.get(search_url(said, query))

        assert response.status_code == 200
        assert found in results_html(response), query


def test_search_shows_nothing_hidden_removed_unreviewed_or_from_another_workshop(client, said):
    html = results_html(client.get(search_url(said, "facebook")))

    assert "1 result for" in html
    assert "secret" not in html
    assert "another workshop" not in html
    assert "draft" not in html


def test_every_word_searched_for_must_be_found(client, said):
    html = results_html(client.get(search_url(said, "facebook+firewall")))

    assert "No results for" in html


def test_a_note_found_links_to_its_place_in_its_areas_list(client, group):
    training = Area.objects.get(slug="training")
    notes = ContributionFactory.create_batch(AREA_NOTES_PER_PAGE + 1, group=group, area=training)
    last = notes[-1]
    Contribution.objects.filter(pk=last.pk).update(text="Needle in the haystack")

    html = client.get(search_url(group.workshop, "needle")).text

    assert f'href="{area_url(group.workshop, "training", 2)}#note-{last.pk}"' in html
    assert f'id="note-{last.pk}"' in client.get(area_url(group.workshop, "training", 2)).text


def test_what_is_searched_for_is_shown_as_text(client, group):
    ContributionFactory(group=group, text=f"Note {XSS}")

    html = client.get(search_url(group.workshop, "script")).text

    assert XSS not in html
    assert "&lt;script&gt;" in html
    assert "<script>alert" not in client.get(search_url(group.workshop, XSS)).text


def test_an_empty_or_too_long_search_is_refused_with_a_message(client, workshop):
    assert "Enter words to search for" in client.get(search_url(workshop, "+")).text
    too_long = client.get(search_url(workshop, "x" * 101)).text
    assert "Search must be 100 characters or fewer" in too_long
    assert "Error:" in too_long
    assert "Enter words" not in client.get(search_url(workshop)).text


def test_a_drafts_search_and_notes_are_not_found(client):
    draft = WorkshopFactory(is_published=False)

    assert client.get(search_url(draft, "anything")).status_code == 404
    assert client.get(area_url(draft, "training")).status_code == 404


def test_one_search_is_never_answered_with_anothers_results(client, said):
    cache.clear()
    client.get(progress_url(said))

    first = results_html(client.get(search_url(said, "facebook")))
    second = results_html(client.get(search_url(said, "video")))

    assert "Facebook is blocked" in first
    assert "Unblock video" not in first
    assert "Unblock video" in second
    assert "Facebook is blocked" not in second
    # The cached progress page is the same page whatever its query string: never a search's.
    assert "result for" not in client.get(progress_url(said) + "?q=facebook").text


def fill(workshop, count):
    groups = FlipchartGroupFactory.create_batch(2, workshop=workshop)
    areas = list(Area.objects.all())
    themes = [ThemeFactory(workshop=workshop, area=area, name=f"Theme {area}") for area in areas]
    Contribution.objects.bulk_create(
        Contribution(
            group=groups[n % 2],
            text=f"Note {n} about training",
            area=areas[n % len(areas)],
            theme=themes[n % len(themes)],
            kind=Contribution.Kind.QUESTION if n % 10 == 0 else Contribution.Kind.COMMENT,
            reviewed_at="2026-01-01T10:00Z",
        )
        for n in range(count)
    )
    for n, area in enumerate(areas):
        action = ActionItemFactory(workshop=workshop, area=area, title=f"Training action {n}")
        action_post_update(action=action, by=None, status="in_progress", note="Started training")


def queries(client, url) -> int:
    with CaptureQueriesContext(connection) as captured:
        assert client.get(url).status_code == 200
    return len(captured)


def test_search_makes_the_same_number_of_queries_at_10_and_500_contributions(client):
    small, large = WorkshopFactory(), WorkshopFactory()
    fill(small, 10)
    fill(large, 500)

    assert queries(client, search_url(small, "training")) == queries(
        client, search_url(large, "training")
    )


def test_an_areas_notes_page_makes_the_same_number_of_queries_at_10_and_500(client):
    small, large = WorkshopFactory(), WorkshopFactory()
    fill(small, 10)
    fill(large, 500)

    assert queries(client, area_url(small, "training")) == queries(
        client, area_url(large, "training", 2)
    )


def test_every_area_links_to_all_its_notes(client, group):
    ContributionFactory.create_batch(5, group=group, area=Area.objects.get(slug="training"))
    ContributionFactory(group=group)

    html = client.get(progress_url(group.workshop)).text

    assert f'href="{area_url(group.workshop, "training")}">All 5 notes in Training</a>' in html
    assert (
        f'href="{area_url(group.workshop, "not-yet-sorted")}">All 1 note in Not yet sorted' in html
    )


def test_the_area_pages_list_every_public_note_exactly_once(client, group):
    training = Area.objects.get(slug="training")
    public = ContributionFactory.create_batch(
        2 * AREA_NOTES_PER_PAGE + 7, group=group, area=training
    )
    ContributionFactory(group=group, area=training, text="Hidden one", hidden_from_public=True)
    ContributionFactory(group=group, area=training, text="Waiting one", reviewed_at=None)
    ContributionFactory(group=group, area=Area.objects.get(slug="infrastructure"))

    seen = []
    for page in (1, 2, 3):
        html = client.get(area_url(group.workshop, "training", page)).text
        seen += [int(pk) for pk in re.findall(r'id="note-(\d+)"', html)]
        assert "Hidden one" not in html
        assert "Waiting one" not in html

    assert sorted(seen) == sorted(note.pk for note in public)
    assert len(seen) == len(set(seen))
    assert 'aria-label="Pages of notes"' in html


def test_notes_not_yet_sorted_have_their_own_list(client, group):
    note = ContributionFactory(group=group, text="Not sorted yet")

    html = client.get(area_url(group.workshop, "not-yet-sorted")).text

    assert f'id="note-{note.pk}"' in html
    assert "All notes in Not yet sorted" in html


def test_an_unknown_area_is_not_found(client, workshop):
    assert client.get(area_url(workshop, "no-such-area")).status_code == 404


def test_a_small_count_still_gets_a_bar_that_can_be_seen():
    chart = bar_chart("Contributions per area", "Area", "Contributions", [("A", 1), ("B", 500)])

    assert [row["percent"] for row in chart["rows"]] == [3, 100]
    assert bar_chart("c", "l", "n", [("None", 0), ("A", 1)])["rows"][0]["percent"] == 0
