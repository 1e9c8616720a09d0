"""Who may do what, in one place: the predicates and narrowed querysets that views, admin and
model querysets all use. The three roles are Django groups, created by a data migration."""

from functools import wraps

from django.apps import apps
from django.contrib.auth.decorators import login_required
from django.http import Http404

ORGANISERS = "Organisers"
FACILITATORS = "Facilitators"
OWNERS = "Owners"


def role_names(user) -> frozenset[str]:
    """The role groups a user belongs to, read once per user object (so once per request)."""
    if not is_signed_in(user):
        return frozenset()
    if not hasattr(user, "_role_names"):
        user._role_names = frozenset(user.groups.values_list("name", flat=True))
    return user._role_names


def is_signed_in(user) -> bool:
    return user.is_authenticated and user.is_active


def is_organiser(user) -> bool:
    return is_signed_in(user) and (user.is_superuser or ORGANISERS in role_names(user))


def is_facilitator(user) -> bool:
    return FACILITATORS in role_names(user)


def is_owner(user) -> bool:
    return OWNERS in role_names(user)


def may_capture_anything(user) -> bool:
    return is_facilitator(user) or is_organiser(user)


def may_own_actions(user) -> bool:
    return is_owner(user) or is_organiser(user)


def may_see_drafts(user) -> bool:
    return is_organiser(user)


def may_run_workshops(user) -> bool:
    return is_organiser(user)


def may_decide_due_dates(user) -> bool:
    return is_organiser(user)


def is_member_of(user, organisation_id: int) -> bool:
    """Whether the user belongs to the organisation, asked once per user object (so at most once
    per request) for each organisation."""
    if not is_signed_in(user):
        return False
    if not hasattr(user, "_member_of"):
        user._member_of = {}
    if organisation_id not in user._member_of:
        user._member_of[organisation_id] = user.organisations.filter(pk=organisation_id).exists()
    return user._member_of[organisation_id]


def may_accept(user, action) -> bool:
    """Only a member of the owning organisation accepts an action on its behalf."""
    return is_member_of(user, action.owner_id)


def may_use_admin(user) -> bool:
    """The admin is the organisers' tool; "staff status" alone opens nothing."""
    return is_organiser(user) and user.is_staff


def may_grant_permissions(user) -> bool:
    """Only a superuser makes superusers or hands out single permissions."""
    return is_signed_in(user) and user.is_superuser


def may_change_person(user, person) -> bool:
    """Organisers manage people, but never a superuser unless they are one."""
    return may_use_admin(user) and (may_grant_permissions(user) or not person.is_superuser)


def workshops_for(user):
    """Workshops this user may see."""
    return apps.get_model("workshops", "Workshop").objects.visible_to(user)


def groups_for(user):
    """Flipchart groups this user may capture for."""
    return apps.get_model("workshops", "FlipchartGroup").objects.capturable_by(user)


def actions_for(user):
    """Actions this user may see: their own and the other end of each cascade they are part of.
    Looked up by name: actions depends on workshops, not back."""
    return apps.get_model("actions", "ActionItem").objects.visible_to(user)


def actions_owned_for(user):
    """Actions this user acts on: lists as theirs and posts updates to."""
    return apps.get_model("actions", "ActionItem").objects.acted_on_by(user)


def may_update(user, action) -> bool:
    """Organisers, and members of the owning organisation, post an action's updates; seeing a
    cascaded action from the other end is reading only."""
    return is_organiser(user) or (is_owner(user) and is_member_of(user, action.owner_id))


def may_cascade(user, action) -> bool:
    """Those who update an action cascade it to departments; a department's copy is not cascaded
    again, so every roll-up is one level deep."""
    return action.parent_id is None and may_update(user, action)


def may_see_board_pack(user, organisation) -> bool:
    """An organisation's board pack is for its members in the Owners role, and for organisers."""
    return is_organiser(user) or (is_owner(user) and is_member_of(user, organisation.pk))


def board_pack_organisations_for(user):
    """The organisations whose board packs "Your actions" links to: the owner's own."""
    organisations = apps.get_model("actions", "Organisation").objects
    return organisations.filter(members=user) if is_owner(user) else organisations.none()


def role_required(rule):
    """Run the view only for users the rule admits: visitors are sent to sign in, everyone else
    gets "not found", so the page reveals nothing about what it holds."""

    def decorator(view):
        @login_required
        @wraps(view)
        def guarded(request, *args, **kwargs):
            if not rule(request.user):
                raise Http404
            return view(request, *args, **kwargs)

        return guarded

    return decorator
