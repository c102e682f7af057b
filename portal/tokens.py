"""Integration tokens: issue, revoke, and use (issue 15, "Integrations").

One module changes a token, called by the officer pages, the API and the tests alike:

- `issue` (an officer) returns the token and its secret, shown once; the database keeps only the
  secret's SHA-256 digest and a short prefix to tell tokens apart;
- `revoke` (an officer) ends it for good;
- `TokenAuthentication` reads `Authorization: Bearer <secret>` on the API: the call acts as the
  officer who issued the token, so the same per-role rules as the web decide what it may do, and
  `core.rest.TokenScopePermission` limits it to the token's scopes;
- `TokenCallAudit` (middleware) writes one append-only `TokenCall` row per request made with a
  token, whatever its answer.

A secret is 32 random bytes (`secrets.token_urlsafe`), so a plain SHA-256 is enough to store it:
there is nothing to guess that a slow hash would protect (unlike a password)."""

import hashlib
import secrets

from django.core.exceptions import PermissionDenied
from django.db import transaction
from django.utils import timezone
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy
from drf_spectacular.extensions import OpenApiAuthenticationExtension
from rest_framework import authentication, exceptions

from core import roles
from core.http import client_ip
from core.transitions import GuardFailed
from portal.models import IntegrationToken, TokenCall, TokenEntry, TokenScope

SECRET_START = "agp_"  # An Giang portal: tells a leaked secret apart in logs and scanners
PREFIX_LENGTH = 12  # "agp_" and the first 8 random characters, shown in the list
NAME_MAX = 100

NOT_OFFICER = gettext_lazy("Only Department officers may issue or revoke integration tokens.")


def digest_of(secret):
    return hashlib.sha256(secret.encode()).hexdigest()


def may_manage(user):
    return (
        getattr(user, "is_authenticated", False)
        and user.is_active
        and (roles.has_role(user, roles.OFFICER))
    )


def issue_problems(name, scopes):
    """Messages by field for a token that may not be issued as asked."""
    errors = {}
    name = (name or "").strip()
    if not name:
        errors["name"] = [_("Give the token a name: the system that will use it.")]
    elif len(name) > NAME_MAX:
        errors["name"] = [
            _("At most %(limit)d characters (this one has %(count)d).")
            % {"limit": NAME_MAX, "count": len(name)}
        ]
    scopes = list(scopes or [])
    if not scopes:
        errors["scopes"] = [_("Choose at least one thing the token may be used for.")]
    elif set(scopes) - set(TokenScope.values):
        errors["scopes"] = [_("Choose among the scopes listed.")]
    return errors


def issue(*, name, scopes, by, ip=None):
    """Issue a token to `by` (an officer). Returns (token, secret): the secret is never stored
    and cannot be shown again. Audited (`TokenEntry` "issue")."""
    if not may_manage(by):
        raise PermissionDenied(NOT_OFFICER)
    errors = issue_problems(name, scopes)
    if errors:
        raise GuardFailed(errors)
    secret = SECRET_START + secrets.token_urlsafe(32)
    ordered = [scope for scope in TokenScope.values if scope in set(scopes)]
    with transaction.atomic():
        token = IntegrationToken.objects.create(
            name=name.strip(),
            prefix=secret[:PREFIX_LENGTH],
            digest=digest_of(secret),
            scopes=ordered,
            issued_by=by,
        )
        TokenEntry.objects.create(token=token, action=TokenEntry.Action.ISSUE, by=by, ip=ip)
    return token, secret


def revoke(token, *, by, ip=None):
    """Revoke a token for good (any officer may: the Department's tokens outlive a person's
    post). A token already revoked is refused with a message. Audited (`TokenEntry` "revoke")."""
    if not may_manage(by):
        raise PermissionDenied(NOT_OFFICER)
    with transaction.atomic():
        locked = IntegrationToken.objects.select_for_update().get(pk=token.pk)
        if locked.revoked_at is not None:
            raise GuardFailed({"__all__": [_("This token was already revoked.")]})
        locked.revoked_at = timezone.now()
        locked.revoked_by = by
        locked.save(update_fields=["revoked_at", "revoked_by"])
        TokenEntry.objects.create(token=locked, action=TokenEntry.Action.REVOKE, by=by, ip=ip)
    return locked


def bearer_secret(request):
    """The secret of `Authorization: Bearer <secret>`, or None when the header is another kind."""
    header = request.META.get("HTTP_AUTHORIZATION", "")
    kind, _space, secret = header.strip().partition(" ")
    if kind.lower() != "bearer":
        return None
    return secret.strip()


class TokenAuthentication(authentication.BaseAuthentication):
    """`Authorization: Bearer <secret>`: the call is made as the token's issuer.

    Unknown or revoked secret, or an issuer whose account was closed: 401. An issuer who is no
    longer an officer: 403 (the token stays, unusable, until revoked or the role comes back).
    Without a Bearer header it steps aside (the session, or a visitor)."""

    keyword = "Bearer"

    def authenticate(self, request):
        secret = bearer_secret(request)
        if secret is None:
            return None
        token = (
            IntegrationToken.objects.select_related("issued_by")
            .filter(digest=digest_of(secret))
            .first()
            if secret
            else None
        )
        if token is None:
            raise exceptions.AuthenticationFailed(_("This token is not valid."))
        request._request.integration_token = token  # for TokenCallAudit, whatever comes next
        if token.revoked_at is not None:
            raise exceptions.AuthenticationFailed(_("This token was revoked."))
        issuer = token.issued_by
        if not issuer.is_active:
            raise exceptions.AuthenticationFailed(
                _("The account that issued this token is closed.")
            )
        if not roles.has_role(issuer, roles.OFFICER):
            raise exceptions.PermissionDenied(
                _("The person who issued this token is no longer a Department officer.")
            )
        now = timezone.now()
        IntegrationToken.objects.filter(pk=token.pk).update(last_used_at=now)
        token.last_used_at = now
        return issuer, token

    def authenticate_header(self, request):
        # Only a caller who sent a token is told to send a (better) one: a visitor without one
        # keeps the 403 of the session-authenticated API (the web's rule for visitors).
        if bearer_secret(request) is not None:
            return f'{self.keyword} realm="api"'
        return None


class TokenCallAudit:
    """Middleware: one `TokenCall` per request that carried a known token (its answer's status,
    the client's address from core.http.client_ip)."""

    def __init__(self, get_response):
        self.get_response = get_response

    def __call__(self, request):
        response = self.get_response(request)
        token = getattr(request, "integration_token", None)
        if token is not None:
            TokenCall.objects.create(
                token=token,
                method=request.method[:8],
                path=request.path[:300],
                status=response.status_code,
                ip=client_ip(request),
            )
        return response


class TokenAuthenticationScheme(OpenApiAuthenticationExtension):
    """The OpenAPI schema names the bearer scheme (drf-spectacular finds this by its target)."""

    target_class = "portal.tokens.TokenAuthentication"
    name = "integrationToken"

    def get_security_definition(self, auto_schema):
        return {
            "type": "http",
            "scheme": "bearer",
            "description": (
                "An integration token issued by a Department officer at /integrations/tokens/: "
                "`Authorization: Bearer agp_…`. It acts as that officer, limited to its scopes "
                "(public, dossier_status, workflow)."
            ),
        }
