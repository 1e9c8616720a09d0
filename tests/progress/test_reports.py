"""The report back on a workshop: written and previewed by organisers, its figures frozen when it
is published, its followers told once, and the organisers reminded while it is due."""

import datetime

import pytest
import time_machine
from django.core import mail
from django.core.mail import EmailMessage
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.urls import reverse
from django.utils import timezone, translation

from actions.services import action_cascade, action_post_update, due_date_move
from feedback_site.jobs import schedule_tick
from progress.models import ReportNotice, ReportReminderSent, WorkshopReport
from progress.reports import report_due_date
from progress.services import report_publish, report_reminders_send, report_save
from progress.tasks import report_published_tell
from tests.conftest import client_for, without_nonces
from tests.factories import (
    ActionItemFactory,
    ContributionFactory,
    FlipchartGroupFactory,
    OrganisationFactory,
    ThemeFactory,
    UserFactory,
    WorkshopFactory,
)
from tests.progress.test_progress import fill
from workshops.models import Area, Contribution, Follower
from workshops.services import asker_confirm

pytestmark = pytest.mark.django_db

# The workshop fixture is on 4 July 2012, so its report is due on 4 October 2012.
DUE = datetime.date(2012, 10, 4)


def at(day: datetime.date) -> datetime.datetime:
    return datetime.datetime.combine(
        day, datetime.time(9, 30), tzinfo=timezone.get_current_timezone()
    )


def report_url(workshop, name="report"):
    return reverse(f"progress:{name}", kwargs={"slug": workshop.slug})


def progress_url(workshop):
    return reverse("progress:workshop_progress", kwargs={"slug": workshop.slug})


def write(workshop, organiser, **changes):
    fields = {
        "introduction": "We held this workshop to hear how the guidelines work.",
        "next_steps": "We will blog again in the spring.",
        "moved_due_date": None,
    }
    return report_save(workshop=workshop, by=organiser, **(fields | changes))


def follow(workshop, *emails):
    now = timezone.now()
    for email in emails:
        Follower.objects.create(
            workshop=workshop, email=email, consent_at=now, digest_sent_up_to=now
        )


# The report-back date


def test_the_report_is_due_3_calendar_months_after_the_workshop_by_the_actions_rule():
    assert report_due_date(WorkshopFactory(date=datetime.date(2027, 1, 31))) == datetime.date(
        2027, 4, 30
    )


def test_an_organiser_moves_the_report_back_date_and_it_stays_moved(client, workshop, organiser):
    response = client_for(organiser).post(
        report_url(workshop, "report_edit"),
        {"introduction": "Intro", "next_steps": "Next", "moved_due_date": "1 11 2012"},
    )

    assert response.status_code == 302
    workshop.refresh_from_db()
    assert report_due_date(workshop) == datetime.date(2012, 11, 1)


def test_the_report_back_date_follows_the_workshops_date_until_moved(workshop, organiser):
    write(workshop, organiser)
    workshop.date = datetime.date(2012, 8, 31)
    workshop.save()
    workshop.refresh_from_db()

    assert report_due_date(workshop) == datetime.date(2012, 11, 30)


# Writing, previewing and publishing


def test_an_organiser_writes_previews_and_publishes_the_report(client, group, organiser):
    workshop = group.workshop
    training = Area.objects.get(slug="training")
    ContributionFactory(group=group, area=training, text="More courses")
    ActionItemFactory(workshop=workshop, title="Run a course", area=training)
    organiser_client = client_for(organiser)

    form = organiser_client.get(report_url(workshop, "report_edit"))
    assert form.status_code == 200
    assert "3 calendar months after the workshop: 4 October 2012" in form.text

    refused = organiser_client.post(report_url(workshop, "report_edit"), {"next_steps": "x"})
    assert refused.status_code == 200
    assert "Enter an introduction" in refused.text
    assert "govuk-error-summary" in refused.text

    saved = organiser_client.post(
        report_url(workshop, "report_edit"),
        {"introduction": "Why we met", "next_steps": "We will blog", "moved_due_date": ""},
    )
    assert saved.url == report_url(workshop, "report_preview")
    preview = organiser_client.get(saved.url).text
    assert "Why we met" in preview
    assert "Run a course" in preview
    assert "1 contribution was published." in preview
    assert client.get(report_url(workshop)).status_code == 404

    published = organiser_client.post(saved.url)
    assert published.url == report_url(workshop)
    page = client.get(report_url(workshop))
    assert page.status_code == 200
    assert "Why we met" in page.text
    assert "Run a course" in page.text
    assert "We will blog" in page.text


