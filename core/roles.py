"""The portal's roles: Django groups with untranslated names, and who may grant them.

Role names are constants so that look-ups never depend on the active language; the labels
shown to people are translated separately.
"""

from django.core.exceptions import PermissionDenied
from django.db import transaction
from django.utils.translation import gettext_lazy as _

RESEARCHER = "researcher"
BUSINESS = "business"
REVIEWER = "reviewer"
OFFICER = "officer"
MANAGER = "manager"

ALL_ROLES = (RESEARCHER, BUSINESS, REVIEWER, OFFICER, MANAGER)
SIGNUP_ROLES = (RESEARCHER, BUSINESS)
STAFF_ROLES = (OFFICER, MANAGER)

ROLE_LABELS = {
    RESEARCHER: _("Researcher"),
    BUSINESS: _("Business"),
    REVIEWER: _("Council member"),
    OFFICER: _("Department officer"),
    MANAGER: _("Department leadership"),
}


def roles_of(user):
    """The set of role names a user holds, cached on the user object for the request."""
    if not getattr(user, "is_authenticated", False):
        return frozenset()
    cached = getattr(user, "_portal_roles", None)
    if cached is None:
        cached = frozenset(user.groups.filter(name__in=ALL_ROLES).values_list("name", flat=True))
        user._portal_roles = cached
    return cached


def remember_roles(user, roles):
    """Roles read with the user (researchers.backends): roles_of asks no more for this request."""
    user._portal_roles = frozenset(roles)


def remember_two_factor(user, enabled):
    """Whether the user has an authenticator, read with the user (researchers.backends)."""
    user._portal_two_factor = bool(enabled)


def has_two_factor(user):
    """Whether the user has turned on two-factor sign-in (any allauth authenticator)."""
    known = getattr(user, "_portal_two_factor", None)
    if known is None:
        from allauth.mfa.utils import is_mfa_enabled

        known = is_mfa_enabled(user)
    return known


def has_role(user, *roles):
    return bool(roles_of(user).intersection(roles))


def requires_two_factor(user):
    """Department staff handle other people's data and money, and whoever opens the Django
    admin (superusers, and any account marked staff) reaches every record: all use TOTP."""
    if not getattr(user, "is_authenticated", False):
        return False
    return user.is_superuser or user.is_staff or has_role(user, *STAFF_ROLES)


def _appoints_self(granter, role, user):
    return role == REVIEWER and user is not None and user.pk == getattr(granter, "pk", None)


def can_grant(granter, role, user=None):
    """Officers appoint council members; only system administrators create staff; no one
    appoints themselves to a council (DESIGN.md), not even an administrator."""
    if role not in ALL_ROLES or not getattr(granter, "is_authenticated", False):
        return False
    if _appoints_self(granter, role, user):
        return False
    if granter.is_superuser:
        return True
    return role == REVIEWER and has_role(granter, OFFICER)


def _change_role(user, role, *, by, action):
    from django.contrib.auth.models import Group

    from core.models import RoleChange

    if not can_grant(by, role):
        raise PermissionDenied(_("You may not change this role."))
    with transaction.atomic():
        group = Group.objects.get(name=role)
        if action == RoleChange.Action.GRANT:
            user.groups.add(group)
        else:
            user.groups.remove(group)
        RoleChange.objects.create(user=user, role=role, action=action, changed_by=by)
    user.__dict__.pop("_portal_roles", None)


def grant_role(user, role, *, by):
    """Give `user` the role `role`; `by` must be allowed to grant it (see can_grant)."""
    from core.models import RoleChange

    if _appoints_self(by, role, user):
        raise PermissionDenied(
            _("No one appoints themselves to a council: another officer must appoint you.")
        )

    _change_role(user, role, by=by, action=RoleChange.Action.GRANT)


def revoke_role(user, role, *, by):
    from core.models import RoleChange

    _change_role(user, role, by=by, action=RoleChange.Action.REVOKE)


def assign_signup_role(user, role):
    """A new account picks its own role, but only one of the self-service roles."""
    from django.contrib.auth.models import Group

    from core.models import RoleChange

    if role not in SIGNUP_ROLES:
        raise PermissionDenied(_("This role cannot be chosen at signup."))
    user.groups.add(Group.objects.get(name=role))
    RoleChange.objects.create(user=user, role=role, action=RoleChange.Action.GRANT, changed_by=user)
    user.__dict__.pop("_portal_roles", None)
