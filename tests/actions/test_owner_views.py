import datetime

import pytest
import time_machine
from django.test import Client
from django.urls import reverse

from accounts import roles
from actions import views as actions_views
from actions.models import ActionItem, DueDateChange, Status
from actions.services import (
    action_accept,
    action_post_update,
    action_sources_add,
    due_date_decide,
    due_date_move,
)
from tests.conftest import client_for
from tests.factories import ActionItemFactory, ContributionFactory, UserFactory, WorkshopFactory
from workshops.models import Contribution

pytestmark = pytest.mark.django_db

TODAY = datetime.date(2027, 3, 1)


@pytest.fixture(autouse=True)
def _today():
    with time_machine.travel(datetime.datetime(2027, 3, 1, 10, 0, tzinfo=datetime.UTC), tick=False):
        yield


@pytest.fixture
def action_a(department_a):
    return ActionItemFactory(
        title="Unblock YouTube on work computers",
        owner=department_a,
        due_date=TODAY + datetime.timedelta(days=40),
    )


@pytest.fixture
def accepted_a(action_a, owner_a, department_a):
    deputy = UserFactory(email="deputy.a@example.gov.uk", roles=[roles.OWNERS])
    department_a.members.add(deputy)
    return action_accept(action=action_a, by=owner_a, accountable=owner_a, deputy=deputy)


@pytest.fixture
def action_b(department_b):
    return ActionItemFactory(title="Department B's secret plan", owner=department_b)


def detail_url(action):
    return reverse("actions:action_detail", kwargs={"pk": action.pk})


def list_url(**query):
    return reverse("actions:action_list") + (
        "?" + "&".join(f"{k}={v}" for k, v in query.items()) if query else ""
    )


# Your actions


def test_owners_see_their_organisations_actions_by_status_soonest_first(owner_a, department_a):
    later = ActionItemFactory(title="Later one", owner=department_a, due_date=TODAY.replace(day=20))
    sooner = ActionItemFactory(
        title="Sooner one", owner=department_a, due_date=TODAY.replace(day=5)
    )
    overdue = ActionItemFactory(
        title="Late one",
        owner=department_a,
        due_date=TODAY.replace(day=1) - datetime.timedelta(days=3),
    )
    done = ActionItemFactory(title="Finished one", owner=department_a)
    action_post_update(action=done, by=owner_a, status=Status.DONE, note="Done")
    ActionItemFactory(title="Department B's secret plan")

    html = client_for(owner_a).get(list_url()).text

    assert html.index("Late one") < html.index("Sooner one") < html.index("Later one")
    assert html.index("Later one") < html.index("Done (1)") < html.index("Finished one")
    assert "Not started (3)" in html
    assert "Overdue" in html
    assert "Due in 4 days" in html
    assert "Awaiting acceptance" in html
    assert "secret plan" not in html
    del later, sooner, overdue


def test_actions_can_be_filtered_by_workshop_and_status(owner_a, department_a):
    workshop = WorkshopFactory(title="Skills day")
    ActionItemFactory(title="From skills day", owner=department_a, workshop=workshop)
    ActionItemFactory(title="From elsewhere", owner=department_a)
    blocked = ActionItemFactory(title="Blocked one", owner=department_a, workshop=workshop)
    action_post_update(action=blocked, by=owner_a, status=Status.BLOCKED, note="No budget")
    client = client_for(owner_a)

    html = client.get(list_url(workshop=workshop.pk)).text
    assert "From skills day" in html
    assert "From elsewhere" not in html
    assert f'<option value="{workshop.pk}" selected>Skills day</option>' in html
    assert '<option value="" selected>All</option>' not in html

    html = client.get(list_url(workshop=workshop.pk, status="blocked")).text
    assert "Blocked one" in html
    assert "From skills day" not in html


def test_tampered_filters_are_ignored_rather_than_revealing(owner_a, action_a, action_b):
    html = client_for(owner_a).get(list_url(workshop=action_b.workshop.pk, status="nope")).text
    assert "secret plan" not in html
    assert action_a.title in html