def test_report_pages_for_organisers_refuse_everyone_else(client, workshop, owner_a, facilitator):
    for name in ("report_edit", "report_preview"):
        url = report_url(workshop, name)
        assert client.get(url).url.startswith(reverse("login"))
        assert client_for(owner_a).get(url).status_code == 404
        assert client_for(facilitator).post(url).status_code == 404
    assert not WorkshopReport.objects.exists()


def test_a_draft_report_is_not_found_by_anyone_on_its_public_address(client, workshop, organiser):
    write(workshop, organiser)

    assert client.get(report_url(workshop)).status_code == 404
    assert client_for(organiser).get(report_url(workshop)).status_code == 404
    assert report_url(workshop) not in client.get(progress_url(workshop)).text


def test_a_published_report_of_a_draft_workshop_is_not_found(client, organiser):
    workshop = WorkshopFactory(is_published=False)
    write(workshop, organiser)
    report_publish(workshop=workshop, by=organiser)

    assert client.get(report_url(workshop)).status_code == 404


def test_what_organisers_typed_is_escaped_on_the_report(client, workshop, organiser):
    write(workshop, organiser, introduction="<script>alert(1)</script>")
    report_publish(workshop=workshop, by=organiser)

    html = client.get(report_url(workshop)).text

    assert "<script>alert(1)" not in html
    assert "&lt;script&gt;alert(1)&lt;/script&gt;" in html


# Frozen figures


def test_the_figures_are_frozen_when_published_and_later_changes_show_on_the_progress_page(
    client, group, organiser, department_a
):
    workshop = group.workshop
    training = Area.objects.get(slug="training")
    theme = ThemeFactory(workshop=workshop, area=training, name="Courses")
    ContributionFactory(group=group, area=training, theme=theme, text="More courses")
    action = ActionItemFactory(
        workshop=workshop, area=training, owner=department_a, title="Run a course"
    )
    action_post_update(action=action, by=None, status="in_progress", note="Booked a room")
    write(workshop, organiser, introduction="First words")
    report_publish(workshop=workshop, by=organiser)
    before = without_nonces(client.get(report_url(workshop)).text)

    action_post_update(action=action, by=None, status="done", note="Course held")
    ContributionFactory.create_batch(2, group=group, area=training, theme=theme)
    write(workshop, organiser, introduction="Second thoughts")

    after = without_nonces(client.get(report_url(workshop)).text)
    assert after == before
    assert "Booked a room" in after
    assert "Course held" not in after
    assert "1 contribution was published." in after
    assert "First words" in after
    assert "Second thoughts" not in after
    live = client.get(progress_url(workshop)).text
    assert "Course held" in live
    assert "3 contributions published." in live

    report_publish(workshop=workshop, by=organiser)
    republished = client.get(report_url(workshop)).text
    assert "Course held" in republished
    assert "Second thoughts" in republished


def test_the_report_counts_only_notes_the_public_may_see(client, group, organiser):
    training = Area.objects.get(slug="training")
    theme = ThemeFactory(workshop=group.workshop, area=training, name="Courses")
    ContributionFactory(group=group, area=training, theme=theme, text="Shown")
    ContributionFactory(group=group, area=training, theme=theme, reviewed_at=None)
    ContributionFactory(
        group=group,
        area=training,
        theme=theme,
        text="Call Jo on 07700 900123",
        hidden_from_public=True,
        hidden_reason=Contribution.HiddenReason.PERSONAL_DATA,
    )
    write(group.workshop, organiser)
    report_publish(workshop=group.workshop, by=organiser)

    html = client.get(report_url(group.workshop)).text

    assert "1 contribution was published." in html
    assert "<strong>Courses</strong>: 1 contribution" in html
    assert "07700" not in html


def test_the_report_shows_slipped_dates_with_reasons_cascades_and_answers(
    client, group, organiser, department_a, department_b
):
    workshop = group.workshop
    action = ActionItemFactory(
        workshop=workshop,
        owner=department_a,
        title="Unblock YouTube",
        due_date=datetime.date(2012, 10, 4),
    )
    due_date_move(
        action=action, by=organiser, new_date=datetime.date(2012, 12, 14), reason="New firewall"
    )
    action_cascade(action=action, by=organiser, owners=[department_b, OrganisationFactory()])
    ContributionFactory(
        group=group,
        kind=Contribution.Kind.QUESTION,
        text="Who decides?",
        closure="answered",
        answer="The board decides.",
        closed_at=timezone.now(),
    )
    write(workshop, organiser)
    report_publish(workshop=workshop, by=organiser)

    html = client.get(report_url(workshop)).text

    assert "Due 14 December 2012 (first promised for 4 October 2012)" in html
    assert "moved to 14 December 2012: New firewall" in html
    assert "Cascaded to departments: 0 of 2 departments have reported" in html
    assert "Department B: not started" in html
    assert "Who decides?" in html
    assert "The board decides." in html


