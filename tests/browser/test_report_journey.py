"""An organiser finishes the demo workshop's report back from the workshop's admin page, previews
it and publishes it; the public then finds it from the progress page."""

import pytest
from django.urls import reverse
from playwright.sync_api import Browser, expect

from tests.browser.conftest import assert_accessible, sign_in_to_admin

pytestmark = pytest.mark.django_db(transaction=True)


def report_journey(browser: Browser, base_url: str, workshop, *, javascript: bool):
    def check(page):
        if javascript:
            assert_accessible(page)

    organiser_context = browser.new_context(java_script_enabled=javascript)
    organiser = organiser_context.new_page()
    organiser.set_default_timeout(10000)
    sign_in_to_admin(organiser, base_url)
    organiser.goto(base_url + reverse("admin:workshops_workshop_change", args=[workshop.pk]))
    organiser.get_by_role("link", name="Report back").click()
    expect(organiser.get_by_role("heading", level=1)).to_have_text("Write the report")
    expect(organiser.get_by_label("Introduction")).to_contain_text("Civil Service Live")
    check(organiser)

    organiser.get_by_label("What happens next").fill("")
    organiser.get_by_role("button", name="Save and preview").click()
    expect(organiser.get_by_role("link", name="Enter what happens next")).to_be_visible()
    check(organiser)

    organiser.get_by_label("What happens next").fill("We will blog again in the spring.")
    organiser.get_by_role("button", name="Save and preview").click()
    expect(organiser.get_by_role("heading", level=1)).to_have_text(
        "Check the report before publishing"
    )
    expect(organiser.get_by_text("Replace Internet Explorer 6 on staff computers")).to_be_visible()
    check(organiser)
    organiser.get_by_role("button", name="Publish report").click()
    expect(organiser.get_by_text("Report published")).to_be_visible()
    check(organiser)
    organiser_context.close()

    public_context = browser.new_context(java_script_enabled=javascript)
    public = public_context.new_page()
    public.goto(base_url + reverse("progress:workshop_progress", kwargs={"slug": workshop.slug}))
    public.get_by_role("link", name="Read the report back on this workshop").click()
    expect(public.get_by_role("heading", level=1)).to_have_text(workshop.title)
    expect(public.get_by_text("We will blog again in the spring.")).to_be_visible()
    expect(public.get_by_role("heading", name="What was done")).to_be_visible()
    check(public)
    public_context.close()


def test_report_journey_with_javascript(browser, live_server, demo):
    report_journey(browser, live_server.url, demo, javascript=True)


def test_report_journey_without_javascript(browser, live_server, demo):
    report_journey(browser, live_server.url, demo, javascript=False)