def test_organisers_see_every_organisations_actions(organiser, action_a, action_b):
    html = client_for(organiser).get(list_url()).text
    assert action_a.title in html
    assert "secret plan" in html


def test_facilitators_see_no_actions(facilitator, action_a):
    response = client_for(facilitator).get(list_url())
    assert response.status_code == 200
    assert action_a.title not in response.text


@pytest.mark.parametrize("size", [2, 30])
def test_the_list_costs_the_same_queries_however_many_actions(
    owner_a, department_a, size, django_assert_max_num_queries
):
    ActionItemFactory.create_batch(size, owner=department_a)
    client = client_for(owner_a)
    # Session, user, roles, the workshop filter's options, the totals by status, the page's rows,
    # how the copies cascaded from them are doing, the organisations whose board packs it links.
    with django_assert_max_num_queries(8):
        response = client.get(list_url())
    assert response.text.count("govuk-table__row") == size + 1


@pytest.fixture
def three_a_page(monkeypatch):
    monkeypatch.setattr(actions_views, "ACTIONS_PER_PAGE", 3)


def table_rows(html):
    return html.count('<tr class="govuk-table__row">') - html.count("<thead")


def test_a_long_list_comes_in_pages_that_keep_the_filters(owner_a, department_a, three_a_page):
    for day in range(1, 8):
        ActionItemFactory(
            title=f"Due on day {day}", owner=department_a, due_date=TODAY.replace(day=day)
        )
    blocked = ActionItemFactory(title="Blocked one", owner=department_a)
    action_post_update(action=blocked, by=owner_a, status=Status.BLOCKED, note="No budget")
    client = client_for(owner_a)

    first = client.get(list_url(status="not_started")).text
    assert "Showing 1 to 3 of 7 actions" in first
    assert "Not started (7)" in first
    assert table_rows(first) == 3
    assert "Due on day 1" in first
    assert "Due on day 4" not in first
    assert 'href="?status=not_started&amp;page=2" rel="next"' in first
    assert 'aria-current="page">1</a>' in first

    last = client.get(list_url(status="not_started", page=3)).text
    assert table_rows(last) == 1
    assert "Due on day 7" in last
    assert 'href="?status=not_started&amp;page=2" rel="prev"' in last
    assert 'rel="next"' not in last


@pytest.mark.parametrize("number", ["99", "abc", "-1"])
def test_a_page_out_of_range_shows_a_page_rather_than_an_error(
    owner_a, department_a, three_a_page, number
):
    ActionItemFactory.create_batch(4, owner=department_a)
    response = client_for(owner_a).get(list_url(page=number))
    assert response.status_code == 200
    assert table_rows(response.text) in (1, 3)


def test_the_totals_count_every_page_and_the_groups_follow_status_order(
    owner_a, department_a, three_a_page
):
    ActionItemFactory.create_batch(2, owner=department_a)
    done = ActionItemFactory.create_batch(2, owner=department_a)
    for action in done:
        action_post_update(action=action, by=owner_a, status=Status.DONE, note="Done")
    client = client_for(owner_a)

    first = client.get(list_url()).text
    assert first.index("Not started (2)") < first.index("Done (2)")
    second = client.get(list_url(page=2)).text
    assert "Done (2)" in second
    assert "Not started (2)" not in second
    assert table_rows(second) == 1


def test_a_short_list_has_no_pages(owner_a, department_a):
    ActionItemFactory.create_batch(3, owner=department_a)
    html = client_for(owner_a).get(list_url()).text
    assert "govuk-pagination" not in html
    assert "Showing" not in html


# The action page


def test_the_action_page_shows_what_was_said_and_the_history(owner_a, action_a):
    contribution = ContributionFactory(text="Can't watch our own videos at work")
    action_a.sources.create(contribution=contribution)
    action_post_update(action=action_a, by=owner_a, status=Status.IN_PROGRESS, note="Asked IT")

    html = client_for(owner_a).get(detail_url(action_a)).text

    assert "Unblock YouTube on work computers" in html
    assert "Can&#x27;t watch our own videos at work" in html
    assert "Infrastructure" in html
    assert "Asked IT" in html
    assert "awaiting acceptance by Department A" in html


