"""Deny by default, proven: every URL the project defines is opened as every role and must answer
as the README's "Who may do what" table says."""

import datetime
import fnmatch
import io
import re
from dataclasses import dataclass
from pathlib import Path

import pytest
from django.contrib import admin
from django.contrib.contenttypes.models import ContentType
from django.core.files.uploadedfile import SimpleUploadedFile
from django.test import Client, RequestFactory
from django.urls import URLPattern, URLResolver, get_resolver, reverse
from django.utils.http import int_to_base36
from django_otp.plugins.otp_static.models import StaticDevice
from PIL import Image

from accounts import roles
from actions.models import DueDateChange, Status
from actions.services import action_post_update, action_sources_add
from progress.services import report_publish, report_save
from tests.conftest import client_for
from tests.factories import (
    ActionItemFactory,
    ContributionFactory,
    FlipchartGroupFactory,
    OrganisationFactory,
    ThemeFactory,
    UserFactory,
    WorkshopFactory,
)
from tests.jobs import failed_job
from workshops.models import Area, ContributionKind, RecurringTheme, RecurringThemeLink
from workshops.services import question_answer_propose

README = Path(__file__).resolve().parents[2] / "README.md"
PERSONAS = [
    "anonymous",
    "facilitator",
    "facilitator of another group",
    "owner",
    "owner of another organisation",
    "organiser",
    "staff without a role",
]
# Pages no role opens: autocomplete until an admin page offers it, and the pages showing an
# authenticator's secret key, which only a superuser may see.
CLOSED_TO_EVERY_ROLE = {
    "admin:autocomplete",
    "admin:otp_totp_totpdevice_config",
    "admin:otp_totp_totpdevice_qrcode",
}
ADMIN_VERBS = {
    "changelist": "view_or_change",
    "add": "add",
    "change": "view_or_change",
    "history": "view_or_change",
    "simple_history": "view_or_change",
    "delete": "delete",
}


# The table


def read_matrix() -> dict[str, dict[str, str]]:
    """The README's "Who may do what" table: URL name or pattern -> persona -> yes/no/..."""
    section = README.read_text().split("### Who may do what", 1)[1].split("\n## ", 1)[0]
    lines = [line for line in section.splitlines() if line.startswith("|")]
    header = [cell.strip() for cell in lines[0].strip("|").split("|")]
    assert header[1:] == PERSONAS, "the README table's columns are the sweep's personas"
    matrix = {}
    for line in lines[2:]:
        cells = [cell.strip() for cell in line.strip("|").split("|")]
        for name in re.findall(r"`([^`]+)`", cells[0]):
            assert name not in matrix, f"{name} is in two rows of the README table"
            matrix[name] = dict(zip(PERSONAS, cells[1:], strict=True))
    return matrix


def url_patterns(resolver=None, namespace=""):
    """Every (name, pattern) the project defines, the admin's included; unnamed ones as None."""
    for pattern in (resolver or get_resolver()).url_patterns:
        if isinstance(pattern, URLResolver):
            prefix = f"{namespace}{pattern.namespace}:" if pattern.namespace else namespace
            yield from url_patterns(pattern, prefix)
        elif isinstance(pattern, URLPattern):
            yield (f"{namespace}{pattern.name}" if pattern.name else None), pattern


def row_for(name: str, matrix) -> dict[str, str] | None:
    """The row naming this URL exactly, else the one pattern matching it."""
    if name in matrix:
        return matrix[name]
    matching = [key for key in matrix if "*" in key and fnmatch.fnmatchcase(name, key)]
    assert len(matching) <= 1, f"{name} matches several README patterns: {matching}"
    return matrix[matching[0]] if matching else None


def named_patterns() -> dict:
    return {name: pattern for name, pattern in url_patterns() if name}


def test_every_url_name_is_in_the_readme_table():
    matrix = read_matrix()
    unclassified = sorted(name for name in named_patterns() if row_for(name, matrix) is None)
    assert not unclassified, (
        "Add these URL names to a row of the README table 'Who may do what': "
        + ", ".join(unclassified)
    )


def test_the_readme_table_names_only_urls_that_exist():
    names = named_patterns()
    stale = [
        key for key in read_matrix() if not any(fnmatch.fnmatchcase(name, key) for name in names)
    ]
    assert not stale, f"The README table names URLs that no longer exist: {stale}"


def test_every_protected_url_refuses_visitors_and_admits_someone():
    for key, row in read_matrix().items():
        if row["anonymous"] != "yes":
            assert row["anonymous"] == "no", key
            assert {"yes", "as permitted"} & set(row.values()) or key in CLOSED_TO_EVERY_ROLE, key


