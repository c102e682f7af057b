"""One way in: the Django and Wagtail admins sign people in and out through allauth.

Their own login forms take a password only, with no rate limit and no second factor; allauth's
applies `ACCOUNT_RATE_LIMITS` and asks the TOTP code of staff and superusers
(core.roles.requires_two_factor). portal/urls.py installs these views in place of theirs.
"""

from django.contrib import admin
from django.contrib.auth import REDIRECT_FIELD_NAME
from django.core.exceptions import PermissionDenied
from django.http import HttpResponseRedirect
from django.shortcuts import redirect
from django.urls import reverse
from django.utils.http import urlencode

from core.http import safe_next


def _sign_in_through_allauth(request, *, default, may_enter):
    target = safe_next(request, request.GET.get(REDIRECT_FIELD_NAME), default)
    if request.user.is_authenticated:
        if may_enter(request.user):
            return redirect(target)
        # Signed in but not allowed in: allauth would send them straight back here.
        raise PermissionDenied
    return redirect(f"{reverse('account_login')}?{urlencode({REDIRECT_FIELD_NAME: target})}")


def django_admin_login(request, extra_context=None):
    """Replaces AdminSite.login: a POSTed password is ignored, the person is sent to allauth."""
    return _sign_in_through_allauth(
        request,
        default="admin:index",
        may_enter=lambda user: admin.site.has_permission(request),
    )


def django_admin_logout(request, extra_context=None):
    """Replaces AdminSite.logout: allauth signs out (307 keeps the admin's POST and its token)."""
    response = HttpResponseRedirect(reverse("account_logout"))
    response.status_code = 307
    return response


def wagtail_admin_login(request):
    """Replaces Wagtail's /admin/login/, which would sign an officer in with a password only."""
    return _sign_in_through_allauth(
        request,
        default="wagtailadmin_home",
        may_enter=lambda user: user.has_perm("wagtailadmin.access_admin"),
    )
