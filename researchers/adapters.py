from allauth.account.adapter import DefaultAccountAdapter
from django.core.exceptions import PermissionDenied
from django.db import transaction
from django.utils import timezone

from core import roles


class AccountAdapter(DefaultAccountAdapter):
    """Signup gives the chosen role (researcher or business), a profile and recorded consent;
    the organisation named is a membership request that an officer confirms."""

    def save_user(self, request, user, form, commit=True):
        from core.http import client_ip
        from researchers import privacy, workflow
        from researchers.models import Profile

        user = super().save_user(request, user, form, commit=False)
        data = getattr(form, "cleaned_data", {})
        full_name = data.get("full_name", "")
        user.first_name = full_name[:150]
        if not commit:
            return user
        with transaction.atomic():
            user.save()
            role = data.get("role")
            if role in roles.SIGNUP_ROLES:
                roles.assign_signup_role(user, role)
            Profile.objects.create(
                user=user,
                full_name=full_name,
                data_consent_at=timezone.now() if data.get("consent") else None,
            )
            privacy.give_signup_consents(user, data)  # one Consent per box ticked
            if (data.get("organisation_name") or "").strip():
                workflow.request_membership(
                    user, by=user, name=data["organisation_name"],
                    tax_code=data.get("tax_code", ""), ip=client_ip(request) if request else None,
                )  # fmt: skip
        return user

    # -- the lockout after failed sign-ins ------------------------------------------------------
    # allauth counts failures per account ("5/5m/key"); once over, even the right password is
    # refused, so anyone who knows a staff member's e-mail could keep them out for good by
    # guessing every few minutes. The count is kept per account AND client address instead: a
    # stranger locks only themselves out. A looser ceiling per account across every address
    # (`login_failed_account`, e.g. 100 an hour) still stops a guessing attack spread over many.

    def _get_login_attempts_cache_key(self, request, **credentials):
        from core.http import client_ip, rate_source

        account = super()._get_login_attempts_cache_key(request, **credentials)
        return f"{account}:{rate_source(client_ip(request))}"

    def pre_authenticate(self, request, **credentials):
        from allauth.core.internal import ratelimit

        super().pre_authenticate(request, **credentials)  # per IP, and per account and address
        self._account_rl_usage = ratelimit.consume(
            request,
            app="allauth.account",
            action="login_failed_account",
            key=super()._get_login_attempts_cache_key(request, **credentials),
        )
        if not self._account_rl_usage:
            self._rollback_login_failed_rl_usage()
            raise self.validation_error("too_many_login_attempts")

    def _rollback_login_failed_rl_usage(self):
        """A successful sign-in gives back what it consumed, of both counts (as allauth does)."""
        super()._rollback_login_failed_rl_usage()
        usage = getattr(self, "_account_rl_usage", None)
        if usage:
            usage.rollback()
            self._account_rl_usage = None

    def _delete_login_attempts_cached_email(self, request, **credentials):
        """A password reset clears the account's failures from every address."""
        from allauth.core import ratelimit

        super()._delete_login_attempts_cached_email(request, **credentials)
        ratelimit.clear(
            request,
            action="login_failed_account",
            key=super()._get_login_attempts_cache_key(request, **credentials),
        )

    def get_client_ip(self, request):
        """allauth's rate limits count by the same client address as the audit trail."""
        from core.http import client_ip

        address = client_ip(request)
        if not address:
            raise PermissionDenied("Unable to determine the client's address.")
        return address


def user_display(user):
    """How allauth names a user in its messages: the profile's name with academic title."""
    profile = getattr(user, "profile", None)
    return profile.display_name if profile else user.email
