from accounts.roles import may_capture_anything, may_own_actions


def roles(request):
    """What the navigation offers. Callables, so pages that never ask (such as the admin) never
    query the roles."""
    return {
        "can_capture": lambda: may_capture_anything(request.user),
        "can_own_actions": lambda: may_own_actions(request.user),
    }
