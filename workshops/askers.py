"""People who asked online and want to be told the answer: the signed links that confirm their
email address (nothing is kept until they do) and let them have it deleted, the addresses a
workshop may tell, and the email that tells each outcome of their question once."""

import datetime

from django.conf import settings
from django.core.mail import send_mail
from django.db import transaction
from django.template.loader import render_to_string
from django.urls import reverse
from django.utils import timezone, translation
from django.utils.translation import gettext

from feedback_site.emails import normalise_email, subject_line
from feedback_site.signed_links import LinkInvalid, link_data, link_token
from workshops.models import Asker, Contribution, Workshop

CONFIRM_SALT = "workshops.asker.confirm"
FORGET_SALT = "workshops.asker.forget"


def _path(name: str, question: Contribution, email: str, *, salt: str, expires: bool) -> str:
    token = link_token({"q": question.pk, "e": normalise_email(email)}, salt=salt, expires=expires)
    return reverse(name, kwargs={"slug": question.group.workshop.slug, "token": token})


def confirm_path(question: Contribution, email: str) -> str:
    return _path("progress:asker_confirm", question, email, salt=CONFIRM_SALT, expires=True)


def forget_path(question: Contribution, email: str) -> str:
    return _path("progress:asker_forget", question, email, salt=FORGET_SALT, expires=False)


def _question_and_email(
    token: str, workshop: Workshop, *, salt: str, max_age=None
) -> tuple[Contribution, str]:
    data = link_data(token, salt=salt, max_age=max_age)
    question = (
        Contribution.objects.present()
        .filter(pk=data.get("q"), group__workshop=workshop)
        .select_related("group__workshop")
        .first()
    )
    if question is None or not data.get("e"):
        raise LinkInvalid
    return question, data["e"]


def question_to_confirm(token: str, workshop: Workshop) -> tuple[Contribution, str]:
    """The question and address a confirmation link was sent for, if genuine and still fresh."""
    max_age = datetime.timedelta(hours=settings.FOLLOW_CONFIRM_MAX_AGE_HOURS)
    return _question_and_email(token, workshop, salt=CONFIRM_SALT, max_age=max_age)


def question_to_forget(token: str, workshop: Workshop) -> tuple[Contribution, str]:
    return _question_and_email(token, workshop, salt=FORGET_SALT)


def send_confirmation(*, question: Contribution, email: str, site_url: str) -> None:
    """Email the link that keeps the address to tell the answer; nothing is kept until it is
    used."""
    context = {
        "question": question,
        "workshop": question.group.workshop,
        "confirm_url": site_url + confirm_path(question, email),
        "hours": settings.FOLLOW_CONFIRM_MAX_AGE_HOURS,
    }
    send_mail(
        subject_line(gettext("Confirm you want to be told the answer")),
        render_to_string("workshops/email/asker_confirm.txt", context),
        None,
        [email],
    )


def asker_emails(workshop: Workshop) -> set[str]:
    """Every confirmed address of people who asked about this workshop: whoever tells them
    something (an answer, the report back) tells only these."""
    return set(
        Asker.objects.filter(question__group__workshop=workshop).values_list("email", flat=True)
    )


def answer_send(*, question_id: int) -> bool:
    """Tell the asker the question's outcome (answered, routed to an action, closed) once: the
    outcome told is recorded in the transaction that sends it, and the email goes before the
    commit, so a failed send records nothing and a second run sends nothing."""
    with transaction.atomic():
        asker = (
            Asker.objects.select_for_update(of=("self",))
            .select_related("question__group__workshop")
            .filter(question_id=question_id)
            .first()
        )
        if asker is None:
            return False
        question = asker.question
        if question.closed_at is None or asker.told_closure == question.closure:
            return False
        asker.told_closure = question.closure
        asker.told_at = timezone.now()
        asker.save(update_fields=["told_closure", "told_at"])
        with translation.override(asker.language):
            send_mail(*answer_message(asker))
        return True


def answer_message(asker: Asker) -> tuple:
    question = asker.question
    workshop = question.group.workshop
    progress_path = reverse("progress:workshop_progress", kwargs={"slug": workshop.slug})
    context = {
        "question": question,
        "workshop": workshop,
        "actions": list(question.actions.order_by("pk")) if question.closure == "routed" else [],
        "question_url": f"{settings.SITE_URL}{progress_path}#question-{question.pk}",
        "forget_url": settings.SITE_URL + forget_path(question, asker.email),
    }
    return (
        subject_line(gettext("Your question about %(title)s") % {"title": workshop.title}),
        render_to_string("workshops/email/asker_answer.txt", context),
        None,
        [asker.email],
    )
