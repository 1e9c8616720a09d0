"""A member of the public asks a question online with their email address and confirms it by
the emailed link; a triager reviews it and routes it to an action; the action's owner answers
it on the action's page; an organiser publishes the answer; the asker's email holds it."""

import datetime
import re

import pytest
from django.core import mail
from django.utils import timezone
from playwright.sync_api import Browser, Page, expect

from demo.management.commands.seed_demo import DEMO_PASSWORD
from tests.browser.conftest import assert_accessible, sign_in_to_admin
from workshops.askers import forget_path
from workshops.models import Contribution, Workshop

pytestmark = pytest.mark.django_db(transaction=True)

ASKER = "asker@example.com"
QUESTION = "Can I post about my team's work on Twitter without asking my manager first?"
ANSWER = "Yes, within the guidelines: your manager needs to know only about sensitive work."


@pytest.fixture
def open_demo(demo):
    Workshop.objects.filter(pk=demo.pk).update(
        online_opens_at=timezone.now() - datetime.timedelta(days=1)
    )
    demo.refresh_from_db()
    return demo


def run_action(page: Page, label: str):
    page.get_by_label("Action:").select_option(label=label)
    page.get_by_role("button", name="Run").click()


def mail_to(address: str) -> list:
    return [message for message in mail.outbox if message.to == [address]]


def ask_online_journey(browser: Browser, base_url: str, workshop: Workshop, *, javascript: bool):
    def check(page):
        if javascript:
            assert_accessible(page)

    subject = workshop.groups.order_by("order").first().subject

    public_context = browser.new_context(java_script_enabled=javascript)
    public = public_context.new_page()
    public.set_default_timeout(30000)
    public.goto(f"{base_url}/workshops/{workshop.slug}/progress/")
    public.get_by_role("link", name="Ask a question or add your view online").click()
    expect(public.get_by_role("heading", level=1)).to_have_text("Ask a question or add your view")
    check(public)
    public.get_by_role("button", name="Send").click()
    expect(public.get_by_role("link", name="Enter your question or view")).to_be_visible()
    check(public)
    public.get_by_label("Ask a question").check()
    public.get_by_label(subject).check()
    public.get_by_label("Your question or view").fill(QUESTION)
    public.get_by_label("Email address (optional)").fill(ASKER)
    public.get_by_role("button", name="Send").click()
    expect(public.get_by_role("heading", level=1)).to_have_text("Thank you")
    check(public)

    (confirmation,) = mail_to(ASKER)
    public.goto(re.search(r"https?://\S+/ask/confirm/\S+/", confirmation.body)[0])
    expect(public.get_by_role("heading", level=1)).to_have_text("Confirm your email address")
    check(public)
    public.get_by_role("button", name="Confirm").click()
    expect(public.get_by_role("heading", level=1)).to_have_text("You will be told the answer")
    check(public)

    # The triager reviews it (an area) and routes it to the Digital Leaders network's action.
    triager_context = browser.new_context(java_script_enabled=javascript)
    triager = triager_context.new_page()
    triager.set_default_timeout(30000)
    sign_in_to_admin(triager, base_url)
    triager.goto(f"{base_url}/admin/workshops/contribution/?q=Twitter+without+asking")
    row = triager.get_by_role("row").filter(has_text=QUESTION)
    row.get_by_role("checkbox").check()
    run_action(triager, "Move to Empowerment")
    expect(triager.get_by_text("1 contribution moved to Empowerment.")).to_be_visible()
    triager.get_by_role("row").filter(has_text=QUESTION).get_by_role("checkbox").check()
    run_action(triager, "Create an action from selected contributions…")
    triager.get_by_label("Title").fill("Tell staff what they may post without asking")
    triager.get_by_label("Owner").select_option(label="Digital Leaders network")
    triager.get_by_role("button", name="Create action").click()
    expect(triager.get_by_text(re.compile("owned by Digital Leaders network"))).to_be_visible()
    assert Contribution.objects.get(text=QUESTION).closure == Contribution.Closure.ROUTED

    owner_context = browser.new_context(java_script_enabled=javascript)
    owner = owner_context.new_page()
    owner.set_default_timeout(30000)
    owner.goto(base_url + "/account/sign-in/?next=/actions/")
    owner.get_by_label("Email address").fill("owner@example.gov.uk")
    owner.get_by_label("Password").fill(DEMO_PASSWORD)
    owner.get_by_role("button", name="Sign in").click()
    owner.get_by_role("link", name="Tell staff what they may post without asking").click()
    expect(owner.get_by_role("heading", name="Questions routed to this action")).to_be_visible()
    check(owner)
    owner.get_by_role("button", name="Send answer").click()
    expect(owner.get_by_role("link", name="Enter an answer")).to_be_visible()
    check(owner)
    owner.get_by_label("Your answer").fill(ANSWER)
    owner.get_by_role("button", name="Send answer").click()
    expect(owner.get_by_text("an organiser will publish it")).to_be_visible()
    expect(owner.get_by_text("Answer waiting for review")).to_be_visible()
    check(owner)
    owner_context.close()
    assert ANSWER not in "".join(message.body for message in mail_to(ASKER))

    triager.goto(f"{base_url}/admin/workshops/answertoreview/")
    triager.get_by_role("link", name=re.compile("Can I post about my team")).click()
    expect(triager.get_by_label("Answer")).to_have_value(ANSWER)
    check(triager)
    triager.get_by_role("button", name="Save", exact=True).click()
    triager_context.close()

    told = [message for message in mail_to(ASKER) if ANSWER in message.body]
    assert len(told) == 1
    assert QUESTION in told[0].body
    public.goto(f"{base_url}/workshops/{workshop.slug}/progress/")
    expect(public.get_by_text(ANSWER)).to_be_visible()
    public_context.close()


def test_ask_online_journey_with_javascript(browser, live_server, open_demo):
    ask_online_journey(browser, live_server.url, open_demo, javascript=True)


def test_ask_online_journey_without_javascript(browser, live_server, open_demo):
    ask_online_journey(browser, live_server.url, open_demo, javascript=False)


def test_the_other_online_pages_have_no_accessibility_violations(page, live_server, open_demo):
    page.set_default_timeout(30000)
    question = Contribution.objects.create(
        group=open_demo.groups.first(), kind=Contribution.Kind.QUESTION, text=QUESTION
    )
    base = live_server.url
    Workshop.objects.filter(pk=open_demo.pk).update(online_closes_at=timezone.now())
    page.goto(f"{base}/workshops/{open_demo.slug}/ask/")
    expect(page.get_by_role("heading", level=1)).to_have_text("Asking online is closed")
    assert_accessible(page)

    page.goto(base + forget_path(question, ASKER))
    expect(page.get_by_role("heading", level=1)).to_have_text("Delete your email address")
    assert_accessible(page)
    page.get_by_role("button", name="Delete my email address").click()
    expect(page.get_by_role("heading", level=1)).to_have_text("Your email address has been deleted")
    assert_accessible(page)

    page.goto(f"{base}/workshops/{open_demo.slug}/ask/confirm/not-a-token/")
    expect(page.get_by_role("heading", level=1)).to_have_text("This link is not valid")
    assert_accessible(page)

    sign_in_to_admin(page, base)
    page.goto(f"{base}/admin/workshops/answertoreview/")
    expect(page.get_by_role("heading", level=1)).to_contain_text("answer")
    assert_accessible(page)
