"""Forms of the dossier, one per section, and of the officers' actions. All checks server-side."""

import datetime
import re

from django import forms
from django.core.exceptions import ValidationError
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from core.fields import AsciiNumbers, IdChoiceField
from core.text import group_thousands
from grants.models import (
    BudgetLine,
    Proposal,
    ReviewAssignment,
    TeamMember,
)

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


class SectionForm(AsciiNumbers, forms.ModelForm):
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


class TeamMemberForm(AsciiNumbers, forms.ModelForm):
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


class BudgetLineForm(AsciiNumbers, forms.ModelForm):
    amount = VNDField(label=_("Amount (VND)"))

    class Meta:
        model = BudgetLine
        fields = ["category", "description", "amount"]
        labels = {"category": _("Category"), "description": _("Description")}

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        # A named first choice, not Django's "---------" (an empty row then reads as one).
        self.fields["category"].choices = [
            ("", _("Choose a category")),
            *BudgetLine.Category.choices,
        ]

    def clean_amount(self):
        amount = self.cleaned_data["amount"]
        if amount is not None and amount < 1:
            raise ValidationError(ZERO_LINE, code="min_value")
        return amount


ZERO_LINE = _("A budget line must be more than 0 ₫.")


MAX_BUDGET_LINES = 100
MAX_EMPTY_BUDGET_ROWS = 10


def budget_formset(extra=1):
    """The budget lines as a formset with `extra` empty rows (one by default; the editor's "Add a
    row" asks for one more, with or without JavaScript)."""
    return forms.inlineformset_factory(
        Proposal,
        BudgetLine,
        form=BudgetLineForm,
        extra=max(1, min(extra, MAX_EMPTY_BUDGET_ROWS)),
        can_delete=True,
        max_num=MAX_BUDGET_LINES,
        validate_max=True,
    )


def empty_budget_rows(value):
    """How many empty rows the editor shows, from the page's `?rows=` (1 unless asked; at most
    MAX_EMPTY_BUDGET_ROWS, whatever is typed in the address)."""
    try:
        rows = int(value) if value and str(value).isascii() and str(value).isdigit() else 1
    except ValueError:
        rows = 1
    return max(1, min(rows, MAX_EMPTY_BUDGET_ROWS))


BudgetFormSet = budget_formset(extra=1)


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
        from core import files

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

    def clean_revision_deadline(self):
        moment = self.cleaned_data.get("revision_deadline")
        if moment is not None and moment > timezone.now() + REVISION_AT_MOST:
            raise ValidationError(_("The revision deadline is at most a year ahead."))
        return moment


REVISION_AT_MOST = datetime.timedelta(days=365)


# -- the officers' queue --------------------------------------------------------------------------

SORTS = {
    # The default: what waits for the officer first, oldest first (`grants.worklist.work_first`).
    "work": (None, _("Work first (oldest first)")),
    "updated": ("-updated_at", _("Last changed")),
    "submitted": ("-submitted_at", _("Submitted (newest)")),
    "receipt": ("receipt_number", _("Receipt number")),
    "title": ("title", _("Title")),
    "amount": ("-requested_amount", _("Requested amount")),
    "score": ("-aggregate_score", _("Score")),
}


# -- the budget appraisal and the council -----------------------------------------------------------

QUOTES = 3  # price quotations on the appraisal page


class AppraisalForm(forms.Form):
    """The appraisal page's fields, named as the page posts them (member-<unit>, line-<id>,
    reason-<id>, quote-<n>-item …): types and lengths here, the rules in grants.appraisal."""

    note = forms.CharField(label=_("Conclusion of the team"), required=False, max_length=5000)

    def __init__(self, *args, lines, units, **kwargs):
        super().__init__(*args, **kwargs)
        self.lines, self.units = list(lines), list(units)
        for value, label in self.units:
            self.fields[f"member-{value}"] = forms.CharField(
                label=label, required=False, max_length=150
            )
        for line in self.lines:
            self.fields[f"line-{line.pk}"] = VNDField(label=line.description, required=False)
            self.fields[f"reason-{line.pk}"] = forms.CharField(
                label=_("Reason for a cut"), required=False, max_length=1000
            )
        for index in range(QUOTES):
            self.fields[f"quote-{index}-item"] = forms.CharField(
                label=_("Item"), required=False, max_length=200
            )
            self.fields[f"quote-{index}-supplier"] = forms.CharField(
                label=_("Supplier"), required=False, max_length=200
            )
            self.fields[f"quote-{index}-date"] = forms.DateField(
                label=_("Date"), required=False, input_formats=["%Y-%m-%d", "%d/%m/%Y"]
            )
            self.fields[f"quote-{index}-amount"] = VNDField(label=_("Amount (VND)"), required=False)

    def errors_by_key(self):
        """The errors keyed as the page shows them: member-<unit>, line-<id> (its amount or
        reason), quote-<n> (any of its four fields), note."""
        shown = {}
        for name, errors in self.errors.items():
            key = name
            if name.startswith("quote-"):
                key = "-".join(name.split("-")[:2])
            elif name.startswith("reason-"):
                key = "line-" + name.split("-", 1)[1]
            shown.setdefault(key, f"{self.fields[name].label}: {errors[0]}")
        return shown

    def arguments(self):
        """`members`, `lines` and `quotes` for grants.appraisal.record()."""
        data = self.cleaned_data
        members = {value: data[f"member-{value}"] for value, _label in self.units}
        lines = {
            line.pk: (data[f"line-{line.pk}"], data[f"reason-{line.pk}"]) for line in self.lines
        }
        quotes = [
            tuple(data[f"quote-{i}-{part}"] for part in ("item", "supplier", "date", "amount"))
            for i in range(QUOTES)
        ]
        return members, lines, quotes


