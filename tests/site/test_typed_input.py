"""Text typed before a session or form token ran out is waiting in the form after signing in."""

import re
import uuid
from html import escape

import pytest
import time_machine
from django.contrib.sessions.models import Session
from django.urls import reverse

from feedback_site import typed_input
from tests.conftest import PASSWORD, client_for
from tests.factories import ActionItemFactory, ContributionFactory, FlipchartGroupFactory

pytestmark = pytest.mark.django_db

SAME_SITE = {"Origin": "http://testserver"}
NOTES = "+ Yammer works well\n- Facebook is blocked <b>everywhere</b>\n? Who can we ask"


def capture_form(facilitator, group):
    url = reverse("workshops:group_capture", kwargs={"pk": group.pk})
    return facilitator, url, {"notes": NOTES, "kind": "comment", "key": str(uuid.uuid4())}, NOTES


def edit_note_form(facilitator, group):
    note = ContributionFactory(group=group, text="Acess to YouTube")
    url = reverse("workshops:contribution_edit", kwargs={"pk": note.pk})
    text = "Access to YouTube for everyone"
    return facilitator, url, {"text": text, "kind": "negative", "reach": "most"}, text


def status_update_form(owner, department):
    action = ActionItemFactory(owner=department)
    url = reverse("actions:action_detail", kwargs={"pk": action.pk})
    text = "Spoke to the ICT team about unblocking sites"
    return owner, url, {"status": "in_progress", "note": text}, text


@pytest.fixture(params=["capture", "edit_note", "status_update"])
def form(request, facilitator, group, owner_a, department_a):
    if request.param == "capture":
        return capture_form(facilitator, group)
    if request.param == "edit_note":
        return edit_note_form(facilitator, group)
    return status_update_form(owner_a, department_a)


def end_session(client):
    Session.objects.filter(session_key=client.session.session_key).delete()


def sign_in_again(client, user, next_url):
    """The sign-in page, as a person uses it, in the browser that kept their typing."""
    response = client.post(
        reverse("login"), {"username": user.email, "password": PASSWORD, "next": next_url}
    )
    assert response.status_code == 302
    return client.get(response.url)


def test_text_sent_after_the_session_ended_is_in_the_form_after_signing_in(form):
    user, url, data, text = form
    client = client_for(user)
    end_session(client)

    response = client.post(url, data, headers=SAME_SITE)

    assert response.status_code == 302
    assert response.url == f"{reverse('login')}?next={url}"
    sign_in_page = client.get(response.url).text
    assert "What you typed has been kept" in sign_in_page
    page = sign_in_again(client, user, url)
    assert page.status_code == 200
    assert escape(text, quote=False) in page.text
    assert escape(text, quote=False) not in client.get(url).text, "filled in once, then cleared"


def test_text_sent_with_an_expired_form_token_is_shown_and_filled_in_again(form):
    user, url, data, text = form
    client = client_for(user)
    client.handler.enforce_csrf_checks = True

    response = client.post(url, data, headers=SAME_SITE)

    assert response.status_code == 403
    assert "Your form could not be sent" in response.text
    assert escape(text, quote=False) in response.text
    assert "What you typed has been kept" in response.text
    assert escape(text, quote=False) in client.get(url).text


def test_the_expired_form_page_shows_only_what_was_typed_not_buttons_or_hidden_fields(
    facilitator, group
):
    _, url, data, _ = capture_form(facilitator, group)
    client = client_for(facilitator)
    client.handler.enforce_csrf_checks = True
    sent = {**data, "submit": "Add notes", "next": "/groups/", "_save": "Save"}

    response = client.post(url, sent, headers=SAME_SITE)

    labels = re.findall(
        r'<label class="govuk-label govuk-label--s"[^>]*>([^<]*)</label>', response.text
    )
    assert labels == ["Notes", "Kind"]
    assert "Add notes" not in response.text
    assert "/groups/" not in response.text


def test_a_form_sent_from_another_site_is_neither_shown_nor_kept(facilitator, group):
    _, url, data, _ = capture_form(facilitator, group)
    client = client_for(facilitator)
    client.handler.enforce_csrf_checks = True

    response = client.post(url, data, headers={"Origin": "https://attacker.example"})

    assert response.status_code == 403
    assert "Yammer" not in response.text
    assert "Yammer" not in client.get(url).text


def test_secrets_are_never_kept(facilitator, group):
    _, url, data, _ = capture_form(facilitator, group)
    client = client_for(facilitator)
    end_session(client)

    client.post(
        url,
        {
            **data,
            "password": "hunter2hunter2",
            "new_password1": "hunter2hunter2",
            "otp_token": "123456",
            "csrfmiddlewaretoken": "abc",
            "reset_token": "xyz",
        },
        headers=SAME_SITE,
    )

    kept = client.session[typed_input.SESSION_KEY][url]["fields"]
    assert set(kept) == {"notes", "kind", "key"}


def test_at_most_five_forms_are_kept_and_the_oldest_goes_first(facilitator):
    groups = FlipchartGroupFactory.create_batch(6)
    for group in groups:
        group.facilitators.add(facilitator)
    client = client_for(facilitator)
    end_session(client)

    for group in groups:
        notes = {"notes": f"Note for {group.pk}", "key": "k"}
        client.post(group.get_absolute_url(), notes, headers=SAME_SITE)

    kept = client.session[typed_input.SESSION_KEY]
    assert list(kept) == [group.get_absolute_url() for group in groups[1:]]


def test_kept_text_is_dropped_after_two_hours(facilitator, group):
    _, url, data, _ = capture_form(facilitator, group)
    client = client_for(facilitator)
    end_session(client)
    with time_machine.travel(0, tick=False):
        client.post(url, data, headers=SAME_SITE)
    with time_machine.travel(2 * 60 * 60, tick=False):
        page = sign_in_again(client, facilitator, url)
    assert "Yammer" not in page.text


def test_a_form_sent_from_another_site_after_the_session_ended_is_not_kept(facilitator, group):
    _, url, data, _ = capture_form(facilitator, group)
    client = client_for(facilitator)
    end_session(client)
    client.post(url, data, headers={"Origin": "https://attacker.example"})
    assert typed_input.SESSION_KEY not in client.session


def test_a_failed_form_with_nothing_typed_keeps_nothing(facilitator, group):
    url = group.get_absolute_url()
    client = client_for(facilitator)
    end_session(client)
    client.post(url, {"notes": "   "}, headers=SAME_SITE)
    assert typed_input.SESSION_KEY not in client.session


def test_no_typed_text_is_lost_over_the_scenarios(facilitator, group, owner_a, department_a):
    """Each form, once after the session ended and once after the form token did."""
    scenarios = [
        capture_form(facilitator, group),
        edit_note_form(facilitator, group),
        status_update_form(owner_a, department_a),
    ]
    lost = 0
    for user, url, data, text in scenarios:
        client = client_for(user)
        end_session(client)
        client.post(url, data, headers=SAME_SITE)
        lost += escape(text, quote=False) not in sign_in_again(client, user, url).text
        csrf_client = client_for(user)
        csrf_client.handler.enforce_csrf_checks = True
        csrf_client.post(url, data, headers=SAME_SITE)
        lost += escape(text, quote=False) not in csrf_client.get(url).text
    print(f"\nFIGURE: typed texts lost = {lost} of {2 * len(scenarios)} scenarios")
    assert lost == 0
