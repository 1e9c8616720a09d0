"""Board packs: what an organisation owes across every workshop, as a page for its members, a PDF
for a board meeting, a spreadsheet, a command for scripts and a monthly email."""

import datetime
import io
import re

import pytest
import time_machine
from django.core import mail
from django.core.management import call_command
from django.core.management.base import CommandError
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.urls import reverse
from django.utils.formats import date_format
from openpyxl import load_workbook
from pypdf import PdfReader

from accounts import roles
from actions.models import BoardPackFile, BoardPackSent, Organisation, Status
from actions.services import (
    action_cascade,
    action_post_update,
    action_sources_add,
    due_date_move,
)
from feedback_site.jobs import schedule_tick
from tests.conftest import client_for, run_queued_job
from tests.factories import (
    ActionItemFactory,
    ContributionFactory,
    FlipchartGroupFactory,
    OrganisationFactory,
    UserFactory,
)
from tests.jobs import DATABASE_TASKS, IMMEDIATE_TASKS
from workshops.models import ContributionKind

pytestmark = pytest.mark.django_db

NOW = datetime.datetime(2027, 3, 10, 10, 0, tzinfo=datetime.UTC)
TODAY = datetime.date(2027, 3, 10)


def days(n: int) -> datetime.date:
    return TODAY + datetime.timedelta(days=n)


@pytest.fixture(autouse=True)
def _now():
    with time_machine.travel(NOW, tick=False):
        yield


@pytest.fixture
def network(db):
    return OrganisationFactory(
        name="Test leaders network", slug="test-leaders", kind=Organisation.Kind.NETWORK
    )


@pytest.fixture
def member(network):
    user = UserFactory(email="leader@example.gov.uk", full_name="Lee Leader", roles=[roles.OWNERS])
    network.members.add(user)
    return user


@pytest.fixture
def pack_world(network, member, department_a, department_b, organiser):
    """One action of each kind the pack sorts, and some it must leave out."""
    overdue = ActionItemFactory(title="Publish the guidance", owner=network, due_date=days(-3))
    due_soon = ActionItemFactory(
        title="Brief the permanent secretaries", owner=network, due_date=days(5)
    )
    slipped = ActionItemFactory(title="Train every press office", owner=network, due_date=days(30))
    due_date_move(action=slipped, by=organiser, new_date=days(75), reason="Budget moves to April")
    done = ActionItemFactory(title="Unblock YouTube", owner=network, due_date=days(-20))
    cascaded = ActionItemFactory(
        title="Take the guidance to every department", owner=network, due_date=days(60)
    )
    copy_a, _copy_b = action_cascade(
        action=cascaded, owners=[department_a, department_b], by=member
    )
    owner = UserFactory(roles=[roles.OWNERS])
    department_a.members.add(owner)
    action_post_update(action=copy_a, by=owner, status=Status.IN_PROGRESS, note="Started")
    question = ContributionFactory(
        group=FlipchartGroupFactory(workshop=overdue.workshop),
        kind=ContributionKind.QUESTION,
        text="When will managers be told they may tweet?",
    )
    action_sources_add(action=overdue, contributions=[question], by=organiser)
    # Done before the last monthly pack: reported then, not again.
    done_before = ActionItemFactory(title="Old news", owner=network, due_date=days(-90))
    with time_machine.travel(NOW - datetime.timedelta(days=40), tick=False):
        action_post_update(action=done_before, by=member, status=Status.DONE, note="Done")
    BoardPackSent.objects.create(
        organisation=network,
        month="2027-02",
        recipients=member.email,
        sent_at=NOW - datetime.timedelta(days=20),
    )
    action_post_update(action=done, by=member, status=Status.DONE, note="All done")
    won_t = ActionItemFactory(title="Never this", owner=network)
    action_post_update(action=won_t, by=member, status=Status.WONT_DO, note="No")
    ActionItemFactory(title="Another body's action", owner=department_b, due_date=days(-1))
    return {
        "overdue": overdue,
        "due_soon": due_soon,
        "slipped": slipped,
        "done": done,
        "cascaded": cascaded,
        "question": question,
    }


def pack_url(organisation, suffix=""):
    name = f"actions:organisation_pack{suffix}"
    return reverse(name, kwargs={"organisation": organisation.slug})


def titles(actions):
    return [action.title for action in actions]


def text_of(html: str) -> str:
    return " ".join(re.sub(r"<[^>]+>", " ", html).split())