@pytest.mark.parametrize("persona", ["owner_b", "facilitator"])
def test_other_people_cannot_see_or_update_an_action(request, persona, action_a):
    client = client_for(request.getfixturevalue(persona))
    assert client.get(detail_url(action_a)).status_code == 404
    response = client.post(detail_url(action_a), {"status": "done", "note": "Hijacked"})
    assert response.status_code == 404
    assert not action_a.updates.exists()


def test_an_unknown_action_looks_the_same_as_another_organisations(owner_a, action_b):
    client = client_for(owner_a)
    assert client.get(detail_url(action_b)).status_code == 404
    assert client.get(reverse("actions:action_detail", kwargs={"pk": 999999})).status_code == 404


def test_an_owner_posts_an_update_and_sees_it_in_the_history(owner_a, action_a):
    client = client_for(owner_a)
    response = client.post(
        detail_url(action_a), {"status": "in_progress", "note": "Spoke to the ICT team"}
    )
    assert response.status_code == 302
    action_a.refresh_from_db()
    assert action_a.status == Status.IN_PROGRESS
    page = client.get(response.url).text
    assert "Update posted" in page
    assert "Spoke to the ICT team" in page


def test_organisers_can_update_any_action(organiser, action_b):
    response = client_for(organiser).post(detail_url(action_b), {"status": "in_progress"})
    assert response.status_code == 302
    action_b.refresh_from_db()
    assert action_b.status == Status.IN_PROGRESS


@pytest.mark.parametrize("status", ["done", "blocked", "wont_do"])
def test_some_statuses_need_a_note(owner_a, action_a, status):
    response = client_for(owner_a).post(detail_url(action_a), {"status": status, "note": "  "})
    assert response.status_code == 200
    assert "There is a problem" in response.text
    assert "Enter a note" in response.text
    assert not action_a.updates.exists()


def test_a_tampered_status_is_refused_and_the_note_kept(owner_a, action_a):
    response = client_for(owner_a).post(
        detail_url(action_a), {"status": "finished!", "note": "My carefully typed note"}
    )
    assert "Select a status" in response.text
    assert "My carefully typed note" in response.text
    assert not action_a.updates.exists()


def test_a_new_due_date_needs_a_reason_and_must_be_in_the_future(owner_a, accepted_a):
    client = client_for(owner_a)
    response = client.post(
        detail_url(accepted_a),
        {"status": "in_progress", "note": "Typed text", "new_due_date": "1 2 2027"},
    )
    assert "Due date must be in the future" in response.text
    assert "Typed text" in response.text

    response = client.post(
        detail_url(accepted_a), {"status": "in_progress", "new_due_date": "31 5 2027"}
    )
    assert "Enter a reason for the new date" in response.text

    response = client.post(
        detail_url(accepted_a), {"status": "in_progress", "new_due_date": "31 13 2027"}
    )
    assert "New due date must be a real date, like 31 3 2027" in response.text
    assert "(optional) must" not in response.text
    assert not accepted_a.updates.exists()
    assert not accepted_a.due_date_changes.exists()


def test_approved_dates_keep_the_original_and_count_the_moves(owner_a, organiser, accepted_a):
    client = client_for(owner_a)
    original = accepted_a.due_date
    for new_date, reason in [("30 6 2027", "Waiting for a contract"), ("31 7 2027", "Delayed")]:
        response = client.post(
            detail_url(accepted_a),
            {"status": "in_progress", "new_due_date": new_date, "reason": reason},
        )
        assert response.status_code == 302
        due_date_decide(
            proposal=accepted_a.due_date_changes.get(state=DueDateChange.State.PROPOSED),
            by=organiser,
            approve=True,
        )

    accepted_a.refresh_from_db()
    assert accepted_a.due_date == datetime.date(2027, 7, 31)
    changes = list(accepted_a.due_date_changes.all())
    assert [(c.old_date, c.new_date, c.by, c.reason) for c in changes] == [
        (original, datetime.date(2027, 6, 30), owner_a, "Waiting for a contract"),
        (datetime.date(2027, 6, 30), datetime.date(2027, 7, 31), owner_a, "Delayed"),
    ]
    assert {c.state for c in changes} == {DueDateChange.State.APPROVED}
    html = client.get(detail_url(accepted_a)).text
    assert f"Originally {original:%-d %B %Y}; moved 2 times" in html
    assert "proposed moving the due date from 30 June 2027 to 31 July 2027. Reason: Delayed" in html
    assert f"Approved by {organiser.get_full_name()}" in html


