"""Triage staff turn contributions into owned actions, cascade them and follow them in the admin."""

import datetime
from urllib.parse import parse_qs, urlsplit

import pytest
from django.urls import reverse
from django.utils import timezone
from django.utils.html import escape

from actions.models import ActionItem, Organisation, Status, StatusUpdate
from actions.services import action_cascade, action_post_update
from tests.admin_pages import change_form_data
from tests.conftest import client_for
from tests.factories import (
    ActionItemFactory,
    ContributionFactory,
    FlipchartGroupFactory,
    OrganisationFactory,
    ThemeFactory,
    WorkshopFactory,
)
from workshops.models import Area, Contribution

pytestmark = pytest.mark.django_db

CONTRIBUTIONS = reverse("admin:workshops_contribution_changelist")
ACTIONS = reverse("admin:actions_actionitem_changelist")
CREATE = reverse("admin:actions_actionitem_from_contributions")


@pytest.fixture
def workshop():
    return WorkshopFactory(date=datetime.date(2012, 7, 4))


@pytest.fixture
def group(workshop):
    return FlipchartGroupFactory(workshop=workshop, subject="Skills and tools")


@pytest.fixture
def training_notes(group):
    training = Area.objects.get(slug="training")
    return [
        ContributionFactory(group=group, area=training, text="Need central training"),
        ContributionFactory(group=group, area=training, text="Digital champions for 1-2-1 help"),
    ]


def create_url(contributions):
    return f"{CREATE}?ids={','.join(str(c.pk) for c in contributions)}"


def action_data(**changes):
    return {
        "title": "Set up digital champions",
        "description": "",
        "area": Area.objects.get(slug="training").pk,
        "owner": "",
        "due_date": "04/10/2012",
        **changes,
    }


# Create an action


def test_create_action_opens_a_page_for_the_selected_contributions(organiser, training_notes):
    response = client_for(organiser).post(
        f"{CONTRIBUTIONS}?triaged=yes",
        {
            "action": "create_action",
            "index": 0,
            "_selected_action": [c.pk for c in training_notes],
        },
    )
    assert response.status_code == 302
    target = urlsplit(response.url)
    assert target.path == CREATE
    assert parse_qs(target.query)["_changelist_filters"] == ["triaged=yes"]


def test_the_action_form_is_prefilled_from_the_contributions(organiser, training_notes):
    response = client_for(organiser).get(create_url(training_notes))

    assert response.status_code == 200
    form = response.context["form"]
    assert form.initial["title"] == "Need central training"
    assert form.initial["area"].slug == "training"
    assert form.initial["owner"].name == "Civil Service Learning"
    assert form.initial["due_date"] == datetime.date(2012, 10, 4)
    assert "Digital champions for 1-2-1 help" in response.text


def test_the_area_is_left_to_choose_when_the_contributions_disagree(organiser, group):
    notes = [
        ContributionFactory(group=group, area=Area.objects.get(slug="training")),
        ContributionFactory(group=group, area=Area.objects.get(slug="infrastructure")),
    ]
    form = client_for(organiser).get(create_url(notes)).context["form"]
    assert form.initial["area"] is None
    assert form.initial["owner"] is None


def test_creating_the_action_links_its_sources_and_defaults_the_owner(organiser, training_notes):
    client = client_for(organiser)
    response = client.post(create_url(training_notes), action_data())

    action = ActionItem.objects.get()
    assert response.status_code == 302
    assert response.url == reverse("admin:actions_actionitem_change", args=[action.pk])
    assert action.owner.name == "Civil Service Learning"
    assert action.due_date == datetime.date(2012, 10, 4)
    assert action.created_by == organiser
    assert set(action.source_contributions.all()) == set(training_notes)
    assert set(training_notes[0].actions.all()) == {action}
    page = client.get(response.url)
    assert "owned by Civil Service Learning, due 4 October 2012" in page.text


def test_an_action_can_be_created_from_a_theme(organiser, workshop, training_notes):
    theme = ThemeFactory(
        workshop=workshop, name="Digital champions", area=Area.objects.get(slug="training")
    )
    Contribution.objects.update(theme=theme)
    client = client_for(organiser)
    url = f"{CREATE}?theme={theme.pk}"
    assert client.get(url).context["form"].initial["title"] == "Digital champions"

    client.post(url, action_data(title="Digital champions network"))

    action = ActionItem.objects.get()
    assert action.theme == theme
    assert set(action.source_contributions.all()) == set(training_notes)