def test_the_pack_lists_what_the_organisation_owes(
    network, member, department_a, department_b, pack_world
):
    response = client_for(member).get(pack_url(network))

    assert response.status_code == 200
    pack = response.context["pack"]
    assert titles(pack.overdue) == ["Publish the guidance"]
    assert titles(pack.due_soon) == ["Brief the permanent secretaries"]
    assert titles(pack.slipped) == ["Train every press office"]
    assert titles(pack.done) == ["Unblock YouTube"]
    assert titles(pack.cascaded) == ["Take the guidance to every department"]
    assert [question.text for question in pack.questions] == [pack_world["question"].text]
    shown = text_of(response.text)
    assert "Never this" not in shown
    assert "Old news" not in shown
    assert "Another body's action" not in shown
    assert "Budget moves to April" in shown
    assert "1 of 2 departments have reported; 0 done" in shown
    assert f"{department_a.name}: In progress (updated 10 March 2027)" in shown
    assert f"{department_b.name}: Not started (not reported yet)" in shown
    assert "When will managers be told they may tweet?" in shown
    assert f"Done since {date_format(NOW - datetime.timedelta(days=20))}" in shown


def test_a_department_sees_its_copy_in_its_own_pack_with_where_it_came_from(
    network, department_a, owner_a, pack_world
):
    response = client_for(owner_a).get(pack_url(department_a))

    assert titles(response.context["pack"].actions) == ["Take the guidance to every department"]
    assert "Cascaded from Test leaders network" in text_of(response.text)


@pytest.mark.parametrize("suffix", ["", "_pdf", "_xlsx"])
def test_members_of_another_organisation_get_not_found(network, owner_b, pack_world, suffix):
    assert client_for(owner_b).get(pack_url(network, suffix)).status_code == 404


def test_organisers_read_any_pack_and_visitors_are_sent_to_sign_in(
    client, network, organiser, facilitator, pack_world
):
    assert client_for(organiser).get(pack_url(network)).status_code == 200
    assert client_for(facilitator).get(pack_url(network)).status_code == 404
    assert client.get(pack_url(network)).status_code == 302


def test_your_actions_links_each_of_the_owners_packs(network, member, department_a):
    department_a.members.add(member)

    response = client_for(member).get(reverse("actions:action_list"))

    assert f'href="{pack_url(network)}"' in response.text
    assert f'href="{pack_url(department_a)}"' in response.text


def pdf_text(body: bytes) -> tuple[PdfReader, str]:
    reader = PdfReader(io.BytesIO(body))
    return reader, " ".join(" ".join(page.extract_text() for page in reader.pages).split())


def test_the_pdf_holds_each_actions_title_owner_and_due_date(network, member, pack_world):
    response = client_for(member).get(pack_url(network, "_pdf"))

    assert response["Content-Type"] == "application/pdf"
    assert response["Content-Disposition"] == (
        'attachment; filename="test-leaders-board-pack-2027-03-10.pdf"'
    )
    reader, text = pdf_text(response.content)
    assert text.startswith("Workshop feedback Board pack: Test leaders network 10 March 2027")
    for key in ("overdue", "due_soon", "slipped", "done", "cascaded"):
        action = pack_world[key]
        assert action.title in text
        assert f"Owner: {action.owner.name}" in text
        action.refresh_from_db()
        assert f"Due date: {date_format(action.due_date)}" in text
    assert "Budget moves to April" in text
    assert "1 of 2 departments have reported; 0 done" in text
    # Accessible: a title, the language, a tagged structure.
    assert reader.metadata.title == "Board pack: Test leaders network, 10 March 2027"
    root = reader.trailer["/Root"]
    assert root["/Lang"] == "en-gb"
    assert root["/MarkInfo"]["/Marked"]
    assert "/StructTreeRoot" in root


def test_the_pdf_escapes_nothing_it_should_print_and_runs_nothing_typed(network, member):
    ActionItemFactory(title="<b>Bold</b> & <script>x()</script>", owner=network, due_date=days(2))

    _, text = pdf_text(client_for(member).get(pack_url(network, "_pdf")).content)

    assert "<b>Bold</b> & <script>x()</script>" in text


def test_the_spreadsheet_has_typed_cells_frozen_headings_and_formulas_kept_as_text(
    network, member, pack_world
):
    ActionItemFactory(title='=HYPERLINK("http://evil")', owner=network, due_date=days(100))

    response = client_for(member).get(pack_url(network, "_xlsx"))

    workbook = load_workbook(io.BytesIO(response.content))
    assert workbook.sheetnames == ["Actions", "Questions"]
    actions = workbook["Actions"]
    assert actions.freeze_panes == "A2"
    headings = [cell.value for cell in actions[1]]
    assert headings[:7] == [
        "ID",
        "Standing",
        "Title",
        "Workshop",
        "Owner",
        "Accountable person",
        "Due date",
    ]
    rows = {row[2]: row for row in actions.iter_rows(min_row=2, values_only=True)}
    overdue = rows["Publish the guidance"]
    assert overdue[0] == pack_world["overdue"].pk
    assert overdue[1] == "Overdue"
    assert overdue[4] == "Test leaders network"
    assert overdue[6] == datetime.datetime(2027, 3, 7)
    assert "Budget moves to April" in rows["Train every press office"][10]
    assert rows['\'=HYPERLINK("http://evil")'][2].startswith("'=")
    assert actions.column_dimensions["C"].width > actions.column_dimensions["A"].width
    questions = workbook["Questions"]
    assert [cell.value for cell in questions[2]][1] == "When will managers be told they may tweet?"
    assert [cell.value for cell in questions[2]][5] == "Publish the guidance"


