"""Every page every role can reach, in Chromium, with a script payload in every text field:
no payload runs, no dialog opens, and the Content Security Policy is never violated."""

import pytest
from django.contrib.auth import get_user_model

from tests.conftest import client_for
from tests.hostile import SCRIPT_PAYLOADS, HostileWorld
from tests.site.test_hostile_input import START_PAGES, Crawl

pytestmark = pytest.mark.django_db(transaction=True)

RECORD_VIOLATIONS = """
window.__cspViolations = [];
document.addEventListener("securitypolicyviolation", (event) => {
  window.__cspViolations.push(`${event.violatedDirective} ${event.blockedURI} ${event.sample}`);
});
"""


@pytest.fixture
def signed_in(organiser, facilitator, owner_a, department_a):
    HostileWorld().build(
        organiser=organiser, facilitator=facilitator, owner=owner_a, organisation=department_a
    )
    return {"public": None, "facilitator": facilitator, "owner": owner_a, "organiser": organiser}


@pytest.mark.parametrize("role", list(START_PAGES))
def test_no_payload_runs_and_no_policy_is_violated_on_any_page(
    role, signed_in, browser, live_server, client
):
    user = signed_in[role]
    crawler_client = client_for(get_user_model().objects.get(pk=user.pk)) if user else client
    crawl = Crawl(crawler_client, query_variants_per_path=1)
    crawl.visit_all(START_PAGES[role])
    pages = [url for url in crawl.visited if "/admin/logout/" not in url]

    context = browser.new_context()
    if user:
        session = crawler_client.cookies["sessionid"].value
        context.add_cookies([{"name": "sessionid", "value": session, "url": live_server.url}])
    context.add_init_script(RECORD_VIOLATIONS)
    page = context.new_page()
    dialogs, console_violations, executed, violations = [], [], [], []
    page.on("dialog", lambda dialog: (dialogs.append(dialog.message), dialog.dismiss()))
    page.on(
        "console",
        lambda message: (
            "Content Security Policy" in message.text and console_violations.append(message.text)
        ),
    )
    for url in pages:
        page.goto(live_server.url + url, wait_until="load")
        if page.evaluate("window.__xss !== undefined"):
            executed.append(url)
        violations += [(url, v) for v in page.evaluate("window.__cspViolations || []")]
    context.close()

    print(
        f"FIGURE: XSS in Chromium as {role}: {len(pages)} page views, {len(executed)} executed, "
        f"{len(dialogs)} dialogs, {len(violations) + len(console_violations)} CSP violations"
    )
    assert executed == []
    assert dialogs == []
    assert violations == []
    assert console_violations == []
    assert len(pages) >= {"public": 3, "facilitator": 3, "owner": 2, "organiser": 40}[role]


def test_the_checks_would_see_a_payload_that_ran(browser):
    page = browser.new_page()
    dialogs = []
    page.on("dialog", lambda dialog: (dialogs.append(dialog.message), dialog.dismiss()))
    page.set_content(f"<p>{SCRIPT_PAYLOADS[0]}</p>")
    assert page.evaluate("window.__xss") == 1
    assert dialogs == ["xss"]
    page.close()
