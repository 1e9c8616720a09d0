"""Figures, not verdicts: query counts and latency percentiles of the busiest pages.

Run with `make bench`. Skipped in the normal suite, which pins query counts instead."""

import statistics
import time
import uuid

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.urls import reverse

from tests.conftest import client_for
from tests.factories import ContributionFactory, FlipchartGroupFactory, WorkshopFactory
from workshops.models import Contribution

pytestmark = [pytest.mark.bench, pytest.mark.django_db]

ROUNDS = 30


def measure(label, request):
    connection.queries_log.clear()
    with CaptureQueriesContext(connection) as queries:
        response = request()
    assert response.status_code in (200, 302), f"{label}: {response.status_code}"
    query_count = len(queries)
    timings = []
    for _ in range(ROUNDS):
        started = time.perf_counter()
        request()
        timings.append((time.perf_counter() - started) * 1000)
    quantiles = statistics.quantiles(timings, n=100)
    print(
        f"{label:<45} {query_count:>3} queries   "
        f"p50 {quantiles[49]:6.1f} ms   p95 {quantiles[94]:6.1f} ms   "
        f"({ROUNDS} requests, {connection.vendor})"
    )


def test_page_figures(organiser):
    workshop = WorkshopFactory()
    groups = [FlipchartGroupFactory(workshop=workshop, order=n) for n in range(4)]
    Contribution.objects.bulk_create(
        ContributionFactory.build(group=groups[n % 4], text=f"Note {n}") for n in range(2000)
    )
    for group in groups:
        group.facilitators.add(organiser)
    client = client_for(organiser)
    capture = reverse("workshops:group_capture", kwargs={"pk": groups[0].pk})
    two_hundred_lines = "\n".join(f"Benchmark note {n}" for n in range(200))

    print()
    measure("home page", lambda: client.get("/"))
    measure(
        "workshop page (4 groups, 2,000 notes)", lambda: client.get(workshop.get_absolute_url())
    )
    measure("capture page (500 notes in the group)", lambda: client.get(capture))
    measure(
        "public progress page (2,000 notes)",
        lambda: client.get(reverse("progress:workshop_progress", kwargs={"slug": workshop.slug})),
    )
    measure(
        "run sheet",
        lambda: client.get(reverse("workshops:workshop_run_sheet", kwargs={"slug": workshop.slug})),
    )
    measure(
        "capture POST of 200 lines",
        lambda: client.post(
            capture, {"notes": two_hundred_lines, "kind": "comment", "key": str(uuid.uuid4())}
        ),
    )
    measure(
        "admin contribution list (6,000+ notes)",
        lambda: client.get(
            reverse("admin:workshops_contribution_changelist") + "?triaged=no&removed=no"
        ),
    )
