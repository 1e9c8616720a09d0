"""Every page, for every role, with hostile text in every field: no 5xx, nothing unescaped.

A crawler signed in as each role follows every link it finds from the role's starting pages and
posts every form it finds with payloads, including ones no database can store."""

from html.parser import HTMLParser
from urllib.parse import urljoin, urlsplit

import pytest
from django.http import HttpResponse, HttpResponseServerError
from django.utils.html import escape

from tests.conftest import client_for
from tests.hostile import PAYLOADS, REFUSED_PAYLOADS, UNESCAPED_TELLS, HostileWorld

pytestmark = pytest.mark.django_db

START_PAGES = {
    "public": ["/", "/workshops/hostile/progress/", "/account/sign-in/"],
    "facilitator": ["/", "/flipcharts/"],
    "owner": ["/actions/"],
    "organiser": ["/", "/flipcharts/", "/actions/", "/admin/"],
}
# Following these would end the session or delete the world the crawl is looking at. The admin's
# password change renders the service's own template, which lacks the admin's page title.
NOT_FOLLOWED = ("/account/sign-out/", "/static/", "/delete/", "/admin/password_change/")
QUERY_VARIANTS_PER_PATH = 2
TEXT_INPUTS = {"text", "search", "url", "tel", "password", None}


class PageParser(HTMLParser):
    """The links and forms of one page: each form as its action, method and default fields."""

    def __init__(self):
        super().__init__()
        self.links, self.forms = [], []
        self._form = None
        self._select = None

    def handle_starttag(self, tag, attrs):
        attrs = dict(attrs)
        if tag == "a" and attrs.get("href"):
            self.links.append(attrs["href"])
        elif tag == "form":
            self._form = {
                "action": attrs.get("action") or "",
                "method": (attrs.get("method") or "get").lower(),
                "fields": {},
                "texts": [],
            }
            self.forms.append(self._form)
        elif self._form is not None and attrs.get("name"):
            self._add_field(tag, attrs)
        elif tag == "option" and self._select and attrs.get("value"):
            self._form["fields"].setdefault(self._select, attrs["value"])

    def _add_field(self, tag, attrs):
        name, kind = attrs["name"], attrs.get("type")
        fields = self._form["fields"]
        if tag == "textarea" or (tag == "input" and kind in TEXT_INPUTS):
            self._form["texts"].append(name)
        elif tag == "select":
            self._select = name
        elif tag == "input" and kind == "email":
            fields[name] = "hostile@example.com"
        elif tag == "input" and kind in {"checkbox", "radio"}:
            fields.setdefault(name, attrs.get("value", "on"))
        elif tag == "input" and kind not in {"file", "submit", "button", "image"}:
            fields[name] = attrs.get("value", "")

    def handle_endtag(self, tag):
        if tag == "form":
            self._form = None
        elif tag == "select":
            self._select = None


class Crawl:
    def __init__(self, client, query_variants_per_path=QUERY_VARIANTS_PER_PATH):
        self.client = client
        self.query_variants_per_path = query_variants_per_path
        self.visited = []
        self.requests = 0
        self.server_errors = []
        self.unescaped = []
        self.seen_paths = {}
        self.forms = {}

    def check(self, method, url, response):
        self.requests += 1
        if response.status_code >= 500:
            self.server_errors.append((method, url, response.status_code))
        if response.get("Content-Type", "").startswith("text/html"):
            body = response.content.decode()
            self.unescaped += [(url, tell) for tell in UNESCAPED_TELLS if tell in body]

    def wanted(self, url) -> bool:
        parts = urlsplit(url)
        if parts.scheme or parts.netloc or not parts.path.startswith("/"):
            return False
        if any(part in parts.path for part in NOT_FOLLOWED):
            return False
        queries = self.seen_paths.setdefault(parts.path, set())
        if parts.query in queries or len(queries) >= self.query_variants_per_path:
            return False
        queries.add(parts.query)
        return True

    def visit_all(self, start_pages):
        queue = [url for url in start_pages if self.wanted(url)]
        while queue:
            url = queue.pop(0)
            response = self.client.get(url)
            self.check("GET", url, response)
            if not response.get("Content-Type", "").startswith("text/html"):
                continue
            self.visited.append(url)
            page = PageParser()
            page.feed(response.content.decode())
            for link in page.links:
                absolute = urljoin(url, link).split("#")[0]
                if self.wanted(absolute):
                    queue.append(absolute)
            for form in page.forms:
                action = urljoin(url, form["action"])
                if form["method"] == "post" and not any(p in action for p in NOT_FOLLOWED):
                    self.forms.setdefault(urlsplit(action).path, form)

    def post_every_form(self):
        for n, (action, form) in enumerate(self.forms.items()):
            for text in [PAYLOADS[n % len(PAYLOADS)], *REFUSED_PAYLOADS]:
                data = {**form["fields"], **dict.fromkeys(form["texts"], text)}
                self.check("POST", action, self.client.post(action, data))


@pytest.fixture
def world(organiser, facilitator, owner_a, department_a):
    return HostileWorld().build(
        organiser=organiser, facilitator=facilitator, owner=owner_a, organisation=department_a
    )


@pytest.mark.parametrize("role", list(START_PAGES))
def test_every_page_and_form_survives_hostile_text(
    role, world, organiser, facilitator, owner_a, client
):
    user = {"organiser": organiser, "facilitator": facilitator, "owner": owner_a}.get(role)
    crawl = Crawl(client_for(user) if user else client)

    crawl.visit_all(START_PAGES[role])
    pages = crawl.requests
    crawl.post_every_form()

    print(
        f"FIGURE: hostile crawl as {role}: {world.stored} payload-field pairs stored, "
        f"{pages} pages viewed, {len(crawl.forms)} forms posted, "
        f"{len(crawl.server_errors)} 5xx over {crawl.requests} requests, "
        f"{len(crawl.unescaped)} unescaped payloads"
    )
    assert crawl.server_errors == []
    assert crawl.unescaped == []
    assert pages >= {"public": 3, "facilitator": 3, "owner": 2, "organiser": 40}[role]


def test_the_crawl_would_see_a_payload_left_unescaped_or_a_server_error():
    crawl = Crawl(client=None)
    crawl.check("GET", "/page/", HttpResponse(f"<p>{PAYLOADS[0]}</p>"))
    crawl.check("GET", "/page/", HttpResponse(f"<p>{escape(PAYLOADS[0])}</p>"))
    crawl.check("POST", "/form/", HttpResponseServerError())
    assert crawl.unescaped == [("/page/", "<script>window.__xss")]
    assert crawl.server_errors == [("POST", "/form/", 500)]
