"""Every page outside the admin in Welsh: the catalogue is complete and compiled, the language
follows the browser until the header's toggle is used, and a Welsh page shows no English from our
catalogue, only what people typed."""

import datetime
import gettext
import html
import os
import re
import shutil
import subprocess
import zoneinfo
from pathlib import Path

import pytest
from django.apps import apps
from django.conf import settings
from django.core import mail
from django.core.management import call_command
from django.db import models
from django.test import Client
from django.urls import reverse
from django.utils import timezone, translation
from django_tasks_db.models import DBTaskResult

from actions.models import ActionItem, Organisation
from actions.packs import board_pack, pack_html_for_print
from demo.management.commands.seed_demo import DEMO_SLUG
from feedback_site.templatetags.dates import when
from progress.services import report_publish
from tests.conftest import client_for, run_queued_job
from tests.factories import FlipchartGroupFactory, WorkshopFactory
from workshops import askers
from workshops.models import Contribution, FlipchartGroup, RecurringTheme, User, Workshop

CATALOGUE = Path(settings.BASE_DIR) / "locale" / "cy" / "LC_MESSAGES" / "django.po"
OUR_APPS = {"feedback_site", "accounts", "workshops", "actions", "progress"}


def gettext_tools():
    """GNU gettext's programs, which makemessages and compilemessages run."""
    if shutil.which("xgettext") and shutil.which("msgfmt"):
        return
    message = "GNU gettext is not installed (apt-get install gettext)"
    if os.environ.get("CI"):
        pytest.fail(message + ": the catalogue checks must run in CI")
    pytest.skip(message)


def po_entries(text: str) -> list[dict]:
    """The entries of a .po file: msgctxt, msgid, msgid_plural, the msgstr forms and whether it
    is marked fuzzy; the header is left out."""

    def unquote(value: str) -> str:
        return re.sub(r"\\(.)", lambda m: {"n": "\n", "t": "\t"}.get(m[1], m[1]), value)

    entries = []
    for block in text.strip().split("\n\n"):
        entry = {"fuzzy": False, "msgstr": []}
        key = None
        for line in block.splitlines():
            if line.startswith("#,"):
                entry["fuzzy"] |= "fuzzy" in line
            elif match := re.match(
                r'^(msgctxt|msgid_plural|msgid|msgstr(?:\[\d+\])?) "(.*)"$', line
            ):
                key, value = match[1], unquote(match[2])
                if key.startswith("msgstr"):
                    entry["msgstr"].append(value)
                else:
                    entry[key] = value
            elif line.startswith('"') and key:
                if key.startswith("msgstr"):
                    entry["msgstr"][-1] += unquote(line[1:-1])
                else:
                    entry[key] += unquote(line[1:-1])
        if entry.get("msgid"):
            entries.append(entry)
    return entries


def catalogue_problems(entries: list[dict]) -> list[str]:
    problems = []
    for entry in entries:
        if entry["fuzzy"]:
            problems.append(f"fuzzy: {entry['msgid']!r}")
        elif not all(form.strip() for form in entry["msgstr"]):
            problems.append(f"not translated: {entry['msgid']!r}")
    return problems


def test_the_welsh_catalogue_translates_every_string_in_our_templates_and_python(
    tmp_path, monkeypatch, settings
):
    """makemessages over a copy of the project finds every string marked for translation; each
    must be in the committed catalogue, translated and not fuzzy."""
    gettext_tools()
    base = Path(settings.BASE_DIR)
    copy = tmp_path / "project"
    shutil.copytree(
        base,
        copy,
        symlinks=True,
        ignore=shutil.ignore_patterns(
            ".*", "node_modules", "build", "staticfiles", "media", "backups", "tests", "*.sqlite3"
        ),
    )
    settings.LOCALE_PATHS = [copy / "locale"]
    monkeypatch.chdir(copy)
    call_command("makemessages", locale=["cy"], verbosity=0)

    found = po_entries((copy / "locale" / "cy" / "LC_MESSAGES" / "django.po").read_text())

    assert found, "makemessages found no strings"
    assert catalogue_problems(found) == []