@pytest.mark.parametrize(
    ("changes", "message"),
    [
        ({"due_date": "03/07/2012"}, "The due date must be on or after the workshop, 4 July 2012"),
        ({"due_date": "31/02/2012"}, "Enter a real date"),
        ({"title": ""}, "Enter a title"),
        ({"area": ""}, "Select an area"),
    ],
)
def test_the_action_form_shows_errors_and_keeps_the_input(
    organiser, training_notes, changes, message
):
    response = client_for(organiser).post(
        create_url(training_notes), action_data(description="Keep me", **changes)
    )
    assert response.status_code == 200
    assert message in response.text
    assert "Keep me" in response.text
    assert not ActionItem.objects.exists()


def test_an_area_without_a_default_owner_needs_an_owner(organiser, training_notes):
    other = Area.objects.create(name="Other", slug="other")
    response = client_for(organiser).post(create_url(training_notes), action_data(area=other.pk))
    assert "Select an owner: Other has no default owner" in response.text
    assert not ActionItem.objects.exists()


def test_creating_an_action_without_contributions_is_refused(organiser):
    response = client_for(organiser).get(CREATE, follow=True)
    assert response.redirect_chain[0][0] == CONTRIBUTIONS
    assert "Select the contributions the action comes from first." in response.text


def test_contributions_from_two_workshops_make_no_action(organiser, training_notes):
    other = ContributionFactory()
    client = client_for(organiser)
    url = create_url([*training_notes, other])
    assert "come from more than one workshop" in client.get(url, follow=True).text
    response = client.post(url, action_data(), follow=True)
    assert "come from more than one workshop" in response.text
    assert not ActionItem.objects.exists()


# Actions are made only through action_create


def test_the_plain_add_form_sends_you_to_create_an_action_from_notes(organiser, workshop):
    client = client_for(organiser)
    add = reverse("admin:actions_actionitem_add")

    assert client.get(add).url == CREATE
    response = client.post(
        add,
        {
            "title": "Made without its notes",
            "workshop": workshop.pk,
            "area": Area.objects.get(slug="training").pk,
            "owner": Organisation.objects.first().pk,
            "due_date": "2012-10-04",
        },
    )

    assert response.url == CREATE
    assert not ActionItem.objects.exists()
    listing = client.get(ACTIONS).text
    assert f'href="{add}"' in listing


def test_linking_a_question_as_a_source_in_the_admin_routes_it(organiser, group):
    action = ActionItemFactory(workshop=group.workshop)
    question = ContributionFactory(
        group=group, kind=Contribution.Kind.QUESTION, text="Who decides what is blocked?"
    )
    url = reverse("admin:actions_actionitem_change", args=[action.pk])
    client = client_for(organiser)
    data = change_form_data(client.get(url))
    data.update({"sources-TOTAL_FORMS": 1, "sources-0-contribution": question.pk})

    response = client.post(url, data)

    assert response.status_code == 302, response.context["errors"]
    assert list(action.source_contributions.all()) == [question]
    question.refresh_from_db()
    assert question.closure == Contribution.Closure.ROUTED
    assert question.closed_by == organiser


def test_a_source_from_another_workshop_is_refused_in_the_admin(organiser, group):
    action = ActionItemFactory(workshop=group.workshop)
    elsewhere = ContributionFactory()
    url = reverse("admin:actions_actionitem_change", args=[action.pk])
    client = client_for(organiser)
    data = change_form_data(client.get(url))
    data.update({"sources-TOTAL_FORMS": 1, "sources-0-contribution": elsewhere.pk})

    response = client.post(url, data)

    assert response.status_code == 200
    assert "must come from its workshop" in response.text
    assert not action.sources.exists()


# Cascade


def cascade_url(action):
    return reverse("admin:actions_actionitem_cascade", args=[action.pk])


def test_cascade_is_offered_for_one_selected_action(organiser):
    actions = ActionItemFactory.create_batch(2)
    client = client_for(organiser)

    one = client.post(
        ACTIONS, {"action": "cascade", "index": 0, "_selected_action": [actions[0].pk]}
    )
    assert one.url == cascade_url(actions[0])

    two = client.post(
        ACTIONS,
        {"action": "cascade", "index": 0, "_selected_action": [a.pk for a in actions]},
        follow=True,
    )
    assert "Select one action to cascade." in two.text


