"""Forms of the dossier, one per section, and of the officers' actions. All checks server-side."""

import datetime
import re

from django import forms
from django.core.exceptions import ValidationError
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from cms.models import Sector
from grants.models import BudgetLine, CallPage, Proposal, ProposalState, TeamMember
from portal.fields import IdChoiceField
from portal.text import group_thousands
from researchers.models import Organisation

MAX_LINE_AMOUNT = 100_000_000_000  # 100 billion VND: far above any provincial task


class VNDField(forms.IntegerField):
    """Whole VND. Accepts what people type: 1.500.000, 1 500 000, 1500000 ₫."""

    default_error_messages = {
        "invalid": _("Enter a whole number of đồng, e.g. 150.000.000."),
    }

    def __init__(self, **kwargs):
        kwargs.setdefault("min_value", 0)
        kwargs.setdefault("max_value", MAX_LINE_AMOUNT)
        kwargs.setdefault("widget", forms.TextInput(attrs={"inputmode": "numeric"}))
        super().__init__(**kwargs)
        for validator in self.validators:
            if getattr(validator, "code", "") == "min_value":
                validator.message = _("The amount cannot be negative.")
            if getattr(validator, "code", "") == "max_value":
                validator.message = _("The amount is too large (at most 100.000.000.000 ₫).")

    def to_python(self, value):
        if isinstance(value, str):
            value = re.sub(r"[\s.,₫đ]|VND", "", value.strip(), flags=re.IGNORECASE)
            if value and not re.fullmatch(r"-?[0-9]+", value):
                # int() would read other digit systems ("١٢٣", "１２３") and "1_000"
                raise ValidationError(self.error_messages["invalid"], code="invalid")
            if value.startswith("-") and value[1:].isdigit():
                raise ValidationError(_("The amount cannot be negative."), code="min_value")
        return super().to_python(value)

    def prepare_value(self, value):
        return group_thousands(value) if isinstance(value, int) else value


class SectionForm(forms.ModelForm):
    """Every field may stay empty while drafting; the completeness panel says what is missing."""

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        for field in self.fields.values():
            field.required = False
            if isinstance(field.widget, forms.Textarea):
                field.widget.attrs.update(rows=8, maxlength=field.max_length)


class GeneralForm(SectionForm):
    class Meta:
        model = Proposal
        fields = ["title", "sector", "keywords", "abstract", "duration_months"]
        help_texts = {
            "keywords": _("Separated by commas; used to find suitable council members."),
            "abstract": _("What the project will do and deliver, in a few sentences."),
        }

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["sector"].queryset = self.instance.call.sectors.all()
        self.fields["duration_months"].widget.attrs.update(min=1, max=60)


class RationaleForm(SectionForm):
    class Meta:
        model = Proposal
        fields = ["rationale", "objectives"]


class ContentForm(SectionForm):
    class Meta:
        model = Proposal
        fields = ["content_methods"]
        help_texts = {
            "content_methods": _("The work packages, how each is done and where."),
        }


class ProductsForm(SectionForm):
    class Meta:
        model = Proposal
        fields = ["expected_products", "application_plan"]
        help_texts = {
            "expected_products": _(
                "Each product with a measurable indicator, e.g. “02 rice varieties tolerating 4‰ salinity, 7 t/ha”."
            ),
        }


class CounterpartForm(SectionForm):
    counterpart_funding = VNDField(label=_("Counterpart and own funding (VND)"), required=False)

    class Meta:
        model = Proposal
        fields = ["counterpart_funding"]

    def clean_counterpart_funding(self):
        return self.cleaned_data.get("counterpart_funding") or 0


SECTION_FORMS = {
    "general": GeneralForm,
    "rationale": RationaleForm,
    "content": ContentForm,
    "products": ProductsForm,
}


class TeamMemberForm(forms.ModelForm):
    class Meta:
        model = TeamMember
        fields = ["full_name", "title", "role", "organisation_name", "email", "months"]


class BaseTeamFormSet(forms.BaseInlineFormSet):
    def clean(self):
        super().clean()
        roles = [
            form.cleaned_data.get("role")
            for form in self.forms
            if form.cleaned_data and not form.cleaned_data.get("DELETE")
        ]
        if roles.count(TeamMember.Role.PRINCIPAL) > 1:
            raise ValidationError(_("Only one member can be the principal investigator."))
        if roles.count(TeamMember.Role.SECRETARY) > 1:
            raise ValidationError(_("Only one member can be the scientific secretary."))