def test_the_problems_test_names_an_untranslated_string_and_a_fuzzy_one():
    entries = po_entries(
        'msgid ""\nmsgstr "Language: cy\\n"\n\n'
        'msgid "Sign in"\nmsgstr "Mewngofnodi"\n\n'
        'msgid "Search"\nmsgstr ""\n\n'
        '#, fuzzy\nmsgid "Searches"\nmsgstr "Chwilio"\n\n'
        'msgid "%(count)d day"\nmsgid_plural "%(count)d days"\n'
        'msgstr[0] "%(count)d diwrnod"\nmsgstr[1] ""\n'
    )

    assert catalogue_problems(entries) == [
        "not translated: 'Search'",
        "fuzzy: 'Searches'",
        "not translated: '%(count)d day'",
    ]


def test_the_committed_mo_file_is_compiled_from_the_committed_po_file(tmp_path):
    """The .mo file is committed so that set-up needs no gettext: it must say what the .po says."""
    gettext_tools()
    compiled = tmp_path / "django.mo"
    subprocess.run(["msgfmt", "--check", "-o", compiled, CATALOGUE], check=True)

    with open(compiled, "rb") as fresh, open(CATALOGUE.with_suffix(".mo"), "rb") as committed:
        assert gettext.GNUTranslations(committed)._catalog == (
            gettext.GNUTranslations(fresh)._catalog
        ), "locale/cy/LC_MESSAGES/django.mo is out of date: run make messages"


@pytest.mark.django_db
def test_a_first_visit_follows_the_browsers_language():
    welsh = Client(headers={"accept-language": "cy-GB,cy;q=0.9,en;q=0.5"}).get("/")
    english = Client(headers={"accept-language": "en-US,en;q=0.9"}).get("/")

    assert '<html lang="cy"' in welsh.text
    assert "Dywedoch chi, gwnaethom ni" in welsh.text
    assert '<html lang="en-GB"' in english.text
    assert "You said, we did" in english.text


@pytest.mark.django_db
def test_the_language_toggle_marks_the_current_language_and_links_the_other():
    page = Client(headers={"accept-language": "cy"}).get("/privacy/?from=footer").text
    toggle = page.split('<nav class="app-language-select"', 1)[1].split("</nav>", 1)[0]

    assert (
        '<span class="app-language-select__link" lang="cy" aria-current="true">Cymraeg</span>'
        in (toggle)
    )
    link = reverse("language_switch", args=["en-gb"]) + "?next=%2Fprivacy%2F%3Ffrom%3Dfooter"
    assert f'href="{html.escape(link)}" lang="en-GB" hreflang="en-GB"' in toggle


@pytest.mark.django_db
def test_choosing_a_language_goes_back_to_the_page_and_sticks_over_the_browsers():
    client = Client(headers={"accept-language": "en-GB"})

    response = client.get(reverse("language_switch", args=["cy"]), {"next": "/cookies/"})

    assert response.status_code == 302
    assert response.url == "/cookies/"
    cookie = response.cookies[settings.LANGUAGE_COOKIE_NAME]
    assert cookie.value == "cy"
    assert cookie["httponly"]
    assert cookie["samesite"] == "Lax"
    assert '<html lang="cy"' in client.get("/feedback/").text
    client.get(reverse("language_switch", args=["en-gb"]), {"next": "/"})
    assert '<html lang="en-GB"' in client.get("/feedback/").text


@pytest.mark.django_db
@pytest.mark.parametrize("next_url", ["https://evil.example/", "//evil.example/", ""])
def test_the_toggle_goes_back_only_to_a_page_of_this_service(next_url):
    response = Client().get(reverse("language_switch", args=["cy"]), {"next": next_url})

    assert response.url == reverse("workshops:workshop_list")


@pytest.mark.django_db
def test_the_toggle_refuses_a_post_and_treats_an_unknown_language_as_english():
    client = Client()

    assert client.post(reverse("language_switch", args=["cy"])).status_code == 405
    response = client.get(reverse("language_switch", args=["fr"]), {"next": "/"})
    assert response.cookies[settings.LANGUAGE_COOKIE_NAME].value == settings.LANGUAGE_CODE


