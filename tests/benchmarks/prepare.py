"""Everything the load scenarios need from one benchmark database, printed as JSON: their paths,
signed-in session cookies, a CSRF token, and each page's database queries per request.

Run by `tests/benchmarks/run.py` in its own process, with DATABASE_URL set to the database."""

import json
import os
import time
import uuid

import django

os.environ.setdefault("DJANGO_SETTINGS_MODULE", "feedback_site.settings")
django.setup()

from django.conf import settings  # noqa: E402
from django.db import connection  # noqa: E402
from django.middleware.csrf import _get_new_csrf_string  # noqa: E402
from django.test import Client  # noqa: E402
from django.test.utils import CaptureQueriesContext  # noqa: E402
from django.urls import reverse  # noqa: E402

from demo.management.commands.bench_data import (  # noqa: E402
    ADMIN_EMAIL,
    BUSY_ORGANISATION_SLUG,
    BUSY_WORKSHOP_SLUG,
    SLUG_PREFIX,
)
from feedback_site.admin_site import changelist_url  # noqa: E402
from tests.conftest import client_for  # noqa: E402
from workshops.admin.contributions import DEFAULT_CONTRIBUTION_FILTERS  # noqa: E402
from workshops.models import Area, Contribution, FlipchartGroup, User, Workshop  # noqa: E402

CAPTURE_NOTES = 10
WORKBENCH_PAGE = 50
# The save scenario takes these notes of the busy workshop in turn.
WORKBENCH_SAVE_NOTES = 16


def signed_in_client(user):
    """The one place a benchmark session is made; staff sessions pass every check `client_for`
    gives tests (a second factor included, once the service asks for one)."""
    return client_for(user)


def session_cookie(client) -> str:
    return f"{settings.SESSION_COOKIE_NAME}={client.cookies[settings.SESSION_COOKIE_NAME].value}"


def queries_per_request(request) -> int:
    """Queries of one request as the load sees it: the second of two, once caches are warm."""
    request()
    with CaptureQueriesContext(connection) as queries:
        response = request()
    assert response.status_code in (200, 302), f"{response.request}: {response.status_code}"
    return len(queries)


def capture_submit(client, path: str):
    """A submit of the capture form as a facilitator makes it: new notes under a new key (the
    same notes again would be a resend, which stores nothing)."""
    key = str(uuid.uuid4())
    notes = "\n".join(f"Benchmark submit note {n} of {key}" for n in range(CAPTURE_NOTES))
    return client.post(path, {"notes": notes, "kind": "comment", "key": key})


def workbench_save(client, path: str, note_id: int, area_id: int):
    """A save of one note's area as the workbench's script sends it."""
    return client.post(
        path,
        {
            "action": "one",
            "note": note_id,
            f"n{note_id}-area": area_id,
            f"n{note_id}-hidden_reason": "",
        },
        HTTP_ACCEPT="application/json",
    )


def workbench_details(admin_client) -> dict:
    """The workbench page and save scenarios, on the busy workshop's notes."""
    workshop = Workshop.objects.get(slug=BUSY_WORKSHOP_SLUG)
    page = reverse("admin:workshops_workshop_workbench", args=[workshop.pk])
    page = f"{page}?size={WORKBENCH_PAGE}"
    save = reverse("admin:workshops_workshop_workbench_save", args=[workshop.pk])
    note_ids = list(
        Contribution.objects.filter(group__workshop=workshop)
        .order_by("-entered_at", "-pk")
        .values_list("pk", flat=True)[:WORKBENCH_SAVE_NOTES]
    )
    area_ids = list(Area.objects.order_by("order", "pk").values_list("pk", flat=True))
    areas = iter(area_ids * 2)
    return {
        "workbench_page": {
            "path": page,
            "cookie": session_cookie(admin_client),
            "queries": queries_per_request(lambda: admin_client.get(page)),
        },
        "workbench_save": {
            "path": save,
            "cookie": session_cookie(admin_client),
            "csrf_token": _get_new_csrf_string(),
            "note_ids": note_ids,
            "area_ids": area_ids,
            "queries": queries_per_request(
                lambda: workbench_save(admin_client, save, note_ids[0], next(areas))
            ),
        },
    }


