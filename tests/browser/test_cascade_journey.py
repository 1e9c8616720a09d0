"""A Digital Leaders network member cascades an action to three departments, one department
reports, and the network member hears back: "1 of 3 departments have reported"."""

import datetime

import pytest
from django.utils import timezone
from playwright.sync_api import Browser, Page, expect

from accounts import roles
from actions.models import Organisation
from tests.browser.conftest import assert_accessible
from tests.factories import ActionItemFactory, OrganisationFactory, UserFactory

pytestmark = pytest.mark.django_db(transaction=True)

PASSWORD = "a long and memorable passphrase"
DEPARTMENTS = ["Department for Education", "HM Revenue and Customs", "Ministry of Justice"]


@pytest.fixture
def cascade_world(live_server):
    network = Organisation.objects.get(name="Digital Leaders network")
    leader = UserFactory(
        email="lee.leader@example.gov.uk", full_name="Lee Leader", roles=[roles.OWNERS]
    )
    leader.set_password(PASSWORD)
    leader.save()
    network.members.add(leader)
    for n, name in enumerate(DEPARTMENTS):
        department = OrganisationFactory(name=name, slug=f"cascade-department-{n}")
        if n == 0:
            member = UserFactory(
                email="dee.partment@example.gov.uk", full_name="Dee Partment", roles=[roles.OWNERS]
            )
            member.set_password(PASSWORD)
            member.save()
            department.members.add(member)
    ActionItemFactory(
        title="Encourage managers to use social media",
        owner=network,
        due_date=timezone.localdate() + datetime.timedelta(days=80),
    )


def sign_in(page: Page, base_url: str, email: str):
    page.set_default_timeout(10000)
    page.set_default_navigation_timeout(20000)
    page.goto(base_url + "/account/sign-in/?next=/actions/")
    page.get_by_label("Email address").fill(email)
    page.get_by_label("Password").fill(PASSWORD)
    page.get_by_role("button", name="Sign in").click()
    expect(page.get_by_role("heading", level=1)).to_have_text("Your actions")


def cascade_journey(browser: Browser, base_url: str, *, javascript: bool):
    def check(page):
        if javascript:
            assert_accessible(page)

    leader_context = browser.new_context(java_script_enabled=javascript)
    leader = leader_context.new_page()
    sign_in(leader, base_url, "lee.leader@example.gov.uk")
    leader.get_by_role("link", name="Encourage managers to use social media").click()
    expect(leader.get_by_text("Not cascaded yet")).to_be_visible()
    check(leader)
    leader.get_by_role("link", name="Cascade to departments").click()
    expect(leader.get_by_role("heading", level=1)).to_have_text("Cascade to departments")
    leader.get_by_role("button", name="Cascade to departments").click()
    expect(leader.get_by_role("link", name="Select at least one department")).to_be_visible()
    check(leader)
    for name in DEPARTMENTS:
        leader.get_by_label(name).check()
    leader.get_by_role("button", name="Cascade to departments").click()
    expect(leader.get_by_text("Cascaded to 3 departments")).to_be_visible()
    expect(leader.get_by_text("0 of 3 departments have reported; 0 done")).to_be_visible()
    check(leader)

    department_context = browser.new_context(java_script_enabled=javascript)
    department = department_context.new_page()
    sign_in(department, base_url, "dee.partment@example.gov.uk")
    department.get_by_role("link", name="Encourage managers to use social media").click()
    expect(
        department.get_by_role("link", name="Encourage managers to use social media")
    ).to_be_visible()
    department.get_by_label("In progress").check()
    department.get_by_label("Note", exact=True).fill("Briefed our senior leaders")
    department.get_by_role("button", name="Post update").click()
    expect(department.get_by_text("Update posted")).to_be_visible()
    check(department)
    department_context.close()

    leader.reload()
    expect(leader.get_by_text("1 of 3 departments have reported; 0 done")).to_be_visible()
    row = leader.get_by_role("row").filter(has_text="Department for Education")
    expect(row.get_by_text("Briefed our senior leaders")).to_be_visible()
    expect(row.get_by_text("In progress")).to_be_visible()
    check(leader)
    leader.get_by_role("link", name="Your actions").first.click()
    expect(leader.get_by_text("1 of 3 departments have reported; 0 done")).to_be_visible()
    check(leader)
    leader_context.close()


def test_cascade_journey_with_javascript(browser, live_server, cascade_world):
    cascade_journey(browser, live_server.url, javascript=True)


def test_cascade_journey_without_javascript(browser, live_server, cascade_world):
    cascade_journey(browser, live_server.url, javascript=False)