@pytest.mark.django_db
def test_the_admin_stays_in_english_for_a_welsh_reader():
    client = Client(headers={"accept-language": "cy"})
    client.cookies[settings.LANGUAGE_COOKIE_NAME] = "cy"

    page = client.get("/admin/login/").text

    assert '<html lang="en-gb"' in page
    assert "Log in" in page


def test_dates_and_times_read_in_welsh_the_govuk_way():
    moment = datetime.datetime(2012, 7, 4, 14, 35, tzinfo=zoneinfo.ZoneInfo("Europe/London"))

    with translation.override("cy"):
        assert when(moment) == "4 Gorffennaf 2012 am 14:35"
    with translation.override("en-gb"):
        assert when(moment) == "4 July 2012 at 14:35"


def english_fragments() -> set[str]:
    """The English of our catalogue as a reader would see it, in pieces of three words or more:
    each msgid split at its placeholders and markup."""
    fragments = set()
    for entry in po_entries(CATALOGUE.read_text()):
        for english in (entry["msgid"], entry.get("msgid_plural", "")):
            text = html.unescape(english.replace("%%", "%"))
            for piece in re.split(r"%\(\w+\)[sd]|\{\w+\}|<[^>]*>", text):
                piece = " ".join(piece.split()).strip(" .,:;()")
                if len(piece.split()) >= 3:
                    fragments.add(piece)
    return fragments


def typed_texts() -> list[str]:
    """Everything people typed, or the demo loaded as if typed: every text in our apps' tables."""
    texts = set()
    for model in apps.get_models():
        if model._meta.app_label not in OUR_APPS:
            continue
        fields = [
            field.name
            for field in model._meta.concrete_fields
            if isinstance(field, (models.CharField, models.TextField))
        ]
        for row in model.objects.values_list(*fields) if fields else []:
            texts.update(" ".join(value.split()) for value in row if value)
    return sorted(texts, key=len, reverse=True)


def visible_text(page: str) -> str:
    page = re.sub(r"<(script|style|svg)\b.*?</\1>", " ", page, flags=re.S)
    return " ".join(html.unescape(re.sub(r"<[^>]*>", " ", page)).split())


@pytest.fixture
def demo(settings, db):
    settings.DEBUG = True  # seed_demo refuses to publish its password otherwise
    call_command("seed_demo", stdout=open(os.devnull, "w"))  # noqa: SIM115
    settings.DEBUG = False  # the service's own 404 page, not Django's technical one


def welsh_client(user=None) -> Client:
    client = client_for(user) if user else Client()
    client.cookies[settings.LANGUAGE_COOKIE_NAME] = "cy"
    return client