def suggestion_timings() -> dict:
    """CPU time of the suggestion engine in process, uncached, on the busy workshop's notes to
    triage: suggesting for a page of them, and finding repeats among them as the workbench does;
    and the model the training stored."""
    from workshops.admin.workbench import REPEAT_NOTES
    from workshops.suggestions import group_repeats, service_model

    workshop = Workshop.objects.get(slug=BUSY_WORKSHOP_SLUG)
    notes = list(
        Contribution.objects.filter(group__workshop=workshop)
        .to_triage()
        .order_by("entered_at", "pk")
        .values_list("text", flat=True)[:REPEAT_NOTES]
    )
    model, _version = service_model()
    started = time.process_time()
    model.suggest(notes[:WORKBENCH_PAGE], workshop=str(workshop.pk))
    suggesting = time.process_time() - started
    started = time.process_time()
    group_repeats(notes, model)
    grouping = time.process_time() - started
    return {
        "notes_learnt": model.learnt,
        "suggest_cpu_ms": round(suggesting * 1000, 1),
        "page": WORKBENCH_PAGE,
        "repeats_cpu_ms": round(grouping * 1000, 1),
        "repeats_over": len(notes),
    }


def two_instance_checks() -> dict:
    """What `make bench` needs to check two instances against each other: a workshop that shows
    notes at once (so a capture changes its public page), a facilitator of one of its groups,
    and a signed-in page."""
    workshop = Workshop.objects.get(slug=f"{SLUG_PREFIX}workshop-2")
    Workshop.objects.filter(pk=workshop.pk).update(notes_public_after_review=False)
    group = FlipchartGroup.objects.filter(workshop=workshop).first()
    facilitator = group.facilitators.get()
    client = signed_in_client(facilitator)
    return {
        "session": {
            settings.SESSION_COOKIE_NAME: client.cookies[settings.SESSION_COOKIE_NAME].value
        },
        "capture_path": reverse("workshops:group_capture", kwargs={"pk": group.pk}),
        "progress_path": reverse("progress:workshop_progress", kwargs={"slug": workshop.slug}),
        "signed_in_path": reverse("workshops:group_list"),
        "sign_in_link_rate": settings.SIGN_IN_LINK_RATE[0],
    }


def import_details() -> dict:
    """A workshop to import 10,000 rows into, and the subjects its rows' groups may name."""
    workshop = Workshop.objects.get(slug=f"{SLUG_PREFIX}workshop-3")
    return {
        "workshop_slug": workshop.slug,
        "groups": list(workshop.groups.order_by("pk").values_list("subject", flat=True)),
    }


def scenarios() -> dict:
    owner = User.objects.get(organisations__slug=BUSY_ORGANISATION_SLUG)
    capture_group = FlipchartGroup.objects.filter(workshop__slug=f"{SLUG_PREFIX}workshop-1").first()
    facilitator = capture_group.facilitators.get()
    admin = User.objects.get(email=ADMIN_EMAIL)
    owner_client, facilitator_client, admin_client = map(
        signed_in_client, [owner, facilitator, admin]
    )
    paths = {
        "healthz": reverse("healthz"),
        "progress": reverse("progress:workshop_progress", kwargs={"slug": BUSY_WORKSHOP_SLUG}),
        "owner_actions": reverse("actions:action_list"),
        "capture": reverse("workshops:group_capture", kwargs={"pk": capture_group.pk}),
        "admin_list": changelist_url(Contribution, **DEFAULT_CONTRIBUTION_FILTERS),
    }
    anonymous = Client()
    return {
        "healthz": {
            "path": paths["healthz"],
            "queries": queries_per_request(lambda: anonymous.get(paths["healthz"])),
        },
        "progress": {
            "path": paths["progress"],
            "queries": queries_per_request(lambda: anonymous.get(paths["progress"])),
        },
        "owner_actions": {
            "path": paths["owner_actions"],
            "cookie": session_cookie(owner_client),
            "queries": queries_per_request(lambda: owner_client.get(paths["owner_actions"])),
        },
        "capture": {
            "path": paths["capture"],
            "cookie": session_cookie(facilitator_client),
            "csrf_token": _get_new_csrf_string(),
            "notes": CAPTURE_NOTES,
            "queries": queries_per_request(
                lambda: capture_submit(facilitator_client, paths["capture"])
            ),
        },
        "two_instances": two_instance_checks(),
        "admin_list": {
            "path": paths["admin_list"],
            "cookie": session_cookie(admin_client),
            "queries": queries_per_request(lambda: admin_client.get(paths["admin_list"])),
        },
        **workbench_details(admin_client),
        "suggestions": suggestion_timings(),
        "import": import_details(),
    }


if __name__ == "__main__":
    print(json.dumps(scenarios()))
