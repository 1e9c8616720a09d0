"""An owner who has no password signs in from an emailed link, accepts a new action and reports
progress on an overdue one."""

import datetime
import re

import pytest
from django.core import mail
from django.utils import timezone
from playwright.sync_api import Page, expect

from accounts import roles
from actions import views as actions_views
from actions.services import action_accept
from tests.browser.conftest import assert_accessible
from tests.factories import ActionItemFactory, OrganisationFactory, UserFactory

pytestmark = pytest.mark.django_db(transaction=True)


@pytest.fixture
def owner(settings, live_server):
    settings.SITE_URL = live_server.url
    department = OrganisationFactory(name="Department for Education", slug="dfe")
    owner = UserFactory(
        email="rita.owner@example.gov.uk", full_name="Rita Owner", roles=[roles.OWNERS]
    )
    owner.set_unusable_password()
    owner.save()
    deputy = UserFactory(
        email="dee.puty@example.gov.uk", full_name="Dee Puty", roles=[roles.OWNERS]
    )
    department.members.add(owner, deputy)
    today = timezone.localdate()
    ActionItemFactory(
        title="Unblock YouTube on work computers",
        owner=department,
        due_date=today + datetime.timedelta(days=60),
    )
    overdue = ActionItemFactory(
        title="Publish social media guidance",
        owner=department,
        due_date=today - datetime.timedelta(days=10),
    )
    action_accept(action=overdue, by=owner, accountable=owner, deputy=deputy)
    return owner


def owner_journey(page: Page, base_url: str, *, check_accessibility: bool):
    def check():
        if check_accessibility:
            assert_accessible(page)

    page.set_default_timeout(5000)
    page.goto(base_url + "/account/sign-in/")
    page.get_by_role("link", name="Sign in with an email link").click()
    expect(page.get_by_role("heading", level=1)).to_have_text("Sign in with an email link")
    check()
    page.get_by_label("Email address").fill("rita.owner@example.gov.uk")
    page.get_by_role("button", name="Send me a link").click()
    expect(page.get_by_role("heading", level=1)).to_have_text("Check your email")
    check()

    (message,) = mail.outbox
    link = re.search(r"http://\S+", message.body).group(0)
    assert link.startswith(base_url)
    page.goto(link)
    expect(page.get_by_text("You are signing in as rita.owner@example.gov.uk")).to_be_visible()
    check()
    page.get_by_role("button", name="Continue").click()
    expect(page.get_by_role("heading", level=1)).to_have_text("Your actions")
    check()

    page.get_by_role("link", name="Unblock YouTube on work computers").click()
    expect(page.get_by_text("This action is awaiting acceptance")).to_be_visible()
    check()
    page.get_by_role("link", name="Accept this action").click()
    expect(page.get_by_role("heading", level=1)).to_contain_text("Accept this action")
    check()
    page.get_by_label("Accountable person").select_option(label="Rita Owner")
    page.get_by_label("Deputy").select_option(label="Dee Puty")
    page.get_by_label("Yes, we will finish by").check()
    page.get_by_role("button", name="Accept action").click()
    expect(page.get_by_text("Action accepted")).to_be_visible()
    expect(
        page.get_by_text("Accepted by Rita Owner. Accountable: Rita Owner; deputy: Dee Puty")
    ).to_be_visible()
    expect(page.get_by_text("This action is awaiting acceptance")).to_be_hidden()
    check()

    page.get_by_role("link", name="Your actions").first.click()
    row = page.get_by_role("row").filter(has_text="Publish social media guidance")
    expect(row.get_by_text("Overdue")).to_be_visible()
    row.get_by_role("link", name="Publish social media guidance").click()
    expect(page.get_by_role("heading", level=1)).to_have_text("Publish social media guidance")
    check()

    page.get_by_label("In progress").check()
    page.get_by_label("Note", exact=True).fill("Draft is with the legal team")
    page.get_by_role("button", name="Post update").click()
    expect(page.get_by_text("Update posted")).to_be_visible()
    history = page.locator(".app-history")
    expect(history.get_by_text("Draft is with the legal team")).to_be_visible()
    expect(history.get_by_text("In progress").first).to_be_visible()
    check()


def test_owner_journey_with_javascript(page: Page, live_server, owner):
    owner_journey(page, live_server.url, check_accessibility=True)


def test_owner_journey_without_javascript(no_js_page: Page, live_server, owner):
    owner_journey(no_js_page, live_server.url, check_accessibility=False)


@pytest.mark.parametrize("javascript", [True, False])
def test_an_owner_pages_through_a_long_list_of_actions(
    browser, live_server, owner, monkeypatch, javascript
):
    monkeypatch.setattr(actions_views, "ACTIONS_PER_PAGE", 1)
    owner.set_password("a long and memorable passphrase")
    owner.save()
    page = browser.new_page(java_script_enabled=javascript)
    page.set_default_timeout(5000)
    page.goto(live_server.url + "/account/sign-in/?next=/actions/%3Fstatus%3Dnot_started")
    page.get_by_label("Email address").fill("rita.owner@example.gov.uk")
    page.get_by_label("Password").fill("a long and memorable passphrase")
    page.get_by_role("button", name="Sign in").click()

    expect(page.get_by_text("Showing 1 to 1 of 2 actions")).to_be_visible()
    expect(page.get_by_role("link", name="Publish social media guidance")).to_be_visible()
    if javascript:
        assert_accessible(page)
    page.get_by_role("navigation", name="Pages of actions").get_by_role("link", name="Next").click()

    expect(page.get_by_text("Showing 2 to 2 of 2 actions")).to_be_visible()
    expect(page.get_by_role("link", name="Unblock YouTube on work computers")).to_be_visible()
    expect(page.get_by_label("Status")).to_have_value("not_started")
    expect(page.get_by_role("link", name="Page 2")).to_have_attribute("aria-current", "page")
    page.close()


def test_on_a_phone_each_action_reads_down_the_screen_with_its_cells_named(
    browser, live_server, owner
):
    owner.set_password("a long and memorable passphrase")
    owner.save()
    page = browser.new_page(viewport={"width": 320, "height": 640})
    page.set_default_timeout(5000)
    page.goto(live_server.url + "/account/sign-in/?next=/actions/")
    page.get_by_label("Email address").fill("rita.owner@example.gov.uk")
    page.get_by_label("Password").fill("a long and memorable passphrase")
    page.get_by_role("button", name="Sign in").click()

    row = page.get_by_role("row").filter(has_text="Publish social media guidance")
    title = row.get_by_role("rowheader").bounding_box()
    owner_cell = row.get_by_role("cell").first
    expect(owner_cell).to_have_attribute("data-label", "Owner")
    box = owner_cell.bounding_box()
    # Stacked: the owner sits under the title, as wide as the screen allows, not beside it.
    assert box["y"] >= title["y"] + title["height"] - 1
    assert box["width"] > 250
    assert page.evaluate("document.documentElement.scrollWidth") <= 320
    assert_accessible(page)
    page.close()