def test_only_the_admins_own_redirects_are_unnamed():
    unnamed = [pattern for name, pattern in url_patterns() if name is None]
    assert unnamed
    assert all(pattern.lookup_str.startswith("django.") for pattern in unnamed), unnamed


# The world the sweep opens pages in


@dataclass
class World:
    people: dict
    objects: dict
    workshop: object
    note: object
    proposal: object


def image_upload():
    output = io.BytesIO()
    Image.new("RGB", (40, 30), (200, 30, 30)).save(output, format="PNG")
    return SimpleUploadedFile("flipchart.png", output.getvalue(), content_type="image/png")


def build_world() -> World:
    """Each persona, and one of everything they could reach: the facilitator's group, the owner's
    action. The facilitator and owner have "staff status" too, the worst case for the admin."""
    department_a = OrganisationFactory()
    department_b = OrganisationFactory()
    people = {
        "anonymous": None,
        "facilitator": UserFactory(is_staff=True, roles=[roles.FACILITATORS]),
        "facilitator of another group": UserFactory(roles=[roles.FACILITATORS]),
        "owner": UserFactory(is_staff=True, roles=[roles.OWNERS]),
        "owner of another organisation": UserFactory(roles=[roles.OWNERS]),
        "organiser": UserFactory(is_staff=True, roles=[roles.ORGANISERS]),
        "staff without a role": UserFactory(is_staff=True),
    }
    department_a.members.add(people["owner"])
    department_b.members.add(people["owner of another organisation"])
    # A failed sign-in and a set of backup codes, so the sign-in records' admin pages open too.
    Client().post(reverse("login"), {"username": people["facilitator"].email, "password": "wrong"})
    StaticDevice.objects.create(user=people["organiser"], name="Backup codes")
    # A background job that failed, so the failed jobs' admin pages open too.
    failed_job()
    workshop = WorkshopFactory()
    group = FlipchartGroupFactory(workshop=workshop)
    group.facilitators.add(people["facilitator"])
    FlipchartGroupFactory().facilitators.add(people["facilitator of another group"])
    theme = ThemeFactory(workshop=workshop)
    note = ContributionFactory(group=group, theme=theme, area=theme.area)
    ContributionFactory(group=group, kind=ContributionKind.QUESTION)
    photo_upload = client_for(people["facilitator"]).post(
        reverse("workshops:group_photo_add", kwargs={"pk": group.pk}), {"photo": image_upload()}
    )
    assert photo_upload.status_code == 302
    action = ActionItemFactory(workshop=workshop, owner=department_a, theme=theme)
    action_post_update(
        action=ActionItemFactory(owner=department_b),
        by=people["owner of another organisation"],
        status=Status.IN_PROGRESS,
        note="Started",
    )
    # A recurring theme whose slug is the workshop's, so that its public page opens too.
    training = Area.objects.get(slug="training")
    linked = ThemeFactory(workshop=workshop, area=training)
    ContributionFactory(group=group, theme=linked, area=training)
    recurring = RecurringTheme.objects.create(name="Said again", slug=workshop.slug, area=training)
    RecurringThemeLink.objects.create(recurring_theme=recurring, theme=linked)
    proposal = DueDateChange.objects.create(
        action=action,
        old_date=action.due_date,
        new_date=action.due_date + datetime.timedelta(days=30),
        reason="Budget",
        state=DueDateChange.State.PROPOSED,
        by=people["owner"],
    )
    # A published report back, so that its public page opens.
    report_save(
        workshop=workshop,
        by=people["organiser"],
        introduction="What we did",
        next_steps="More",
        moved_due_date=None,
    )
    report_publish(workshop=workshop, by=people["organiser"])
    # A question routed to the action, with its owner's answer waiting for an organiser.
    routed_question = ContributionFactory(group=group, kind=ContributionKind.QUESTION)
    action_sources_add(action=action, contributions=[routed_question], by=people["organiser"])
    question_answer_propose(question=routed_question, by=people["owner"], answer="We will.")
    objects = {
        "routed_question": routed_question,
        "group": group,
        "photo": group.photos.get(),
        "contribution": note,
        "action": action,
        "duedatechange": action,
        "organisation": department_a,
        "question": action,
    }
    return World(people, objects, workshop, note, proposal)


def admin_request(user):
    request = RequestFactory().get("/admin/")
    request.user = user
    return request


