from allauth.account.adapter import DefaultAccountAdapter
from django.core.exceptions import PermissionDenied
from django.db import transaction
from django.utils import timezone

from portal import roles


class AccountAdapter(DefaultAccountAdapter):
    """Signup gives the chosen role (researcher or business), a profile and recorded consent;
    the organisation named is a membership request that an officer confirms."""

    def save_user(self, request, user, form, commit=True):
        from portal.http import client_ip
        from researchers import workflow
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
            give_signup_consents(user, data)
            if (data.get("organisation_name") or "").strip():
                workflow.request_membership(
                    user, by=user, name=data["organisation_name"],
                    tax_code=data.get("tax_code", ""), ip=client_ip(request) if request else None,
                )  # fmt: skip
        return user

    def get_client_ip(self, request):
        """allauth's rate limits count by the same client address as the audit trail."""
        from portal.http import client_ip

        address = client_ip(request)
        if not address:
            raise PermissionDenied("Unable to determine the client's address.")
        return address


def give_signup_consents(user, data):
    """One Consent record per box ticked at signup, with the text's version (Law 91/2025)."""
    from researchers import privacy

    privacy.give_signup_consents(user, data)


def user_display(user):
    """How allauth names a user in its messages: the profile's name with academic title."""
    profile = getattr(user, "profile", None)
    return profile.display_name if profile else user.email