def test_the_command_writes_the_same_files(network, pack_world, tmp_path):
    call_command(
        "board_pack", "Test leaders network", "--format", "pdf", "--output", tmp_path / "p.pdf"
    )
    call_command(
        "board_pack", "test LEADERS network", "--format", "xlsx", "--output", tmp_path / "p.xlsx"
    )

    _, text = pdf_text((tmp_path / "p.pdf").read_bytes())
    assert "Publish the guidance" in text
    sheet = load_workbook(tmp_path / "p.xlsx")["Actions"]
    assert sheet.max_row == 1 + 5


def test_the_command_names_the_organisations_when_it_knows_none_by_that_name(network, tmp_path):
    with pytest.raises(
        CommandError,
        match=r'No organisation is called "Nobody"\. Give one of: .*"Test leaders network"',
    ):
        call_command("board_pack", "Nobody", "--output", tmp_path / "p.pdf")
    assert not (tmp_path / "p.pdf").exists()


def pack_emails():
    return [message for message in mail.outbox if message.subject.startswith("Board pack")]


def test_the_monthly_email_goes_once_a_month_however_often_the_scheduler_runs(
    settings, network, member, pack_world
):
    UserFactory(email="deputy@example.gov.uk", roles=[roles.OWNERS]).organisations.add(network)

    schedule_tick()
    schedule_tick(now=NOW + datetime.timedelta(hours=3))

    sent = pack_emails()
    network_mail = [message for message in sent if "Test leaders network" in message.subject]
    assert sorted(message.to[0] for message in network_mail) == [
        "deputy@example.gov.uk",
        "leader@example.gov.uk",
    ]
    message = network_mail[0]
    assert message.subject == "Board pack for Test leaders network: 10 March 2027"
    assert f"{settings.SITE_URL}{pack_url(network)}" in message.body
    filename, body, content_type = message.attachments[0]
    assert (filename, content_type) == ("test-leaders-board-pack-2027-03-10.pdf", "application/pdf")
    assert "Publish the guidance" in pdf_text(body)[1]
    assert BoardPackSent.objects.filter(organisation=network, month="2027-03").count() == 1

    mail.outbox.clear()
    with time_machine.travel(NOW + datetime.timedelta(days=31), tick=False):
        schedule_tick()
    next_month = [message for message in pack_emails() if "Test leaders" in message.subject]
    assert len(next_month) == 2
    assert BoardPackSent.objects.filter(organisation=network, month="2027-04").count() == 1


def test_a_pack_is_sent_once_when_its_job_runs_twice(network, member, pack_world):
    from actions.tasks import board_pack_email

    assert board_pack_email.call(organisation_id=network.pk, month="2027-03") is True
    assert board_pack_email.call(organisation_id=network.pk, month="2027-03") is False
    assert len(pack_emails()) == 1


def test_done_since_counts_from_the_previous_months_pack_when_sending(network, member, pack_world):
    from actions.services import board_pack_send

    board_pack_send(organisation=network, month="2027-03")

    _, text = pdf_text(pack_emails()[0].attachments[0][1])
    assert "Unblock YouTube" in text
    assert "Old news" not in text


@pytest.mark.jobs_queued
@pytest.mark.parametrize("size", [3, 30])
def test_the_page_costs_the_same_queries_however_many_actions(
    settings, network, member, organiser, size
):
    settings.TASKS = DATABASE_TASKS
    for number in range(size):
        action = ActionItemFactory(owner=network, due_date=days(number - 5))
        due_date_move(action=action, by=organiser, new_date=days(number + 40), reason="Later")
        action_post_update(action=action, by=member, status=Status.IN_PROGRESS, note="Going")
        question = ContributionFactory(
            group=FlipchartGroupFactory(workshop=action.workshop), kind=ContributionKind.QUESTION
        )
        action_sources_add(action=action, contributions=[question], by=organiser)
    client = client_for(member)
    client.get(pack_url(network))  # queues the PDF's rendering, as production does
    with CaptureQueriesContext(connection) as queries:
        response = client.get(pack_url(network))
    assert len(response.context["pack"].actions) == size
    # Session, user, roles, membership, the organisation, the last pack, the actions, one each
    # for their moved dates, copies and waiting questions, and whether the PDF is queued.
    assert len(queries.captured_queries) == 11


