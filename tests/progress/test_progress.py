import datetime
import re

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.urls import reverse
from django.utils.http import int_to_base36

from actions.services import action_create, action_post_update, due_date_move
from tests.factories import (
    ActionItemFactory,
    ContributionFactory,
    FlipchartGroupFactory,
    ThemeFactory,
    WorkshopFactory,
)
from workshops.models import Area, Contribution

pytestmark = pytest.mark.django_db

XSS = '<script>alert("x")</script>'


def progress_url(workshop):
    return reverse("progress:workshop_progress", kwargs={"slug": workshop.slug})


def test_anyone_can_read_a_published_workshops_progress_without_signing_in(client, group):
    infrastructure = Area.objects.get(slug="infrastructure")
    ContributionFactory(group=group, text="Facebook is blocked at work", area=infrastructure)

    response = client.get(progress_url(group.workshop))

    assert response.status_code == 200
    assert "Facebook is blocked at work" in response.text
    assert "40 people attended" in response.text


def test_an_unpublished_workshop_is_not_found(client):
    draft = WorkshopFactory(is_published=False)

    assert client.get(progress_url(draft)).status_code == 404


def test_hidden_and_removed_contributions_never_appear(client, group):
    ContributionFactory(group=group, text="A name that must stay private", hidden_from_public=True)
    ContributionFactory(group=group, text="A note typed by mistake", removed_at="2012-07-04T14:00Z")
    ContributionFactory(group=group, text="Visible note")

    html = client.get(progress_url(group.workshop)).text

    assert "Visible note" in html
    assert "A name that must stay private" not in html
    assert "A note typed by mistake" not in html


def test_html_in_what_people_wrote_is_shown_as_text(client, group):
    ContributionFactory(group=group, text=XSS)

    html = client.get(progress_url(group.workshop)).text

    assert XSS not in html
    assert "&lt;script&gt;" in html


def test_themes_show_how_many_contributions_and_from_which_groups(client, group, workshop):
    other = FlipchartGroupFactory(workshop=workshop, subject="Skills and tools")
    area = Area.objects.get(slug="training")
    theme = ThemeFactory(workshop=workshop, name="Not enough training", area=area)
    ContributionFactory.create_batch(2, group=group, theme=theme, area=area)
    ContributionFactory(group=other, theme=theme, area=area)
    ContributionFactory(group=other, theme=theme, area=area, hidden_from_public=True)

    html = client.get(progress_url(workshop)).text

    assert (
        "<strong>Not enough training</strong>: 3 contributions from "
        "Barriers to using social media, Skills and tools"
    ) in html


def test_actions_show_owner_due_date_status_and_latest_update(client, workshop, organiser):
    action = action_create(
        workshop=workshop,
        area=Area.objects.get(slug="infrastructure"),
        title="Unblock social media sites",
        due_date=datetime.date(2012, 10, 4),
    )
    action_post_update(action=action, by=organiser, status="in_progress", note="Asked IT")

    html = client.get(progress_url(workshop)).text

    assert "Unblock social media sites" in html
    assert "ICT Strategy Board" in html
    assert "Due 4 October 2012" in html
    assert "In progress" in html
    assert "Asked IT" in html
    assert "1 action: 0 done, 1 in progress, 0 not started" in html


def test_a_due_date_that_slipped_shows_the_first_date_the_new_one_and_why(
    client, workshop, organiser
):
    action = action_create(
        workshop=workshop,
        area=Area.objects.get(slug="infrastructure"),
        title="Unblock social media sites",
        due_date=datetime.date(2012, 10, 4),
    )
    due_date_move(
        action=action,
        by=organiser,
        new_date=datetime.date(2012, 12, 14),
        reason="Waiting for the new firewall",
    )

    html = client.get(progress_url(workshop)).text

    assert "Due 14 December 2012 (first promised for 4 October 2012)" in html
    assert "moved to 14 December 2012: Waiting for the new firewall" in html


def test_overdue_actions_are_counted_in_the_summary(client, workshop):
    ActionItemFactory(workshop=workshop, due_date=datetime.date(2012, 10, 4))

    html = client.get(progress_url(workshop)).text

    assert "<strong>1 overdue.</strong>" in html
    assert "Overdue</strong>" in html


def test_charts_have_a_table_of_their_numbers(client, group):
    ContributionFactory.create_batch(3, group=group, area=Area.objects.get(slug="training"))

    html = client.get(progress_url(group.workshop)).text

    assert "Contributions per area</caption>" in html
    assert "Actions per status</caption>" in html
    assert 'width="100%"' in html


def fill(workshop, count):
    groups = FlipchartGroupFactory.create_batch(4, workshop=workshop)
    areas = list(Area.objects.all())
    themes = [ThemeFactory(workshop=workshop, area=area) for area in areas]
    Contribution.objects.bulk_create(
        Contribution(
            group=groups[n % 4],
            text=f"Note {n}",
            area=areas[n % len(areas)],
            theme=themes[n % len(themes)],
            kind=Contribution.Kind.QUESTION if n % 10 == 0 else Contribution.Kind.COMMENT,
        )
        for n in range(count)
    )
    for n, area in enumerate(areas):
        action = ActionItemFactory(workshop=workshop, area=area, title=f"Action {n}")
        action_post_update(action=action, by=None, status="in_progress", note="Started")


def progress_queries(client, workshop) -> int:
    with CaptureQueriesContext(connection) as queries:
        assert client.get(progress_url(workshop)).status_code == 200
    return len(queries)


def test_the_progress_page_makes_the_same_number_of_queries_at_10_and_500_contributions(client):
    small, large = WorkshopFactory(), WorkshopFactory()
    fill(small, 10)
    fill(large, 500)

    assert progress_queries(client, small) == progress_queries(client, large)


def test_the_short_link_leads_to_the_progress_page(client, workshop):
    html = client.get(progress_url(workshop)).text
    short = re.search(r'Short link: <a class="govuk-link" href="http://testserver(/w/\w+/)"', html)

    response = client.get(short.group(1))

    assert response.status_code == 302
    assert response.url == progress_url(workshop)


@pytest.mark.parametrize("code", ["zz", "not-a-code!"])
def test_an_unknown_short_link_is_not_found(client, code):
    assert client.get(f"/w/{code}/").status_code == 404


def test_a_drafts_short_link_and_qr_code_are_not_found(client):
    draft = WorkshopFactory(is_published=False)

    assert client.get(f"/w/{int_to_base36(draft.pk)}/").status_code == 404
    assert (
        client.get(reverse("progress:workshop_qr", kwargs={"slug": draft.slug})).status_code == 404
    )


def test_the_qr_code_is_an_svg_of_the_short_link(client, workshop):
    response = client.get(reverse("progress:workshop_qr", kwargs={"slug": workshop.slug}))

    assert response["Content-Type"] == "image/svg+xml"
    assert response.content.startswith(b"<svg")
    assert (
        f"QR code for http://testserver/w/{int_to_base36(workshop.pk)}/".encode()
        in response.content
    )


def test_the_notes_shared_most_widely_represent_an_area(client, group):
    training = Area.objects.get(slug="training")
    ContributionFactory.create_batch(3, group=group, area=training, text="Said by one person")
    ContributionFactory(
        group=group, area=training, text="Said by almost everyone", reach="almost_everyone"
    )

    html = client.get(progress_url(group.workshop)).text

    assert html.index("Said by almost everyone") < html.index("Said by one person")
    assert html.count("Said by one person") == 2
