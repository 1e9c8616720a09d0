"""`make bench` needs PostgreSQL and wrk; here its preparation runs on the test database, so that
every scenario's path, session and query count is known to work before a long run."""

import io

import pytest
from django.core.management import call_command
from django.urls import resolve

from tests.benchmarks import prepare, run
from tests.conftest import client_for
from workshops.models import Contribution, FlipchartGroup, SuggestionModel

pytestmark = pytest.mark.django_db


@pytest.fixture
def details():
    call_command("bench_data", scale=0.01, verbosity=0)
    call_command("train_suggestions", stdout=io.StringIO())  # as run.py does
    return prepare.scenarios()


def test_every_scenario_is_prepared_and_has_its_wrk_script(details):
    # Besides the scenarios: what the two-instance run checks (staleness, limits, sessions), the
    # suggestion timings and the import's workshop and groups.
    assert set(details) == {*run.SCENARIOS, "two_instances", "suggestions", "import"}
    assert details["two_instances"]["capture_path"].startswith("/flipcharts/")
    for scenario in run.SCENARIOS:
        script = run.POST_SCRIPTS.get(scenario, "get.lua")
        assert (run.WRK_SCRIPTS / script).exists()
        assert details[scenario]["queries"] > 0


def test_the_workbench_scenarios_open_a_page_of_50_and_save_busy_workshop_notes(details):
    page, save = details["workbench_page"], details["workbench_save"]

    assert page["path"].endswith("/workbench/?size=50")
    assert "=" in page["cookie"]
    assert len(save["note_ids"]) == prepare.WORKBENCH_SAVE_NOTES
    assert len(save["area_ids"]) == 4
    saved = Contribution.objects.get(pk=save["note_ids"][0])
    assert saved.reviewed_at is not None
    assert saved.history.latest().history_change_reason == "Triaged in the workbench"
    print(f"FIGURE: bench workbench page queries {page['queries']}, save {save['queries']}")


def test_the_suggestion_rows_time_a_page_of_suggestions_and_repeats(details):
    timings = details["suggestions"]

    # The row reports the newest stored model, which learnt every triaged note but perhaps those
    # the save scenario's preparation triaged after it (a later training takes them in).
    assert timings["notes_learnt"] == SuggestionModel.objects.latest("pk").notes
    triaged = Contribution.objects.filter(area__isnull=False).count()
    assert 0 <= triaged - timings["notes_learnt"] <= prepare.WORKBENCH_SAVE_NOTES
    assert timings["page"] == prepare.WORKBENCH_PAGE
    assert timings["suggest_cpu_ms"] > 0
    assert timings["repeats_cpu_ms"] > 0


def test_each_bench_capture_submit_stores_its_notes(details):
    """The same notes from the same person within the repeat window are a resend and store
    nothing, so the capture scenario sends new notes every time; otherwise it measures no-ops."""
    group_path = details["capture"]["path"]
    group = FlipchartGroup.objects.get(pk=resolve(group_path).kwargs["pk"])
    client = client_for(group.facilitators.get())
    before = Contribution.objects.count()

    prepare.capture_submit(client, group_path)
    prepare.capture_submit(client, group_path)

    assert Contribution.objects.count() == before + 2 * prepare.CAPTURE_NOTES
