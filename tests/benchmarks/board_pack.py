"""The time to make the board pack of a body with 200 actions: its page, PDF and spreadsheet,
each rendered in this process (no server between), best of a few runs, printed as JSON.

Run by `tests/benchmarks/run.py` in its own process, with DATABASE_URL set to the database."""

import io
import json
import os
import sys
import time

import django

os.environ.setdefault("DJANGO_SETTINGS_MODULE", "feedback_site.settings")
django.setup()

from django.template.loader import render_to_string  # noqa: E402
from pypdf import PdfReader  # noqa: E402

from actions.models import Organisation  # noqa: E402
from actions.packs import board_pack, pack_context, pack_pdf, pack_xlsx  # noqa: E402
from demo.management.commands.bench_data import BOARD_PACK_ORGANISATION_SLUG  # noqa: E402

RUNS = int(os.environ.get("BENCH_BOARD_PACK_RUNS", "3"))


def best_seconds(make) -> float:
    timings = []
    for _ in range(RUNS):
        start = time.perf_counter()
        make()
        timings.append(time.perf_counter() - start)
    return round(min(timings), 3)


def measure() -> dict:
    organisation = Organisation.objects.get(slug=BOARD_PACK_ORGANISATION_SLUG)
    pack = board_pack(organisation)
    return {
        "owned_actions": organisation.actions.count(),
        "actions_in_pack": len(pack.actions),
        # Each includes reading the pack from the database, as a request or the monthly job does.
        "page_s": best_seconds(
            lambda: render_to_string(
                "actions/includes/pack_body.html", pack_context(board_pack(organisation))
            )
        ),
        "pdf_s": best_seconds(lambda: pack_pdf(board_pack(organisation))),
        "xlsx_s": best_seconds(lambda: pack_xlsx(board_pack(organisation))),
        "pdf_pages": len(PdfReader(io.BytesIO(pack_pdf(pack))).pages),
    }


if __name__ == "__main__":
    json.dump(measure(), sys.stdout)
