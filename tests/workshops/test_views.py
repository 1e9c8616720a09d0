import re

import pytest
from django.core import mail
from django.urls import reverse

from tests.conftest import PASSWORD, client_for
from tests.factories import ContributionFactory, FlipchartGroupFactory, WorkshopFactory

pytestmark = pytest.mark.django_db

HOME = reverse("workshops:workshop_list")


def test_home_lists_published_workshops_only(client):
    WorkshopFactory(title="Social media guidelines: so what?")
    WorkshopFactory(title="Secret draft", is_published=False)

    response = client.get(HOME)

    assert response.status_code == 200
    assert "Social media guidelines: so what?" in response.text
    assert "Secret draft" not in response.text


def test_organisers_also_see_drafts_on_the_home_page(organiser):
    WorkshopFactory(title="Secret draft", is_published=False)
    response = client_for(organiser).get(HOME)
    assert "Secret draft" in response.text
    assert "Draft" in response.text


def test_home_says_so_when_nothing_is_published(client):
    assert "No workshops have been published yet" in client.get(HOME).text


def test_dates_are_shown_the_govuk_way(client):
    import datetime

    WorkshopFactory(date=datetime.date(2012, 7, 4))
    assert "4 July 2012" in client.get(HOME).text


def test_workshop_page_shows_its_groups_and_note_counts(client):
    group = FlipchartGroupFactory(
        subject="Barriers to using social media",
        prompt="What stops you?",
        facilitator_line="Alex Schillemore, Social Media Manager, FCO",
    )
    ContributionFactory.create_batch(3, group=group)
    ContributionFactory(group=group, hidden_from_public=False, removed_at="2012-07-05T10:00Z")

    response = client.get(group.workshop.get_absolute_url())

    assert response.status_code == 200
    html = response.text
    assert "Barriers to using social media" in html
    assert "What stops you?" in html
    assert "Alex Schillemore, Social Media Manager, FCO" in html
    assert re.search(r"numeric\">\s*3\s*</td>", html), "removed notes are not counted"


@pytest.mark.parametrize("viewer", ["anonymous", "organiser"])
def test_workshop_page_counts_neither_hidden_nor_removed_notes(client, organiser, viewer):
    group = FlipchartGroupFactory()
    ContributionFactory.create_batch(2, group=group)
    ContributionFactory(group=group, hidden_from_public=True)
    ContributionFactory(group=group, hidden_from_public=True, removed_at="2012-07-05T10:00Z")
    ContributionFactory(group=group, removed_at="2012-07-05T10:00Z")
    # The page is the public one, so an organiser sees the count the public sees.
    viewer_client = client if viewer == "anonymous" else client_for(organiser)

    html = viewer_client.get(group.workshop.get_absolute_url()).text

    assert re.search(r"numeric\">\s*2\s*</td>", html)


def test_a_draft_workshop_is_not_found_by_the_public_or_facilitators(client, facilitator):
    draft = WorkshopFactory(is_published=False)
    assert client.get(draft.get_absolute_url()).status_code == 404
    assert client_for(facilitator).get(draft.get_absolute_url()).status_code == 404


def test_organisers_can_preview_a_draft_workshop(organiser):
    draft = WorkshopFactory(is_published=False)
    response = client_for(organiser).get(draft.get_absolute_url())
    assert response.status_code == 200
    assert "This workshop is a draft" in response.text


def test_home_lists_twenty_workshops_a_page_newest_first(client):
    import datetime

    for day in range(1, 23):
        WorkshopFactory(title=f"Workshop of day {day}", date=datetime.date(2026, 3, day))

    first = client.get(HOME).text
    assert "Showing 1 to 20 of 22 workshops" in first
    assert first.index("Workshop of day 22") < first.index("Workshop of day 3")
    assert "Workshop of day 2<" not in first
    assert 'href="?page=2" rel="next"' in first

    second = client.get(HOME, {"page": 2}).text
    assert "Showing 21 to 22 of 22 workshops" in second
    assert "Workshop of day 1<" in second
    assert 'href="?page=1" rel="prev"' in second


@pytest.mark.parametrize("number", ["0", "999", "two"])
def test_a_home_page_number_out_of_range_still_lists_workshops(client, number):
    WorkshopFactory(title="Still here")
    response = client.get(HOME, {"page": number})
    assert response.status_code == 200
    assert "Still here" in response.text


@pytest.mark.parametrize("path", ["/workshops/no-such-workshop/", "/no/such/page/"])
def test_an_unknown_page_shows_the_services_not_found_page(client, path):
    response = client.get(path)
    assert response.status_code == 404
    assert "Page not found" in response.text
    assert "Workshop feedback" in response.text