def points(raw, maximum):
    """A council member's score: ASCII digits 0 … `maximum`, else ValidationError.

    Python's int() also reads "٣" (Arabic-Indic), "３" (full-width), " +3", "1_0"."""
    if isinstance(raw, int) and not isinstance(raw, bool):
        value = raw
    else:
        text = str(raw).strip()
        if not re.fullmatch(r"[0-9]{1,4}", text):
            raise ValidationError(_("Enter a whole number, in digits 0–9."), code="invalid")
        value = int(text)
    if not 0 <= value <= maximum:
        raise ValidationError(_("Between 0 and %(max)d points.") % {"max": maximum}, code="range")
    return value


class ScoreField(forms.CharField):
    def __init__(self, *, maximum, **kwargs):
        self.maximum = maximum
        kwargs.setdefault("max_length", 10)
        super().__init__(**kwargs)

    def to_python(self, value):
        value = super().to_python(value)
        return None if value in self.empty_values else value

    def clean(self, value):
        value = super().clean(value)
        return None if value is None else points(value, self.maximum)


class BallotForm(forms.Form):
    """A ballot's fields as the page posts them (score-<key>, comment-<key>, comment)."""

    comment = forms.CharField(label=_("Overall comment"), required=False, max_length=5000)

    def __init__(self, *args, criteria, **kwargs):
        super().__init__(*args, **kwargs)
        self.criteria = list(criteria)
        for criterion in self.criteria:
            self.fields[f"score-{criterion.key}"] = ScoreField(
                label=criterion.name, maximum=criterion.max_points, required=False
            )
            self.fields[f"comment-{criterion.key}"] = forms.CharField(
                label=criterion.name, required=False, max_length=3000
            )

    def errors_by_criterion(self):
        shown = {}
        for name, errors in self.errors.items():
            key = name.split("-", 1)[1] if "-" in name else name
            shown.setdefault(key, errors[0])
        return shown


class SeatForm(forms.Form):
    """The officer seats a reviewer: a known user, a seat of the council, a deadline ahead."""

    reviewer = IdChoiceField(label=_("Reviewer"), queryset=None)
    seat = forms.ChoiceField(label=_("Seat"), choices=ReviewAssignment.Seat.choices)
    due_at = forms.DateField(label=_("Deadline"), required=False, input_formats=["%Y-%m-%d"])

    def __init__(self, *args, **kwargs):
        from django.contrib.auth import get_user_model

        super().__init__(*args, **kwargs)
        self.fields["reviewer"].queryset = get_user_model().objects.all()

    def clean_due_at(self):
        day = self.cleaned_data["due_at"]
        today = timezone.localdate()
        if day is not None and day < today:
            raise ValidationError(_("The deadline cannot be in the past."))
        if day is not None and day > today + datetime.timedelta(days=365):
            raise ValidationError(_("The deadline is at most a year ahead."))
        return day


class ReplaceForm(forms.Form):
    """The officer gives a seat to another reviewer (`council.replace`): a known user."""

    reviewer = IdChoiceField(label=_("Replacement"), queryset=None)

    def __init__(self, *args, **kwargs):
        from django.contrib.auth import get_user_model

        super().__init__(*args, **kwargs)
        self.fields["reviewer"].queryset = get_user_model().objects.all()


class DeclarationForm(forms.Form):
    reason = forms.CharField(label=_("Reason"), required=False, max_length=2000)