def public_and_signed_in_pages() -> list[tuple[str | None, str]]:
    """Every page outside the admin with the demo's data, as (who opens it, path)."""
    progress = f"/workshops/{DEMO_SLUG}/progress/"
    group = FlipchartGroup.objects.filter(workshop__slug=DEMO_SLUG).order_by("pk").first()
    note = Contribution.objects.filter(group=group).order_by("pk").first()
    action = ActionItem.objects.filter(owner__members__email="owner@example.gov.uk").first()
    recurring = RecurringTheme.objects.order_by("pk").first()
    pack = Organisation.objects.filter(members__email="owner@example.gov.uk").get()
    question = Contribution.objects.questions().filter(group__workshop__slug=DEMO_SLUG).first()
    return [
        (None, "/"),
        (None, f"/workshops/{DEMO_SLUG}/"),
        (None, progress),
        (None, f"{progress}areas/infrastructure/"),
        (None, f"{progress}areas/not-yet-sorted/"),
        (None, f"{progress}search/?q=social"),
        (None, f"{progress}search/?q="),
        (None, f"{progress}search/?q=zzzz"),
        (None, f"/workshops/{DEMO_SLUG}/follow/"),
        (None, reverse("progress:ask", args=[DEMO_SLUG])),
        (None, reverse("progress:ask_sent", args=[DEMO_SLUG])),
        (None, askers.confirm_path(question, "asker@example.com")),
        (None, askers.forget_path(question, "asker@example.com")),
        (None, "/accessibility/"),
        (None, "/privacy/"),
        (None, "/cookies/"),
        (None, "/feedback/"),
        (None, reverse("login")),
        (None, reverse("email_sign_in")),
        (None, reverse("password_reset")),
        (None, "/no-such-page/"),
        (None, reverse("progress:recurring_themes")),
        (None, recurring.get_absolute_url()),
        ("facilitator@example.gov.uk", reverse("workshops:group_list")),
        ("facilitator@example.gov.uk", group.get_absolute_url()),
        ("facilitator@example.gov.uk", reverse("workshops:contribution_edit", args=[note.pk])),
        ("facilitator@example.gov.uk", reverse("workshops:contribution_remove", args=[note.pk])),
        ("owner@example.gov.uk", reverse("actions:action_list")),
        ("owner@example.gov.uk", action.get_absolute_url()),
        ("owner@example.gov.uk", pack.get_absolute_url()),
        ("organiser@example.gov.uk", reverse("workshops:workshop_run_sheet", args=[DEMO_SLUG])),
        ("organiser@example.gov.uk", reverse("progress:report_edit", args=[DEMO_SLUG])),
        ("organiser@example.gov.uk", reverse("progress:report_preview", args=[DEMO_SLUG])),
    ]


def english_shown(page: str) -> list[str]:
    """The English of our catalogue in a page, once what people typed is taken out."""
    text = visible_text(page)
    for words in typed_texts():
        text = text.replace(words, " ")
    return sorted(fragment for fragment in english_fragments() if fragment in text)


def assert_in_welsh(pages: list[tuple[str | None, str]]):
    for email, path in pages:
        client = welsh_client(User.objects.get(email=email) if email else None)
        response = client.get(path)
        assert response.status_code in (200, 404), f"{path}: {response.status_code}"
        assert '<html lang="cy"' in response.text, path
        assert english_shown(response.text) == [], f"{path} shows English"


def test_every_page_in_welsh_says_so_and_shows_no_english_from_our_catalogue(demo):
    now = timezone.now()
    # The demo leaves asking online closed: open it so the form and the ask link are read too.
    Workshop.objects.filter(slug=DEMO_SLUG).update(
        online_opens_at=now - datetime.timedelta(days=1),
        online_closes_at=now + datetime.timedelta(days=7),
    )
    assert_in_welsh(public_and_signed_in_pages())


def test_a_published_report_back_and_the_progress_page_linking_it_are_in_welsh(demo):
    workshop = Workshop.objects.get(slug=DEMO_SLUG)
    report_publish(workshop=workshop, by=User.objects.get(email="organiser@example.gov.uk"))

    assert_in_welsh(
        [
            (None, reverse("progress:report", args=[DEMO_SLUG])),
            (None, reverse("progress:workshop_progress", args=[DEMO_SLUG])),
        ]
    )


def test_the_board_pack_for_print_and_pdf_is_in_welsh(demo):
    organisation = Organisation.objects.filter(members__email="owner@example.gov.uk").get()

    with translation.override("cy"):
        page = pack_html_for_print(board_pack(organisation))

    assert '<html lang="cy">' in page
    assert "Pecyn bwrdd: " in page
    assert english_shown(page) == []


def test_a_welsh_form_error_and_summary_are_in_welsh(demo):
    workshop = WorkshopFactory(is_published=True)

    page = welsh_client().post(
        reverse("progress:follow", args=[workshop.slug]), {"email": "not an address"}
    )

    assert "Mae problem" in page.text
    assert '<span class="govuk-visually-hidden">Gwall:</span>' in page.text
    assert "Rhowch gyfeiriad e-bost yn y fformat cywir" in page.text