@pytest.fixture
def renders(monkeypatch):
    """Counts the PDFs laid out, each still made by WeasyPrint."""
    from actions import packs

    made = []
    lay_out = packs.pdf_of

    def counted(html):
        made.append(html)
        return lay_out(html)

    monkeypatch.setattr(packs, "pdf_of", counted)
    return made


def test_an_unchanged_pack_is_laid_out_once_and_a_change_makes_a_new_pdf(
    network, member, pack_world, renders
):
    client = client_for(member)
    first = client.get(pack_url(network, "_pdf")).content
    second = client.get(pack_url(network, "_pdf")).content

    assert len(renders) == 1
    assert second == first
    action_post_update(
        action=pack_world["overdue"], by=member, status=Status.IN_PROGRESS, note="Drafted at last"
    )
    _, text = pdf_text(client.get(pack_url(network, "_pdf")).content)
    assert len(renders) == 2
    assert "Drafted at last" in text


def test_an_unchanged_pack_later_the_same_day_is_served_as_laid_out_and_the_next_day_anew(
    network, member, pack_world, renders
):
    first = client_for(member).get(pack_url(network, "_pdf")).content
    with time_machine.travel(NOW + datetime.timedelta(hours=5), tick=False):
        later = client_for(member).get(pack_url(network, "_pdf")).content
    with time_machine.travel(NOW + datetime.timedelta(days=1), tick=False):
        _, next_day = pdf_text(client_for(member).get(pack_url(network, "_pdf")).content)

    assert later == first
    assert "as it stood on 10 March 2027 at 10:00" in pdf_text(later)[1]
    assert len(renders) == 2
    assert "as it stood on 11 March 2027" in next_day


def test_the_same_pack_in_welsh_is_another_pdf(settings, network, member, pack_world, renders):
    client = client_for(member)
    client.get(pack_url(network, "_pdf"))
    client.cookies[settings.LANGUAGE_COOKIE_NAME] = "cy"
    client.get(pack_url(network, "_pdf"))

    assert len(renders) == 2
    assert 'lang="cy"' in renders[1]


@pytest.mark.jobs_queued
def test_reading_the_page_has_a_worker_lay_out_the_pdf_once_for_every_reader(
    settings, network, member, organiser, pack_world, renders
):
    settings.TASKS = DATABASE_TASKS
    from django_tasks_db.models import DBTaskResult

    client_for(member).get(pack_url(network))
    client_for(organiser).get(pack_url(network))

    queued = DBTaskResult.objects.filter(task_path="actions.tasks.board_pack_file_render")
    assert queued.count() == 1
    assert renders == []
    run_queued_job(queued.get().id)
    assert len(renders) == 1
    response = client_for(member).get(pack_url(network, "_pdf"))
    assert len(renders) == 1  # served as the worker stored it
    assert "Publish the guidance" in pdf_text(response.content)[1]


@pytest.mark.jobs_queued
def test_a_worker_lays_out_the_pack_as_it_is_now_when_it_changed_after_reading(
    settings, network, member, pack_world, renders
):
    settings.TASKS = DATABASE_TASKS
    from django_tasks_db.models import DBTaskResult

    client = client_for(member)
    client.get(pack_url(network))
    action_post_update(
        action=pack_world["overdue"], by=member, status=Status.IN_PROGRESS, note="Drafted at last"
    )
    run_queued_job(DBTaskResult.objects.get(task_path="actions.tasks.board_pack_file_render").id)

    stored = BoardPackFile.objects.get(organisation=network)
    assert stored.rendered_at is not None  # the one read before the change is gone
    _, text = pdf_text(client.get(pack_url(network, "_pdf")).content)
    assert len(renders) == 1
    assert "Drafted at last" in text


def test_jobs_run_at_once_leave_the_page_to_show_and_the_download_to_lay_out(
    settings, network, member, pack_world, renders
):
    settings.TASKS = IMMEDIATE_TASKS

    client_for(member).get(pack_url(network))

    assert renders == []
    assert not BoardPackFile.objects.exists()


def test_only_an_organisations_newest_pdfs_are_kept(network, member, renders):
    client = client_for(member)
    for number in range(5):
        ActionItemFactory(title=f"Action {number}", owner=network, due_date=days(number))
        client.get(pack_url(network, "_pdf"))

    assert len(renders) == 5
    assert BoardPackFile.objects.filter(organisation=network).count() == 3


def test_the_monthly_email_attaches_the_pdf_it_keeps(network, member, pack_world, renders):
    from actions.services import board_pack_send

    board_pack_send(organisation=network, month="2027-03")

    stored = BoardPackFile.objects.get(organisation=network)
    assert pack_emails()[0].attachments[0][1] == stored.pdf_bytes
    assert stored.render_seconds > 0