def model_admin_for(name: str):
    """The ModelAdmin an admin URL name belongs to, and the rest of the name after the model."""
    for model, model_admin in admin.site._registry.items():
        prefix = f"admin:{model._meta.app_label}_{model._meta.model_name}_"
        if name.startswith(prefix):
            return model_admin, name.removeprefix(prefix)
    return None, None


def admin_object(model_admin, world):
    found = model_admin.get_queryset(admin_request(world.people["organiser"])).order_by("pk")
    assert found.exists(), f"the sweep's world has no {model_admin.model.__name__} to open"
    return found.first()


def url_of(name, pattern, world) -> str:
    """The URL with its arguments filled from the world, plus the query a page needs."""
    model_admin, _ = model_admin_for(name)
    obj = admin_object(model_admin, world) if model_admin else None
    arguments = {
        "slug": world.workshop.slug,
        "code": int_to_base36(world.workshop.pk),
        "token": "a-token-nobody-issued",
        "uidb64": "MQ",
        "change_pk": world.proposal.pk,
        "question_pk": world.objects["routed_question"].pk,
        "app_label": "workshops",
        "content_type_id": ContentType.objects.get_for_model(world.workshop).pk,
        "id": world.people["facilitator"].pk,
        "object_id": obj.pk if obj else world.workshop.pk,
        "area": "training",
        "organisation": world.objects["organisation"].slug,
        "language": "cy",
    }
    if "pk" in pattern.pattern.regex.groupindex:
        arguments["pk"] = obj.pk if obj else world.objects[name.split(":")[1].split("_")[0]].pk
    kwargs = {key: arguments[key] for key in pattern.pattern.regex.groupindex}
    args = []
    if pattern.pattern.regex.groups > len(kwargs):
        # django-simple-history's page of one past version takes its two arguments by position.
        args = [obj.pk, obj.history.values_list("history_id", flat=True).first()]
    query = {
        "admin:workshops_contribution_add_to_theme": f"?ids={world.note.pk}",
        "admin:actions_actionitem_from_contributions": f"?ids={world.note.pk}",
        "admin:autocomplete": "?app_label=actions&model_name=actionitem&field_name=owner&term=D",
    }.get(name, "")
    return reverse(name, args=args, kwargs=kwargs) + query


def expected_answer(cell: str, name: str, user, world) -> str:
    if cell != "as permitted":
        return cell
    model_admin, verb = model_admin_for(name)
    request = admin_request(user)
    check = getattr(model_admin, f"has_{ADMIN_VERBS[verb]}_permission")
    if verb == "add":
        return "yes" if check(request) else "no"
    return "yes" if check(request, admin_object(model_admin, world)) else "no"


SIGN_IN_PATHS = ("/account/sign-in/", "/admin/login/")


def answer_of(response) -> str:
    if response.status_code >= 500:
        return f"error {response.status_code}"
    if response.status_code in (403, 404):
        return "no"
    if response.status_code in (301, 302):
        return "no" if response.url.startswith(SIGN_IN_PATHS) else "yes"
    # 400 is a page explaining that the link it was given is bad: an answer, not a refusal.
    if response.status_code in (200, 400):
        return "yes"
    return f"unexpected {response.status_code}"


def signed_in_client(user) -> Client:
    """A client for the persona that reports a server error as a response, not an exception."""
    client = client_for(user) if user else Client()
    client.raise_request_exception = False
    return client


@pytest.mark.django_db
def test_every_url_answers_each_role_as_the_readme_says(settings, tmp_path):
    settings.MEDIA_ROOT = tmp_path / "media"
    matrix = read_matrix()
    world = build_world()
    patterns = named_patterns()
    wrong, requests, checks = [], 0, 0
    clients = {persona: signed_in_client(user) for persona, user in world.people.items()}
    for name, pattern in sorted(patterns.items()):
        row = row_for(name, matrix)
        url = url_of(name, pattern, world)
        for persona, user in world.people.items():
            client = clients[persona]
            response = client.get(url)
            requests += 1
            if response.status_code == 405:
                response = client.post(url)
                requests += 1
            checks += 1
            if name.endswith("logout"):
                clients[persona] = signed_in_client(user)
            expected = expected_answer(row[persona], name, user, world)
            if answer_of(response) != expected:
                wrong.append(f"{name} as {persona}: {response.status_code}, README says {expected}")
    print(f"FIGURE: URL names classified in the README table: {len(patterns)}")
    print(f"FIGURE: access checks (URL x role): {checks}, requests made: {requests}")
    print(f"FIGURE: access checks answering other than the README says: {len(wrong)}")
    assert not wrong, "\n".join(wrong)
    assert checks == len(patterns) * len(PERSONAS)