@pytest.mark.parametrize("page_size", [2, 12])
def test_pages_issue_a_bounded_number_of_queries(client, django_assert_max_num_queries, page_size):
    for _ in range(page_size):
        workshop = WorkshopFactory()
        for _ in range(page_size // 2 + 1):
            ContributionFactory.create_batch(2, group=FlipchartGroupFactory(workshop=workshop))
    with django_assert_max_num_queries(2):
        assert client.get(HOME).status_code == 200
    with django_assert_max_num_queries(3):
        assert client.get(workshop.get_absolute_url()).status_code == 200


# Signing in and out


def test_sign_in_page_asks_for_email_and_password(client):
    response = client.get(reverse("login"))
    assert response.status_code == 200
    assert "Email address" in response.text
    assert "Password" in response.text


def test_signing_in_by_email_address_signs_you_in(client, facilitator):
    response = client.post(
        reverse("login"), {"username": "Facilitator@Example.gov.uk", "password": PASSWORD}
    )
    assert response.status_code == 302
    assert response.url == reverse("signed_in")
    assert client.get(HOME).context["user"] == facilitator


def test_each_role_lands_on_its_own_starting_page(organiser, facilitator, owner_a):
    for user, page in [
        (organiser, HOME),
        (facilitator, reverse("workshops:group_list")),
        (owner_a, reverse("actions:action_list")),
    ]:
        assert client_for(user).get(reverse("signed_in")).url == page


def test_signing_in_returns_you_to_the_page_you_asked_for(client, facilitator):
    wanted = reverse("password_change")
    response = client.post(
        f"{reverse('login')}?next={wanted}",
        {"username": "facilitator@example.gov.uk", "password": PASSWORD, "next": wanted},
    )
    assert response.url == wanted


def test_a_wrong_password_shows_an_error_summary_and_keeps_the_email(client, facilitator):
    response = client.post(
        reverse("login"), {"username": "facilitator@example.gov.uk", "password": "wrong"}
    )
    assert response.status_code == 200
    html = response.text
    assert "There is a problem" in html
    assert "Enter a correct email address and password" in html
    assert 'value="facilitator@example.gov.uk"' in html
    assert "<title>Error: Sign in" in html


def test_empty_sign_in_says_what_to_enter(client):
    html = client.post(reverse("login"), {"username": "", "password": ""}).text
    assert "Enter your email address" in html
    assert "Enter your password" in html
    assert re.search(r'<input type="email"[^>]*govuk-input--error', html)
    assert re.search(r'<input type="password"[^>]*govuk-input--error', html)


def test_signing_out_needs_a_post_and_ends_the_session(facilitator):
    client = client_for(facilitator)
    assert client.get(reverse("logout")).status_code == 405
    response = client.post(reverse("logout"))
    assert response.status_code == 302
    assert client.get(HOME).context["user"].is_anonymous


def test_password_reset_sends_a_link_that_lets_you_choose_a_new_password(client, facilitator):
    response = client.post(reverse("password_reset"), {"email": "facilitator@example.gov.uk"})
    assert response.status_code == 302
    assert len(mail.outbox) == 1
    link = re.search(r"http://testserver(/account/password/reset/\S+/)", mail.outbox[0].body)
    assert link, mail.outbox[0].body

    form_page = client.get(link.group(1), follow=True)
    assert "Choose a new password" in form_page.text
    new_password = "a much longer passphrase 2012"
    done = client.post(
        form_page.redirect_chain[-1][0],
        {"new_password1": new_password, "new_password2": new_password},
    )
    assert done.status_code == 302
    facilitator.refresh_from_db()
    assert facilitator.check_password(new_password)


def test_password_reset_says_the_same_for_an_unknown_email(client, facilitator):
    known = client.post(reverse("password_reset"), {"email": "facilitator@example.gov.uk"})
    unknown = client.post(reverse("password_reset"), {"email": "nobody@example.gov.uk"})
    assert known.url == unknown.url == reverse("password_reset_done")
    assert len(mail.outbox) == 1


def test_password_reset_with_a_bad_email_keeps_what_was_typed(client):
    html = client.post(reverse("password_reset"), {"email": "not-an-email"}).text
    assert "Enter an email address in the correct format" in html
    assert 'value="not-an-email"' in html


def test_an_expired_reset_link_says_so(client):
    response = client.get("/account/password/reset/MQ/expired-token/")
    assert response.status_code == 200
    assert "This link has expired" in response.text


def test_changing_your_password_needs_you_to_be_signed_in(client, facilitator):
    url = reverse("password_change")
    assert client.get(url).url.startswith(reverse("login"))
    response = client_for(facilitator).get(url)
    assert response.status_code == 200
    assert "Change password" in response.text


def test_a_weak_new_password_is_refused_with_a_reason(facilitator):
    response = client_for(facilitator).post(
        reverse("password_change"),
        {"old_password": PASSWORD, "new_password1": "password", "new_password2": "password"},
    )
    assert response.status_code == 200
    assert "There is a problem" in response.text
    assert "too common" in response.text


# Error pages


def test_a_forbidden_page_uses_the_services_layout(rf, facilitator):
    from django.core.exceptions import PermissionDenied
    from django.views.defaults import permission_denied

    request = rf.get("/")
    request.user = facilitator
    response = permission_denied(request, PermissionDenied())
    assert response.status_code == 403
    assert "You cannot see this page" in response.content.decode()


def test_a_server_error_page_renders_without_a_request_context(rf):
    from django.views.defaults import server_error

    response = server_error(rf.get("/"))
    assert response.status_code == 500
    assert "Sorry, there is a problem with the service" in response.content.decode()


def test_an_expired_form_token_explains_what_to_do(facilitator):
    from django.test import Client

    client = Client(enforce_csrf_checks=True)
    response = client.post(reverse("login"), {"username": "a@example.gov.uk", "password": "x"})
    assert response.status_code == 403
    assert "Your form could not be sent" in response.text
    assert "Workshop feedback" in response.text
