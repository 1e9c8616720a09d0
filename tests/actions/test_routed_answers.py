"""Owners answer, on their action's page, the questions routed to it: published once an
organiser reviews the answer, or at once for an organisation trusted to publish its own; the
asker is told either way."""

import pytest
from django.core import mail
from django.urls import reverse

from actions.services import action_sources_add
from tests.conftest import client_for
from tests.factories import ActionItemFactory, ContributionFactory, FlipchartGroupFactory
from workshops.models import Asker, Contribution
from workshops.services import asker_confirm

pytestmark = pytest.mark.django_db


@pytest.fixture
def routed(department_a, organiser):
    """A question asked online with a confirmed address, routed to department A's action."""
    group = FlipchartGroupFactory()
    action = ActionItemFactory(workshop=group.workshop, owner=department_a)
    question = ContributionFactory(
        group=group,
        kind=Contribution.Kind.QUESTION,
        channel=Contribution.Channel.ONLINE,
        text="Will the <b>guidance</b> be updated?",
    )
    asker_confirm(question=question, email="asker@example.com")
    action_sources_add(action=action, contributions=[question], by=organiser)
    question.refresh_from_db()
    return action, question


def answer_url(action, question):
    return reverse("actions:question_answer", kwargs={"pk": action.pk, "question_pk": question.pk})


def told(address="asker@example.com"):
    return [message for message in mail.outbox if message.to == [address]]


def test_routing_tells_the_asker_once(routed):
    action, question = routed

    assert question.closure == Contribution.Closure.ROUTED
    assert len(told()) == 1
    assert action.title in told()[0].body


def test_an_owner_sees_the_routed_question_on_the_action_page_and_answers_it(
    routed, owner_a, organiser
):
    action, question = routed
    page = client_for(owner_a).get(action.get_absolute_url())
    assert "Questions routed to this action" in page.text
    assert "Will the &lt;b&gt;guidance&lt;/b&gt; be updated?" in page.text
    assert f'action="{answer_url(action, question)}"' in page.text

    response = client_for(owner_a).post(
        answer_url(action, question), {f"question-{question.pk}-answer": "Yes, by March."}
    )

    assert response.status_code == 302
    question.refresh_from_db()
    assert question.closure == Contribution.Closure.ROUTED, "waits for an organiser"
    assert question.proposed_answer == "Yes, by March."
    assert question.proposed_answer_by == owner_a
    assert len(told()) == 1, "not told before the answer is published"
    assert "Answer waiting for review" in client_for(owner_a).get(action.get_absolute_url()).text

    review = reverse("admin:workshops_answertoreview_change", args=[question.pk])
    assert "Yes, by March." in client_for(organiser).get(review).text
    client_for(organiser).post(review, {"answer_text": "Yes, by March 2013."})

    question.refresh_from_db()
    assert question.closure == Contribution.Closure.ANSWERED
    assert question.answer == "Yes, by March 2013."
    assert question.proposed_answer == ""
    assert len(told()) == 2
    assert "Yes, by March 2013." in told()[-1].body
    progress = reverse("progress:workshop_progress", kwargs={"slug": action.workshop.slug})
    assert "Yes, by March 2013." in client_for(owner_a).get(progress).text


def test_an_organisation_trusted_to_publish_answers_publishes_at_once(routed, owner_a):
    action, question = routed
    action.owner.answers_published_at_once = True
    action.owner.save()

    client_for(owner_a).post(
        answer_url(action, question), {f"question-{question.pk}-answer": "Yes."}
    )

    question.refresh_from_db()
    assert question.closure == Contribution.Closure.ANSWERED
    assert question.answer == "Yes."
    assert question.closed_by == owner_a
    assert "Yes." in told()[-1].body
    assert Asker.objects.get().told_closure == Contribution.Closure.ANSWERED


def test_an_empty_answer_is_refused_on_its_own_page(routed, owner_a):
    action, question = routed

    response = client_for(owner_a).post(
        answer_url(action, question), {f"question-{question.pk}-answer": "  "}
    )

    assert response.status_code == 200
    assert "Enter an answer" in response.text
    question.refresh_from_db()
    assert question.proposed_answer == ""


def test_another_organisation_cannot_answer(routed, owner_b):
    action, question = routed

    response = client_for(owner_b).post(
        answer_url(action, question), {f"question-{question.pk}-answer": "Not ours."}
    )

    assert response.status_code == 404
    question.refresh_from_db()
    assert question.proposed_answer == ""


def test_a_question_not_routed_to_this_action_is_not_found(routed, owner_a, department_a):
    action, _ = routed
    other = ContributionFactory(group__workshop=action.workshop, kind=Contribution.Kind.QUESTION)

    response = client_for(owner_a).get(answer_url(action, other))

    assert response.status_code == 404
