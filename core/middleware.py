from django.conf import settings
from django.contrib import messages
from django.shortcuts import redirect
from django.urls import reverse
from django.utils.translation import gettext as _

from core.roles import has_two_factor, requires_two_factor

# Paths a staff member without two-factor may still reach: setting it up, leaving, assets.
ALLOWED_PREFIXES = ("/static/", "/media/", "/healthz", "/i18n/")
ALLOWED_ACCOUNT_PREFIXES = ("/accounts/2fa/", "/accounts/logout/", "/accounts/reauthenticate/")


class StaffTwoFactorMiddleware:
    """Officers, managers and administrators use the portal only after activating TOTP."""

    def __init__(self, get_response):
        self.get_response = get_response

    def __call__(self, request):
        user = getattr(request, "user", None)
        if (
            user is not None
            and user.is_authenticated
            and requires_two_factor(user)
            and not self._is_allowed(request.path)
            and not has_two_factor(user)
        ):
            messages.warning(
                request,
                _("Department staff must turn on two-factor sign-in before continuing."),
            )
            return redirect(reverse("mfa_activate_totp"))
        return self.get_response(request)

    @staticmethod
    def _is_allowed(path):
        if path.startswith(ALLOWED_PREFIXES):
            return True
        # allauth's pages at the root or under a language prefix (/en/accounts/2fa/), and only
        # there: "/django-admin/…/accounts/2fa/" is still the admin.
        language = path.split("/")[1] if path.count("/") > 1 else ""
        if language in {code for code, _name in settings.LANGUAGES}:
            path = path[len(language) + 1 :]
        return path.startswith(ALLOWED_ACCOUNT_PREFIXES)
