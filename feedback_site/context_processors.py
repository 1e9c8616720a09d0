from django.conf import settings


def service(request):
    match = getattr(request, "resolver_match", None)
    return {
        "service_name": settings.SERVICE_NAME,
        "service_phase": settings.SERVICE_PHASE,
        "service_contact_email": settings.SERVICE_CONTACT_EMAIL,
        # Empty on pages no URL matched, such as a 404.
        "current_view_name": match.view_name if match else "",
    }
