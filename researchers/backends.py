"""The authentication backends: Django's and allauth's, each loading the signed-in user of a
request in one query with what nearly every page reads about them — the profile (the name in
the header), the roles (core.roles.roles_of) and whether two-factor sign-in is on (staff must
have it, core.middleware) — instead of a query for each.

They are read afresh on every request, never cached across requests: a role revoked or an
authenticator removed counts from the next request, on every worker."""

from allauth.account import auth_backends
from allauth.mfa.models import Authenticator
from django.contrib.auth import backends, get_user_model
from django.db.models import Exists, OuterRef

from core.roles import ALL_ROLES, remember_roles, remember_two_factor


def signed_in_user(user_id):
    User = get_user_model()
    memberships = User.groups.through.objects.filter(user_id=OuterRef("pk"))
    held = {f"_holds_{role}": Exists(memberships.filter(group__name=role)) for role in ALL_ROLES}
    user = (
        User._default_manager.select_related("profile")
        .annotate(_two_factor=Exists(Authenticator.objects.filter(user_id=OuterRef("pk"))), **held)
        .filter(pk=user_id)
        .first()
    )
    if user is not None:
        remember_roles(user, [role for role in ALL_ROLES if getattr(user, f"_holds_{role}")])
        remember_two_factor(user, user._two_factor)
    return user


class SignedInUser:
    def get_user(self, user_id):
        user = signed_in_user(user_id)
        return user if user is not None and self.user_can_authenticate(user) else None


class ModelBackend(SignedInUser, backends.ModelBackend):
    pass


class AuthenticationBackend(SignedInUser, auth_backends.AuthenticationBackend):
    pass