TeamFormSet = forms.inlineformset_factory(
    Proposal,
    TeamMember,
    form=TeamMemberForm,
    formset=BaseTeamFormSet,
    extra=2,
    can_delete=True,
    max_num=30,
    validate_max=True,
)


class BudgetLineForm(forms.ModelForm):
    amount = VNDField(label=_("Amount (VND)"))

    class Meta:
        model = BudgetLine
        fields = ["category", "description", "amount"]


BudgetFormSet = forms.inlineformset_factory(
    Proposal,
    BudgetLine,
    form=BudgetLineForm,
    extra=3,
    can_delete=True,
    max_num=100,
    validate_max=True,
)


class AttachmentForm(forms.Form):
    template = forms.ModelChoiceField(
        label=_("Document"),
        queryset=None,
        required=False,
        empty_label=_("Other supporting document"),
    )
    label = forms.CharField(
        label=_("Description (for other documents)"), max_length=200, required=False
    )
    file = forms.FileField(
        label=_("File"),
        help_text=_("PDF, Word (.docx) or Excel (.xlsx), at most 20 MB."),
        widget=forms.ClearableFileInput(attrs={"accept": ".pdf,.docx,.xlsx"}),
    )

    def __init__(self, *args, proposal, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["template"].queryset = proposal.call.templates.all()

    def clean_file(self):
        from grants import files

        uploaded = self.cleaned_data["file"]
        files.check(uploaded)
        return uploaded

    def clean(self):
        cleaned = super().clean()
        if not cleaned.get("template") and not (cleaned.get("label") or "").strip():
            self.add_error("label", _("Describe the document."))
        return cleaned


# -- officers and managers ------------------------------------------------------------------------


class TransitionForm(forms.Form):
    comment = forms.CharField(
        label=_("Comment"),
        widget=forms.Textarea(attrs={"rows": 3}),
        required=False,
        max_length=5000,
    )
    revision_deadline = forms.DateTimeField(
        label=_("Revision deadline (Asia/Ho_Chi_Minh)"),
        required=False,
        widget=forms.DateTimeInput(attrs={"type": "datetime-local"}, format="%Y-%m-%dT%H:%M"),
        input_formats=["%Y-%m-%dT%H:%M", "%d/%m/%Y %H:%M", "%Y-%m-%d %H:%M"],
    )
    approved_amount = VNDField(label=_("Approved amount (VND)"), required=False)

    def __init__(self, *args, spec=None, **kwargs):
        super().__init__(*args, **kwargs)
        if spec is not None:
            if not spec.needs_deadline:
                del self.fields["revision_deadline"]
            else:
                default = timezone.localtime() + datetime.timedelta(days=10)
                self.fields["revision_deadline"].initial = default.replace(
                    hour=17, minute=0, second=0, microsecond=0
                )
            if not spec.needs_amount:
                del self.fields["approved_amount"]
            if spec.needs_comment:
                self.fields["comment"].label = _("Reason or instructions (required)")


# -- the officers' queue --------------------------------------------------------------------------

SORTS = {
    "updated": ("-updated_at", _("Last changed")),
    "submitted": ("-submitted_at", _("Submitted (newest)")),
    "receipt": ("receipt_number", _("Receipt number")),
    "title": ("title", _("Title")),
    "amount": ("-requested_amount", _("Requested amount")),
    "score": ("-aggregate_score", _("Score")),
}


class QueueFilterForm(forms.Form):
    q = forms.CharField(label=_("Search"), required=False, max_length=100)
    call = IdChoiceField(
        label=_("Call"),
        queryset=CallPage.objects.none(),
        required=False,
        empty_label=_("All calls"),
    )
    state = forms.ChoiceField(label=_("State"), required=False)
    sector = forms.ModelChoiceField(
        label=_("Sector"), queryset=Sector.objects.all(), required=False, empty_label=_("All sectors"),
        to_field_name="slug",
    )  # fmt: skip
    organisation = IdChoiceField(
        label=_("Organisation"),
        queryset=Organisation.objects.order_by("name"),
        required=False,
        empty_label=_("All organisations"),
    )
    sort = forms.ChoiceField(
        label=_("Sort by"),
        required=False,
        choices=[(key, label) for key, (_order, label) in SORTS.items()],
    )

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        from django.conf import settings

        self.fields["call"].queryset = CallPage.objects.filter(
            locale__language_code=settings.LANGUAGE_CODE
        ).order_by("-closes_at")
        self.fields["state"].choices = [("", _("All states")), *ProposalState.choices]