@pytest.mark.django_db
@pytest.mark.jobs_queued
def test_an_email_asked_for_on_a_welsh_page_is_written_in_welsh_by_the_worker(settings):
    settings.TASKS = {"default": {"BACKEND": "django_tasks_db.DatabaseBackend"}}
    workshop = WorkshopFactory(is_published=True, title="Social media guidelines")
    welsh_client().post(reverse("progress:follow", args=[workshop.slug]), {"email": "a@b.example"})
    queued = DBTaskResult.objects.get()
    assert queued.args_kwargs["kwargs"]["language"] == "cy"

    with translation.override("en-gb"):
        run_queued_job(queued.id)

    (email,) = mail.outbox
    assert email.subject == "Cadarnhewch eich bod eisiau diweddariadau am Social media guidelines"
    assert 'Gofynnoch am ddiweddariadau am "Social media guidelines".' in email.body


@pytest.mark.django_db
def test_an_email_asked_for_in_english_carries_no_language():
    workshop = WorkshopFactory(is_published=True, title="Social media guidelines")

    Client().post(reverse("progress:follow", args=[workshop.slug]), {"email": "a@b.example"})

    (email,) = mail.outbox
    assert email.subject == "Confirm you want updates on Social media guidelines"


def words_left_untranslated(template: str) -> list[str]:
    """Text in a template that no {% translate %} or {% blocktranslate %} covers: what remains
    once tags, variables, comments, scripts and markup are taken out, and the attributes people
    read (aria-label, alt, title, placeholder, data-label)."""
    template = re.sub(r"\{% comment %\}.*?\{% endcomment %\}|\{#.*?#\}", "", template, flags=re.S)
    template = re.sub(r"\{% blocktranslate.*?\{% endblocktranslate %\}", "", template, flags=re.S)
    template = re.sub(r"\{%.*?%\}|\{\{.*?\}\}", "", template, flags=re.S)
    template = re.sub(r"<(script|style|svg)\b.*?</\1>", "", template, flags=re.S)
    attributes = re.findall(
        r'\s(?:aria-label|alt|title|placeholder|data-label)="([^"]*)"', template
    )
    text = re.split(r"<[^>]*>|\n", template)
    return [
        words.strip()
        for words in [*attributes, *text]
        # The brand and character entities (&ctdot;) read the same in both languages.
        if re.search(r"[A-Za-z]{2}", re.sub(r"GOV\.UK|&\w+;", "", words))
    ]


def test_every_word_in_our_templates_is_marked_for_translation():
    templates = Path(settings.BASE_DIR) / "templates"
    untranslated = {
        str(path.relative_to(templates)): words
        for path in sorted(templates.rglob("*"))
        if path.suffix in {".html", ".txt"} and "admin" not in path.relative_to(templates).parts
        if (words := words_left_untranslated(path.read_text()))
    }

    assert untranslated == {}


def test_the_template_check_finds_text_and_attributes_left_in_english():
    template = (
        '<h1>{% translate "Sign in" %}</h1>\n<p>Forgotten your password?</p>\n'
        '<nav aria-label="Breadcrumb">{{ title }}</nav>{# a comment #}'
    )

    assert words_left_untranslated(template) == ["Breadcrumb", "Forgotten your password?"]


@pytest.mark.django_db
@pytest.mark.jobs_queued
def test_a_question_asked_on_a_welsh_page_is_confirmed_by_a_welsh_email(settings):
    settings.TASKS = {"default": {"BACKEND": "django_tasks_db.DatabaseBackend"}}
    workshop = WorkshopFactory(
        is_published=True,
        title="Social media guidelines",
        online_opens_at=timezone.now() - datetime.timedelta(days=1),
    )
    group = FlipchartGroupFactory(workshop=workshop, subject="Using social media at work")
    welsh_client().post(
        reverse("progress:ask", args=[workshop.slug]),
        {"kind": "question", "group": group.pk, "text": "May I post?", "email": "a@b.example"},
    )
    queued = DBTaskResult.objects.get()

    with translation.override("en-gb"):
        run_queued_job(queued.id)

    (email,) = mail.outbox
    assert email.subject == "Cadarnhewch eich bod eisiau cael gwybod yr ateb"
    assert 'Gofynnoch gwestiwn am "Social media guidelines"' in email.body
    assert "May I post?" in email.body