def test_cascaded_actions_link_only_to_what_the_viewer_may_see(
    owner_a, owner_b, action_a, department_b
):
    """Issue 18: the owner of a cascaded action now sees each department's copy; a department
    sees its own copy and the parent, and no other department's copy."""
    child = ActionItemFactory(
        parent=action_a, owner=department_b, workshop=action_a.workshop, title="Child"
    )
    sibling = ActionItemFactory(parent=action_a, workshop=action_a.workshop, title="Sibling")
    assert child.get_absolute_url() in client_for(owner_a).get(detail_url(action_a)).text
    department_html = client_for(owner_b).get(detail_url(action_a)).text
    assert child.get_absolute_url() in department_html
    assert sibling.get_absolute_url() not in department_html
    assert client_for(owner_b).get(detail_url(sibling)).status_code == 404
    organiser_html = client_for(UserFactory(email="boss@example.gov.uk", is_superuser=True)).get(
        detail_url(action_a)
    )
    assert child.get_absolute_url() in organiser_html.text
    assert sibling.get_absolute_url() in organiser_html.text
    assert ActionItem.objects.count() == 3


# Who may open each owner page


def owner_urls(action, proposal):
    return {
        "list": reverse("actions:action_list"),
        "detail": detail_url(action),
        "accept": reverse("actions:action_accept", kwargs={"pk": action.pk}),
        "decide": reverse(
            "actions:duedatechange_decide", kwargs={"pk": action.pk, "change_pk": proposal.pk}
        ),
    }


@pytest.mark.parametrize(
    ("persona", "expected"),
    [
        ("anonymous", {"list": 302, "detail": 302, "accept": 302, "decide": 302}),
        ("facilitator", {"list": 200, "detail": 404, "accept": 404, "decide": 404}),
        ("owner_b", {"list": 200, "detail": 404, "accept": 404, "decide": 404}),
        ("owner_a", {"list": 200, "detail": 200, "accept": 200, "decide": 404}),
        ("organiser", {"list": 200, "detail": 200, "accept": 403, "decide": 200}),
    ],
)
def test_each_owner_page_answers_each_role(request, persona, expected, action_a, owner_a):
    proposal = DueDateChange.objects.create(
        action=action_a,
        old_date=action_a.due_date,
        new_date=action_a.due_date + datetime.timedelta(days=30),
        reason="Budget",
        state=DueDateChange.State.PROPOSED,
        by=owner_a,
    )
    client = Client() if persona == "anonymous" else client_for(request.getfixturevalue(persona))
    urls = owner_urls(action_a, proposal)
    assert {name: client.get(url).status_code for name, url in urls.items()} == expected


@pytest.mark.parametrize("updates", [1, 30])
def test_the_action_page_costs_the_same_queries_however_long_its_history(
    owner_a, organiser, action_a, updates, django_assert_num_queries
):
    questions = ContributionFactory.create_batch(
        updates, group__workshop=action_a.workshop, kind=Contribution.Kind.QUESTION
    )
    action_sources_add(action=action_a, contributions=questions, by=organiser)
    for n in range(updates):
        action_post_update(
            action=action_a, by=owner_a, status=Status.IN_PROGRESS, note=f"Update {n}"
        )
        due_date_move(
            action=action_a,
            by=organiser,
            new_date=action_a.due_date + datetime.timedelta(days=1),
            reason="Slipped",
        )
    client = client_for(owner_a)
    client.get(list_url())
    # Session, user, roles, the action, the waiting proposal, history (date changes, updates),
    # sources, children, membership, questions routed to it.
    with django_assert_num_queries(11):
        response = client.get(detail_url(action_a))
    assert response.text.count("app-history__entry") == 2 * updates + 1
    assert response.text.count("app-routed-question") == updates