def test_cascading_creates_a_copy_for_each_chosen_department(organiser):
    parent = ActionItemFactory(title="Managers use social media visibly")
    departments = OrganisationFactory.create_batch(3, kind=Organisation.Kind.DEPARTMENT)
    client = client_for(organiser)
    page = client.get(cascade_url(parent))
    assert set(page.context["form"].fields["owners"].queryset) == set(departments)

    response = client.post(cascade_url(parent), {"owners": [d.pk for d in departments[:2]]})

    assert response.url == reverse("admin:actions_actionitem_change", args=[parent.pk])
    assert {c.owner for c in parent.children.all()} == set(departments[:2])
    again = client.get(cascade_url(parent))
    assert list(again.context["form"].fields["owners"].queryset) == [departments[2]]


def test_cascading_to_no_department_is_an_error(organiser):
    parent = ActionItemFactory()
    OrganisationFactory(kind=Organisation.Kind.DEPARTMENT)
    response = client_for(organiser).post(cascade_url(parent), {})
    assert response.status_code == 200
    assert "Select at least one department" in response.text
    assert not parent.children.exists()


def test_a_departments_copy_is_not_cascaded_again_from_the_admin(organiser):
    parent = ActionItemFactory()
    department, other = OrganisationFactory.create_batch(2, kind=Organisation.Kind.DEPARTMENT)
    (copy,) = action_cascade(action=parent, owners=[department], by=organiser)
    client = client_for(organiser)
    response = client.post(cascade_url(copy), {"owners": [other.pk]}, follow=True)
    assert response.status_code == 200
    assert "cannot be cascaded again" in response.text
    assert not copy.children.exists()


def test_the_parent_shows_how_many_departments_reported(organiser):
    parent = ActionItemFactory()
    children = action_cascade(
        action=parent,
        owners=OrganisationFactory.create_batch(12, kind=Organisation.Kind.DEPARTMENT),
        by=organiser,
    )
    for child in children[:3]:
        action_post_update(action=child, by=organiser, status=Status.DONE)
    for child in children[3:7]:
        action_post_update(action=child, by=organiser, status=Status.IN_PROGRESS)
    client = client_for(organiser)

    change = client.get(reverse("admin:actions_actionitem_change", args=[parent.pk]))
    listing = client.get(ACTIONS)

    assert "7 of 12 departments have reported; 3 done" in change.text
    assert "7 of 12 departments have reported; 3 done" in listing.text


# The action list and change page


def test_the_action_list_shows_the_latest_update_and_its_date(organiser):
    action = ActionItemFactory()
    action_post_update(
        action=action,
        by=organiser,
        status=Status.IN_PROGRESS,
        note="Started",
        at=timezone.make_aware(datetime.datetime(2012, 8, 1, 10)),
    )
    action_post_update(
        action=action,
        by=organiser,
        status=Status.BLOCKED,
        note="Waiting for budget",
        at=timezone.make_aware(datetime.datetime(2012, 9, 1, 10)),
    )
    response = client_for(organiser).get(ACTIONS)
    row = response.context["cl"].result_list[0]
    assert row.latest_update_note == "Waiting for budget"
    assert "Waiting for budget" in response.text
    assert "1 September 2012 at 10:00" in response.text


@pytest.mark.parametrize(
    ("due", "expected"),
    [("overdue", {"late"}), ("soon", {"soon"})],
)
def test_the_action_list_filters_overdue_and_due_soon(organiser, due, expected):
    today = timezone.localdate()
    ActionItemFactory(title="late", due_date=today - datetime.timedelta(days=1))
    ActionItemFactory(title="soon", due_date=today + datetime.timedelta(days=30))
    ActionItemFactory(title="later", due_date=today + datetime.timedelta(days=31))
    finished = ActionItemFactory(title="done", due_date=today - datetime.timedelta(days=3))
    action_post_update(action=finished, by=organiser, status=Status.DONE)

    response = client_for(organiser).get(f"{ACTIONS}?due={due}")

    assert {a.title for a in response.context["cl"].result_list} == expected


