from django.conf import settings

from workshops.roles import may_capture_anything, may_own_actions


def service(request):
    match = getattr(request, "resolver_match", None)
    return {
        "service_name": settings.SERVICE_NAME,
        "service_phase": settings.SERVICE_PHASE,
        # Empty on pages no URL matched, such as a 404.
        "current_view_name": match.view_name if match else "",
        # Callables, so pages that never ask (such as the admin) never query the roles.
        "can_capture": lambda: may_capture_anything(request.user),
        "can_own_actions": lambda: may_own_actions(request.user),
    }