# Telling the followers


def test_publishing_tells_each_follower_once_however_often_it_is_published(workshop, organiser):
    follow(workshop, "ann@example.com", "bob@example.com")
    write(workshop, organiser)
    mail.outbox.clear()

    report = report_publish(workshop=workshop, by=organiser)
    report_publish(workshop=workshop, by=organiser)
    report_published_tell.call(report_id=report.pk)

    assert sorted(message.to[0] for message in mail.outbox) == [
        "ann@example.com",
        "bob@example.com",
    ]
    assert all(report.get_absolute_url() in message.body for message in mail.outbox)
    assert ReportNotice.objects.count() == 2


def test_each_follower_is_told_in_the_language_they_confirmed_in(workshop, organiser):
    follow(workshop, "ann@example.com")
    now = timezone.now()
    Follower.objects.create(
        workshop=workshop,
        email="bryn@example.com",
        consent_at=now,
        digest_sent_up_to=now,
        language="cy",
    )
    write(workshop, organiser)
    mail.outbox.clear()

    with translation.override("en-gb"):  # an English-speaking organiser publishes
        report_publish(workshop=workshop, by=organiser)

    subjects = {message.to[0]: message.subject for message in mail.outbox}
    assert subjects["ann@example.com"].startswith("Report back on")
    assert subjects["bryn@example.com"].startswith("Adroddiad adborth ar")


def test_askers_who_gave_an_email_are_told_once_with_the_link_to_delete_it(workshop, organiser):
    group = FlipchartGroupFactory(workshop=workshop)
    asked = ContributionFactory(group=group, kind="question", text="Who decides?")
    asked_again = ContributionFactory(group=group, kind="question", text="And when?")
    asker_confirm(question=asked, email="cat@example.com")
    asker_confirm(question=asked_again, email="Cat@example.com")
    asker_confirm(question=asked_again, email="ann@example.com")
    follow(workshop, "ann@example.com")
    write(workshop, organiser)
    mail.outbox.clear()

    report_publish(workshop=workshop, by=organiser)
    report_published_tell.call(report_id=WorkshopReport.objects.get().pk)

    told = {message.to[0]: message.body for message in mail.outbox}
    assert sorted(told) == ["ann@example.com", "cat@example.com"]
    assert "Stop these emails:" in told["ann@example.com"], "a follower's link unsubscribes"
    assert "Delete it:" in told["cat@example.com"]
    assert reverse("progress:follow", kwargs={"slug": workshop.slug}) not in told["cat@example.com"]
    assert f"/workshops/{workshop.slug}/ask/delete-email/" in told["cat@example.com"]


def test_a_retried_job_emails_only_those_not_yet_told(workshop, organiser, monkeypatch):
    follow(workshop, "ann@example.com", "bob@example.com")
    write(workshop, organiser)
    send = EmailMessage.send

    def mail_server_refuses_bob(message, *args, **kwargs):
        if message.to == ["bob@example.com"]:
            raise ConnectionRefusedError("the mail server is down")
        return send(message, *args, **kwargs)

    monkeypatch.setattr(EmailMessage, "send", mail_server_refuses_bob)
    mail.outbox.clear()
    report_publish(workshop=workshop, by=organiser)
    assert [message.to for message in mail.outbox] == [["ann@example.com"]]

    monkeypatch.setattr(EmailMessage, "send", send)
    report_published_tell.call(report_id=WorkshopReport.objects.get().pk)

    assert [message.to for message in mail.outbox] == [["ann@example.com"], ["bob@example.com"]]


# Reminding the organisers


def reminders_on(day: datetime.date) -> list[str]:
    """The report reminders the scheduler sends on `day`, run twice in the morning and once at
    night; the subjects of what was sent."""
    mail.outbox.clear()
    for moment in (at(day), at(day) + datetime.timedelta(minutes=5)):
        with time_machine.travel(moment, tick=False):
            report_reminders_send()
    with time_machine.travel(at(day) + datetime.timedelta(hours=12), tick=False):
        schedule_tick()
    return [message.subject for message in mail.outbox]


