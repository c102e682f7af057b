from allauth.account.forms import SignupForm as AllauthSignupForm
from django import forms
from django.utils.translation import gettext_lazy as _

from core import roles
from researchers import privacy
from researchers.models import Profile
from researchers.pickers import OrganisationPickField, picker_attrs
from researchers.validators import normalise_orcid, validate_orcid, validate_tax_code


class SignupForm(AllauthSignupForm):
    """allauth's signup plus who you are: role, name, organisation and explicit data consent."""

    full_name = forms.CharField(label=_("Full name"), max_length=150)
    role = forms.ChoiceField(
        label=_("I am signing up as"),
        choices=[(role, roles.ROLE_LABELS[role]) for role in roles.SIGNUP_ROLES],
        widget=forms.RadioSelect,
        help_text=_(
            "Researchers submit proposals and list technologies; businesses look for "
            "technologies and post their needs."
        ),
    )
    organisation_name = forms.CharField(
        label=_("Organisation"),
        max_length=255,
        required=False,
        help_text=_(
            "University, institute, company or cooperative you work for; the Department "
            "confirms it before you can host a proposal or list a technology for it."
        ),
    )
    tax_code = forms.CharField(
        label=_("Tax code (businesses)"),
        max_length=14,
        required=False,
        help_text=_("10 digits, e.g. 1600123456."),
    )
    # One unticked box per stated purpose (Law 91/2025/QH15): only the account is required.
    consent = forms.BooleanField(
        label=privacy.CONSENT_TEXTS[privacy.Purpose.ACCOUNT][1],
        error_messages={"required": _("We need your consent to open an account.")},
    )
    consent_contact = forms.BooleanField(
        label=privacy.CONSENT_TEXTS[privacy.Purpose.CONTACT][1],
        required=False,
        help_text=_("Optional. You can give or withdraw it at any time on your privacy page."),
    )
    consent_newsletter = forms.BooleanField(
        label=privacy.CONSENT_TEXTS[privacy.Purpose.NEWSLETTER][1],
        required=False,
        help_text=_("Optional. You can give or withdraw it at any time on your privacy page."),
    )

    field_order = [
        "full_name",
        "email",
        "password1",
        "password2",
        "role",
        "organisation_name",
        "tax_code",
        "consent",
        "consent_contact",
        "consent_newsletter",
    ]

    def clean_tax_code(self):
        value = self.cleaned_data.get("tax_code", "").strip()
        if value:
            validate_tax_code(value)
        return value

    def clean(self):
        cleaned = super().clean()
        if cleaned.get("role") == roles.BUSINESS:
            if not cleaned.get("organisation_name"):
                self.add_error("organisation_name", _("Give the name of your business."))
            if not cleaned.get("tax_code"):
                self.add_error("tax_code", _("A business signs up with its tax code."))
        return cleaned


class ProfileForm(forms.ModelForm):
    # Longer than the stored value so that the orcid.org URL form can be pasted and normalised.
    orcid = forms.CharField(
        label=_("ORCID iD"),
        max_length=64,
        required=False,
        help_text=_("For example 0000-0002-1825-0097."),
    )

    class Meta:
        model = Profile
        # No organisation: it is the confirmed membership's (MembershipRequestForm asks for one).
        fields = ["full_name", "title", "position", "orcid", "phone", "expertise"]

    def clean_orcid(self):
        value = normalise_orcid(self.cleaned_data.get("orcid", ""))
        if value:
            validate_orcid(value)
        return value


class MembershipRequestForm(forms.Form):
    """ "Request membership of an organisation": an existing one, or the name of a new one."""

    organisation = OrganisationPickField(
        label=_("Organisation"),
        widget=forms.TextInput(attrs=picker_attrs()),
        help_text=_(
            "Type two letters of its name for suggestions. The Department confirms that you "
            "work there before it counts."
        ),
    )
    organisation_name = forms.CharField(
        label=_("Or the name of a new organisation"),
        max_length=255,
        required=False,
    )
    tax_code = forms.CharField(
        label=_("Tax code (businesses)"),
        max_length=14,
        required=False,
        help_text=_("10 digits, e.g. 1600123456."),
    )

    def clean_tax_code(self):
        value = self.cleaned_data.get("tax_code", "").strip()
        if value:
            validate_tax_code(value)
        return value

    def clean(self):
        cleaned = super().clean()
        named = cleaned.get("organisation") or (cleaned.get("organisation_name") or "").strip()
        if not named and not self.errors:
            self.add_error(
                "organisation", _("Choose your organisation or give the name of a new one.")
            )
        return cleaned


class MembershipDecisionForm(forms.Form):
    """An officer's decision on a membership request; refusing needs a note."""

    decision = forms.ChoiceField(
        label=_("Decision"),
        choices=[("confirm", _("Confirm the membership")), ("refuse", _("Refuse the request"))],
        widget=forms.RadioSelect,
    )
    note = forms.CharField(
        label=_("Note to the person"),
        max_length=2000,
        required=False,
        widget=forms.Textarea(attrs={"rows": 3}),
        help_text=_("Required when you refuse: say why."),
    )