def test_staff_post_a_status_update_from_the_action_page(organiser):
    action = ActionItemFactory(title="Unblock YouTube")
    action_post_update(action=action, by=organiser, status=Status.IN_PROGRESS, note="Started")
    url = reverse("admin:actions_actionitem_change", args=[action.pk])
    client = client_for(organiser)
    data = change_form_data(client.get(url))
    data["updates-2-TOTAL_FORMS"] = 1
    data["updates-2-0-status"] = Status.DONE
    data["updates-2-0-note"] = "Unblocked in all departments"
    data["updates-2-0-action"] = action.pk

    response = client.post(url, data)

    assert response.status_code == 302, response.context["errors"]
    action.refresh_from_db()
    assert action.status == Status.DONE
    latest = action.updates.latest()
    assert (latest.note, latest.author) == ("Unblocked in all departments", organiser)
    history = client.get(reverse("admin:actions_actionitem_history", args=[action.pk]))
    assert "Done" in history.text


def test_the_action_history_shows_status_changes_and_who_made_them(organiser):
    action = ActionItemFactory()
    action._history_user = organiser
    action.save()
    action_post_update(action=action, by=organiser, status=Status.BLOCKED)

    response = client_for(organiser).get(
        reverse("admin:actions_actionitem_history", args=[action.pk])
    )

    assert response.status_code == 200
    assert "Not started" in response.text
    assert "Blocked" in response.text
    assert escape(str(organiser)) in response.text  # names such as O'Brien are escaped


# Query counts


def make_actions(size, author):
    workshop = WorkshopFactory()
    owners = OrganisationFactory.create_batch(3)
    training = Area.objects.get(slug="training")
    created = ActionItem.objects.bulk_create(
        ActionItem(
            workshop=workshop,
            area=training,
            owner=owners[i % 3],
            title=f"Action {i}",
            due_date=timezone.localdate() + datetime.timedelta(days=i % 60),
        )
        for i in range(size)
    )
    StatusUpdate.objects.bulk_create(
        StatusUpdate(action=action, author=author, status=Status.IN_PROGRESS, note="Started")
        for action in created
    )
    action_cascade(action=created[0], owners=OrganisationFactory.create_batch(2), by=author)


# Session, user, 2 for permissions, owners, areas and workshops for their filters, count, rows and
# the date hierarchy's range and years.
ACTION_LIST_QUERIES = 13


@pytest.mark.parametrize("query", ["", "?due=soon"])
def test_the_action_list_issues_the_same_queries_for_100_and_2000_actions(
    organiser, query, django_assert_num_queries
):
    client = client_for(organiser)
    make_actions(100, organiser)
    with django_assert_num_queries(ACTION_LIST_QUERIES):
        response = client.get(ACTIONS + query)
    assert response.status_code == 200

    make_actions(1898, organiser)
    assert ActionItem.objects.count() == 2002
    with django_assert_num_queries(ACTION_LIST_QUERIES):
        response = client.get(ACTIONS + query)
    assert len(response.context["cl"].result_list) == 100


# Who may


def test_people_who_are_not_organisers_cannot_create_or_cascade_actions(
    client, facilitator, owner_a, staff_without_role, training_notes
):
    action = ActionItemFactory()
    for page in [create_url(training_notes), cascade_url(action)]:
        response = client.get(page)
        assert response.url.startswith(reverse("admin:login"))
        for user in (facilitator, owner_a, staff_without_role):
            response = client_for(user).get(page)
            assert response.status_code == 302
            assert response.url.startswith(reverse("admin:login"))
        response = client_for(staff_without_role).post(page, action_data())
        assert response.url.startswith(reverse("admin:login"))
    assert not ActionItem.objects.exclude(pk=action.pk).exists()


def test_cascaded_copies_are_listed_with_a_heading_for_every_column_and_a_link(organiser):
    parent = ActionItemFactory()
    (child,) = action_cascade(
        action=parent,
        owners=[OrganisationFactory(kind=Organisation.Kind.DEPARTMENT)],
        by=organiser,
    )

    html = (
        client_for(organiser).get(reverse("admin:actions_actionitem_change", args=[parent.pk])).text
    )

    assert "<th></th>" not in html
    assert '<th class="original"></th>' not in html
    assert f'href="{reverse("admin:actions_actionitem_change", args=[child.pk])}"' in html
