"""Following a workshop by email: signed links to confirm and unsubscribe, and daily digests."""

import datetime
import logging
from dataclasses import dataclass

from django.conf import settings
from django.core.mail import send_mail
from django.db import transaction
from django.db.models.functions import Coalesce
from django.template.loader import render_to_string
from django.urls import reverse
from django.utils import timezone, translation
from django.utils.translation import gettext

from actions.models import DueDateChange, StatusUpdate
from feedback_site.emails import subject_line
from feedback_site.signed_links import LinkInvalid, link_data, link_token
from workshops.models import Contribution, Follower, Workshop

logger = logging.getLogger(__name__)

CONFIRM_SALT = "workshops.follow.confirm"
UNSUBSCRIBE_SALT = "workshops.follow.unsubscribe"


def _token(workshop: Workshop, email: str, *, salt: str, expires: bool) -> str:
    return link_token({"w": workshop.pk, "e": email.strip().lower()}, salt=salt, expires=expires)


def _email_from(token: str, workshop: Workshop, *, max_age=None, salt: str) -> str:
    data = link_data(token, salt=salt, max_age=max_age)
    if data.get("w") != workshop.pk or not data.get("e"):
        raise LinkInvalid
    return data["e"]


def confirm_path(workshop: Workshop, email: str) -> str:
    token = _token(workshop, email, salt=CONFIRM_SALT, expires=True)
    return reverse("progress:follow_confirm", kwargs={"slug": workshop.slug, "token": token})


def unsubscribe_path(workshop: Workshop, email: str) -> str:
    token = _token(workshop, email, salt=UNSUBSCRIBE_SALT, expires=False)
    return reverse("progress:follow_unsubscribe", kwargs={"slug": workshop.slug, "token": token})


def email_to_confirm(token: str, workshop: Workshop) -> str:
    """The address a confirmation link was sent to, if the link is genuine and still fresh."""
    max_age = datetime.timedelta(hours=settings.FOLLOW_CONFIRM_MAX_AGE_HOURS)
    return _email_from(token, workshop, max_age=max_age, salt=CONFIRM_SALT)


def email_to_unsubscribe(token: str, workshop: Workshop) -> str:
    return _email_from(token, workshop, salt=UNSUBSCRIBE_SALT)


def send_confirmation(*, workshop: Workshop, email: str, site_url: str) -> None:
    """Email the link that starts a follow; nothing is stored until it is used."""
    context = {
        "workshop": workshop,
        "confirm_url": site_url + confirm_path(workshop, email),
        "unsubscribe_url": site_url + unsubscribe_path(workshop, email),
        "hours": settings.FOLLOW_CONFIRM_MAX_AGE_HOURS,
    }
    send_mail(
        subject_line(gettext("Confirm you want updates on %(title)s") % {"title": workshop.title}),
        render_to_string("progress/email/follow_confirm.txt", context),
        None,
        [email],
    )


@dataclass
class Digest:
    updates: list[StatusUpdate]
    moves: list[DueDateChange]
    answers: list[Contribution]

    def __bool__(self):
        return bool(self.updates or self.moves or self.answers)


def digest_for(workshop: Workshop, since: datetime.datetime, until: datetime.datetime) -> Digest:
    """Status changes, due dates moved (a proposal only once approved) and closed questions of
    a workshop in (since, until], public facts only."""
    updates = (
        StatusUpdate.objects.filter(
            action__workshop=workshop, created_at__gt=since, created_at__lte=until
        )
        .select_related("action__owner")
        .order_by("created_at", "pk")
    )
    moves = (
        DueDateChange.objects.filter(
            action__workshop=workshop, state__in=DueDateChange.MOVED_STATES
        )
        .alias(moved=Coalesce("decided_at", "at"))
        .filter(moved__gt=since, moved__lte=until)
        .select_related("action__owner")
        .order_by("moved", "pk")
    )
    answers = (
        Contribution.objects.public()
        .questions()
        .filter(group__workshop=workshop, closed_at__gt=since, closed_at__lte=until)
        .order_by("closed_at", "pk")
    )
    return Digest(updates=list(updates), moves=list(moves), answers=list(answers))


def digests_send(*, until: datetime.datetime | None = None) -> int:
    """Send each follower of a published workshop what changed since their last digest, once.
    A failed send is logged and left for the next run."""
    until = until or timezone.now()
    pending = Follower.objects.filter(
        workshop__is_published=True, digest_sent_up_to__lt=until
    ).values_list("pk", flat=True)
    sent = 0
    for pk in list(pending):
        try:
            sent += digest_send(follower_pk=pk, until=until)
        except Exception:
            logger.exception("Digest for follower %s not sent", pk)
    return sent


def digest_send(*, follower_pk: int, until: datetime.datetime) -> bool:
    """Move one follower's watermark and send their digest in its own transaction. The email
    goes before the commit, so a failed send moves nothing; a run at the same time skips the
    locked follower instead of sending the same changes again."""
    with transaction.atomic(durable=True):
        follower = (
            Follower.objects.select_for_update(skip_locked=True, of=("self",))
            .select_related("workshop")
            .filter(pk=follower_pk, digest_sent_up_to__lt=until)
            .first()
        )
        if follower is None:
            return False
        digest = digest_for(follower.workshop, follower.digest_sent_up_to, until)
        follower.digest_sent_up_to = until
        follower.save(update_fields=["digest_sent_up_to"])
        if not digest:
            return False
        with translation.override(follower.language):
            send_mail(*digest_message(follower, digest))
        return True


def digest_message(follower: Follower, digest: Digest) -> tuple:
    workshop = follower.workshop
    context = {
        "workshop": workshop,
        "digest": digest,
        "progress_url": settings.SITE_URL
        + reverse("progress:workshop_progress", kwargs={"slug": workshop.slug}),
        "unsubscribe_url": settings.SITE_URL + unsubscribe_path(workshop, follower.email),
    }
    return (
        subject_line(gettext("Progress on %(title)s") % {"title": workshop.title}),
        render_to_string("progress/email/digest.txt", context),
        None,
        [follower.email],
    )
