from django.conf import settings
from django.utils.translation import gettext


def service(request):
    match = getattr(request, "resolver_match", None)
    return {
        "service_name": gettext(settings.SERVICE_NAME),
        "service_phase": gettext(settings.SERVICE_PHASE),
        "service_contact_email": settings.SERVICE_CONTACT_EMAIL,
        # Empty on pages no URL matched, such as a 404.
        "current_view_name": match.view_name if match else "",
    }
