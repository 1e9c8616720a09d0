"""Who is who: the three roles are Django groups, created by a data migration."""

ORGANISERS = "Organisers"
FACILITATORS = "Facilitators"
OWNERS = "Owners"


def role_names(user) -> frozenset[str]:
    """The role groups a user belongs to, read once per user object."""
    if not user.is_authenticated or not user.is_active:
        return frozenset()
    if not hasattr(user, "_role_names"):
        user._role_names = frozenset(user.groups.values_list("name", flat=True))
    return user._role_names


def is_organiser(user) -> bool:
    return (
        user.is_authenticated
        and user.is_active
        and (user.is_superuser or ORGANISERS in role_names(user))
    )


def is_facilitator(user) -> bool:
    return FACILITATORS in role_names(user)


def is_owner(user) -> bool:
    return OWNERS in role_names(user)
