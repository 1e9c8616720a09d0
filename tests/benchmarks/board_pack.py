"""The time to make the board pack of a body with 200 actions: its page, PDF and spreadsheet,
each rendered in this process (no server between), best of a few runs, and the PDF once more as a
download finds it stored (laid out by an earlier download or the job the page queues), printed
as JSON.

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
from actions.packs import board_pack, pack_context, pack_file, pack_pdf, pack_xlsx  # noqa: E402
from demo.management.commands.bench_data import BOARD_PACK_ORGANISATION_SLUG  # noqa: E402

RUNS = int(os.environ.get("BENCH_BOARD_PACK_RUNS", "3"))


def best_seconds(make) -> tuple[float, float]:
    """The best wall-clock time of RUNS, and the processor time of that run: on a shared
    machine the second says what the render costs when the first is inflated by waiting."""
    timings = []
    for _ in range(RUNS):
        start, start_cpu = time.perf_counter(), time.process_time()
        make()
        timings.append((time.perf_counter() - start, time.process_time() - start_cpu))
    wall, cpu = min(timings)
    return round(wall, 3), round(cpu, 3)


def measure() -> dict:
    organisation = Organisation.objects.get(slug=BOARD_PACK_ORGANISATION_SLUG)
    pack = board_pack(organisation)
    # Each includes reading the pack from the database, as a request or the monthly job does.
    page = best_seconds(
        lambda: render_to_string(
            "actions/includes/pack_body.html", pack_context(board_pack(organisation))
        )
    )
    pdf = best_seconds(lambda: pack_pdf(board_pack(organisation)))
    xlsx = best_seconds(lambda: pack_xlsx(board_pack(organisation)))
    pack_file(board_pack(organisation))
    stored = best_seconds(lambda: pack_file(board_pack(organisation)).pdf_bytes)
    return {
        "owned_actions": organisation.actions.count(),
        "actions_in_pack": len(pack.actions),
        "page_s": page[0],
        "page_cpu_s": page[1],
        "pdf_s": pdf[0],
        "pdf_cpu_s": pdf[1],
        "pdf_stored_s": stored[0],
        "pdf_stored_cpu_s": stored[1],
        "xlsx_s": xlsx[0],
        "xlsx_cpu_s": xlsx[1],
        "pdf_pages": len(PdfReader(io.BytesIO(pack_pdf(pack))).pages),
    }


if __name__ == "__main__":
    json.dump(measure(), sys.stdout)