def test_organisers_are_reminded_14_days_before_on_the_day_and_weekly_once_late(
    workshop, organiser
):
    UserFactory(email="second.organiser@example.gov.uk", roles=["Organisers"])
    title = workshop.title

    assert reminders_on(DUE - datetime.timedelta(days=15)) == []
    assert (
        reminders_on(DUE - datetime.timedelta(days=14))
        == [f"Report back due in 14 days: {title}"] * 2
    )
    assert reminders_on(DUE - datetime.timedelta(days=13)) == []
    assert reminders_on(DUE) == [f"Report back due today: {title}"] * 2
    assert reminders_on(DUE + datetime.timedelta(days=6)) == []
    assert (
        reminders_on(DUE + datetime.timedelta(days=7)) == [f"Report back 7 days late: {title}"] * 2
    )
    assert reminders_on(DUE + datetime.timedelta(days=8)) == []
    assert (
        reminders_on(DUE + datetime.timedelta(days=14))
        == [f"Report back 14 days late: {title}"] * 2
    )
    assert ReportReminderSent.objects.count() == 4
    message = mail.outbox[0]
    assert reverse("progress:report_edit", kwargs={"slug": workshop.slug}) in message.body


def test_a_published_report_stops_the_reminders(workshop, organiser):
    write(workshop, organiser)
    report_publish(workshop=workshop, by=organiser)

    assert reminders_on(DUE) == []
    assert reminders_on(DUE + datetime.timedelta(days=7)) == []


def test_reminders_follow_a_moved_report_back_date(workshop, organiser):
    write(workshop, organiser, moved_due_date=DUE + datetime.timedelta(days=30))

    assert reminders_on(DUE) == []
    assert len(reminders_on(DUE + datetime.timedelta(days=30))) == 1


def test_a_missed_run_sends_only_the_latest_step(workshop, organiser):
    with time_machine.travel(at(DUE + datetime.timedelta(days=9)), tick=False):
        sent = report_reminders_send()

    assert [record.step for record in sent] == ["report_overdue"]


# The progress page's line about the report


def progress_line(client, workshop, day: datetime.date) -> str:
    with time_machine.travel(at(day), tick=False):
        html = client.get(progress_url(workshop)).text
    return " ".join(html.split('id="report-back">', 1)[1].split("</p>", 1)[0].split())


def test_the_progress_page_says_when_the_report_is_due_how_late_it_is_then_links_it(
    client, workshop, organiser
):
    assert progress_line(client, workshop, datetime.date(2012, 9, 1)) == (
        "The report back on this workshop is due on 4 October 2012."
    )
    assert progress_line(client, workshop, DUE) == (
        "The report back on this workshop is due today, 4 October 2012."
    )
    assert progress_line(client, workshop, DUE + datetime.timedelta(days=1)) == (
        "The report back on this workshop was due on 4 October 2012. It is 1 day late."
    )
    assert progress_line(client, workshop, DUE + datetime.timedelta(days=12)) == (
        "The report back on this workshop was due on 4 October 2012. It is 12 days late."
    )

    write(workshop, organiser)
    with time_machine.travel(at(DUE + datetime.timedelta(days=13)), tick=False):
        report_publish(workshop=workshop, by=organiser)
    line = progress_line(client, workshop, DUE + datetime.timedelta(days=14))
    assert f'href="{report_url(workshop)}"' in line
    assert "Read the report back on this workshop, published 17 October 2012" in line


# Queries


def page_queries(client, url) -> int:
    with CaptureQueriesContext(connection) as queries:
        assert client.get(url).status_code == 200
    return len(queries)


def test_the_report_and_its_preview_make_the_same_queries_at_10_and_500_contributions(
    client, organiser
):
    small, large = WorkshopFactory(), WorkshopFactory()
    fill(small, 10)
    fill(large, 500)
    for workshop in (small, large):
        write(workshop, organiser)
        report_publish(workshop=workshop, by=organiser)
    organiser_client = client_for(organiser)
    report_counts = [page_queries(client, report_url(workshop)) for workshop in (small, large)]
    preview_counts = [
        page_queries(organiser_client, report_url(workshop, "report_preview"))
        for workshop in (small, large)
    ]

    print(f"FIGURE: report page queries at 10 and 500 contributions: {report_counts}")
    print(f"FIGURE: preview page queries at 10 and 500 contributions: {preview_counts}")
    assert report_counts[0] == report_counts[1] <= 3
    assert preview_counts[0] == preview_counts[1]
