"""The public progress page, cached whole and answered with 304 while it has not changed.

A page is cached under its workshop's `progress_version`, so a new version drops it. The services'
bulk writes renew the version themselves; every single-row save or delete of something the page
shows renews it through the receivers below. They are signals, not service calls, because the
admin's own forms save these rows too, and a stale public page is a bug."""

import hashlib
import uuid
from typing import NamedTuple

from django.conf import settings
from django.core.cache import cache
from django.db.models import Q, QuerySet
from django.db.models.signals import post_save, pre_delete, pre_save
from django.http import Http404, HttpResponse
from django.middleware.csp import get_nonce
from django.utils import timezone
from django.utils.cache import patch_vary_headers
from django.utils.translation import get_language

from actions.models import ActionItem, ActionSource, DueDateChange, Organisation, StatusUpdate
from workshops.models import (
    AnswerToReview,
    Area,
    Contribution,
    FlipchartGroup,
    OpenQuestion,
    Theme,
    Workshop,
    online_channel_open,
)
from workshops.services import workshops_progress_changed

CACHE_SECONDS = 24 * 60 * 60
NONCE_PLACEHOLDER = b"\x00csp-nonce\x00"

# For each model the page shows: the workshops whose pages show a given row.
SHOWN_ON = {
    Workshop: lambda pk: Q(pk=pk),
    FlipchartGroup: lambda pk: Q(groups=pk),
    Theme: lambda pk: Q(themes=pk),
    Contribution: lambda pk: Q(groups__contributions=pk),
    OpenQuestion: lambda pk: Q(groups__contributions=pk),
    AnswerToReview: lambda pk: Q(groups__contributions=pk),
    ActionItem: lambda pk: Q(actions=pk),
    StatusUpdate: lambda pk: Q(actions__updates=pk),
    DueDateChange: lambda pk: Q(actions__due_date_changes=pk),
    ActionSource: lambda pk: Q(actions__sources=pk) | Q(groups__contributions__action_sources=pk),
    Organisation: lambda pk: Q(actions__owner=pk),
    Area: lambda pk: Q(),
}


def workshops_showing(instance) -> QuerySet[Workshop]:
    return Workshop.objects.filter(SHOWN_ON[type(instance)](instance.pk))


def _before_change(sender, instance, raw=False, **kwargs):
    """Renews the pages that show the row as it was: it may move to another workshop, or go."""
    if not raw and instance.pk is not None:
        workshops_progress_changed(workshops=workshops_showing(instance))


def _after_save(sender, instance, raw=False, **kwargs):
    if not raw:
        workshops_progress_changed(workshops=workshops_showing(instance))


for model in SHOWN_ON:
    pre_save.connect(_before_change, sender=model, dispatch_uid=f"progress-pre-save-{model}")
    pre_delete.connect(_before_change, sender=model, dispatch_uid=f"progress-delete-{model}")
    post_save.connect(_after_save, sender=model, dispatch_uid=f"progress-post-save-{model}")


def is_shared_request(request) -> bool:
    """Whether the visitor sees the page everyone sees: not signed in and no messages waiting."""
    return not request.COOKIES.keys() & {settings.SESSION_COOKIE_NAME, "messages"}


class PageVersion(NamedTuple):
    """What a cached page is known by: its workshop, that workshop's version and whether its
    online channel is open (the page links to it only while it is, and opening and closing are
    moments, not changes)."""

    pk: int
    progress_version: uuid.UUID
    online_open: bool

    def online_is_open(self) -> bool:
        return self.online_open


def published_page_version(slug: str) -> PageVersion:
    """A published workshop's version, read without building the workshop: on the cached path
    it is all the page needs from the database. Drafts are not found."""
    found = (
        Workshop.objects.published()
        .filter(slug=slug)
        .order_by()
        .values_list("pk", "progress_version", "online_opens_at", "online_closes_at")
    )
    for pk, version, opens_at, closes_at in found[:1]:
        return PageVersion(pk, version, online_channel_open(opens_at, closes_at))
    raise Http404


def page_etag(workshop: Workshop | PageVersion) -> str:
    """Changes with the workshop's version, with the day, as the page counts days waiting, and
    with the language it is shown in, and when its online channel opens or closes."""
    channel = "-ask" if workshop.online_is_open() else ""
    return f'"{workshop.progress_version}-{timezone.localdate():%Y%m%d}{channel}-{get_language()}"'


def _cache_key(request, workshop: Workshop | PageVersion) -> str:
    host = hashlib.sha256(request.get_host().encode()).hexdigest()[:16]
    return f"progress-page:{workshop.pk}:{page_etag(workshop)}:{host}"


def cached_page(request, workshop: PageVersion) -> HttpResponse | None:
    content = cache.get(_cache_key(request, workshop))
    if content is None:
        return None
    response = HttpResponse(content.replace(NONCE_PLACEHOLDER, str(get_nonce(request)).encode()))
    return shared_page(response, workshop)


def cache_page(request, workshop: PageVersion, response: HttpResponse) -> HttpResponse:
    """Keeps the page with its CSP nonce taken out; each answer from the cache gets a new one."""
    nonce = get_nonce(request)
    content = response.content
    if nonce:
        content = content.replace(str(nonce).encode(), NONCE_PLACEHOLDER)
    cache.set(_cache_key(request, workshop), content, CACHE_SECONDS)
    return shared_page(response, workshop)


def shared_page(response: HttpResponse, workshop: PageVersion) -> HttpResponse:
    response["ETag"] = page_etag(workshop)
    response["Cache-Control"] = "no-cache"
    patch_vary_headers(response, ["Cookie"])
    return response
