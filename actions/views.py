from django.http import JsonResponse
from django.shortcuts import get_object_or_404, render
from django.views.decorators.http import require_safe

from actions import exports
from actions.progress import workshop_progress
from workshops.models import Workshop


def published_workshop(slug: str) -> Workshop:
    """A published workshop; drafts are not found, so the public learns nothing of them."""
    return get_object_or_404(Workshop.objects.published(), slug=slug)


@require_safe
def progress(request, slug):
    """You said, we did: what was heard at a workshop and what is being done about it."""
    workshop = published_workshop(slug)
    return render(
        request, "actions/workshop_progress.html", {"progress": workshop_progress(workshop)}
    )


@require_safe
def progress_json(request, slug):
    """The progress page's public data at a stable address, for anyone to reuse."""
    return JsonResponse(
        exports.feed(published_workshop(slug)),
        encoder=exports.HtmlSafeJSONEncoder,
        json_dumps_params={"indent": 2},
    )


@require_safe
def export(request, slug, table, file_format):
    return exports.export_response(published_workshop(slug), table, file_format)
