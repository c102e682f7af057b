import datetime

from django import forms
from django.core.exceptions import ValidationError
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from core.fields import AsciiIntegerField, AsciiNumbers, IdChoiceField
from grants.forms import VNDField
from transfer.models import (
    Technology,
    TechnologyFile,
    TechnologyNeed,
    TransferDeal,
    TransferMode,
)


class TechnologyForm(AsciiNumbers, forms.ModelForm):
    transfer_modes = forms.MultipleChoiceField(
        label=_("Transfer modes"),
        choices=TransferMode.choices,
        widget=forms.CheckboxSelectMultiple,
    )
    price = VNDField(
        label=_("Indicative price (VND)"), required=False, help_text=_("Empty: negotiable.")
    )

    class Meta:
        model = Technology
        fields = [
            "title",
            "summary",
            "description",
            "title_en",
            "summary_en",
            "sector",
            "trl",
            "ip_status",
            "transfer_modes",
            "price",
            "source_proposal",
            "confidential",
            "nda_terms",
        ]
        widgets = {
            "summary": forms.Textarea(attrs={"rows": 4}),
            "summary_en": forms.Textarea(attrs={"rows": 3, "lang": "en"}),
            "title_en": forms.TextInput(attrs={"lang": "en"}),
            "description": forms.Textarea(attrs={"rows": 8}),
            "confidential": forms.Textarea(attrs={"rows": 4}),
            "nda_terms": forms.Textarea(attrs={"rows": 3}),
        }

    def __init__(self, *args, owner, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["source_proposal"].queryset = owner.proposals.filter(
            state__in=["in_progress", "completed", "transferred"]
        )
        self.fields["source_proposal"].required = False


class TechnologyFileForm(forms.Form):
    kind = forms.ChoiceField(
        label=_("Kind"), choices=TechnologyFile.Kind.choices, widget=forms.RadioSelect
    )
    caption = forms.CharField(
        label=_("Caption"),
        max_length=200,
        help_text=_("What the picture shows, or what the document is (read aloud to blind users)."),
    )
    file = forms.FileField(
        label=_("File"),
        help_text=_(
            "Images: PNG or JPEG. Documents: PDF, Word (.docx) or Excel (.xlsx). At most 20 MB."
        ),
        widget=forms.ClearableFileInput(attrs={"accept": ".png,.jpg,.jpeg,.pdf,.docx,.xlsx"}),
    )

    def __init__(self, *args, technology, **kwargs):
        super().__init__(*args, **kwargs)
        self.technology = technology

    def clean(self):
        from core import files

        cleaned = super().clean()
        kind, uploaded = cleaned.get("kind"), cleaned.get("file")
        if not kind or not uploaded:
            return cleaned
        limit = TechnologyFile.LIMITS[kind]
        if self.technology.files.filter(kind=kind).count() >= limit:
            self.add_error(
                "file",
                _("A listing holds at most %(n)d files of this kind; remove one first.")
                % {"n": limit},
            )
            return cleaned
        accept = files.IMAGES if kind == TechnologyFile.Kind.IMAGE else files.DOCUMENTS
        try:
            cleaned["checked"] = files.check(uploaded, accept=accept)
        except ValidationError as error:
            self.add_error("file", error)
        return cleaned


class InterestForm(forms.Form):
    message = forms.CharField(
        label=_("What do you need the technology for?"),
        widget=forms.Textarea(attrs={"rows": 4}),
        max_length=5000,
        error_messages={"required": _("Tell the owner what you need the technology for.")},
    )


class TermsForm(forms.Form):
    mode = forms.ChoiceField(label=_("Transfer mode"), choices=TransferMode.choices)
    value = VNDField(label=_("Value (VND)"), min_value=1)
    payment = forms.ChoiceField(label=_("Payment method"), choices=TransferDeal.Payment.choices)
    term_months = AsciiIntegerField(label=_("Term (months)"), min_value=1, max_value=600)
    signed_on = forms.DateField(
        label=_("Signed on"), widget=forms.DateInput(attrs={"type": "date"}, format="%Y-%m-%d")
    )
    agreement = forms.FileField(
        label=_("Signed agreement"),
        help_text=_("PDF or Word (.docx), at most 20 MB."),
        widget=forms.ClearableFileInput(attrs={"accept": ".pdf,.docx"}),
    )


# Budgets a small business can pick from ("up to"), in VND.
PRICE_STEPS = (50_000_000, 100_000_000, 300_000_000, 500_000_000, 1_000_000_000)


class NeedForm(AsciiNumbers, forms.ModelForm):
    budget_min = VNDField(label=_("Budget from (VND)"), required=False)
    budget_max = VNDField(label=_("Budget up to (VND)"), required=False)

    class Meta:
        model = TechnologyNeed
        fields = [
            "title",
            "problem",
            "sector",
            "budget_min",
            "budget_max",
            "desired_trl",
            "deadline",
        ]
        widgets = {
            "problem": forms.Textarea(attrs={"rows": 4}),
            "deadline": forms.DateInput(attrs={"type": "date"}, format="%Y-%m-%d"),
        }
        labels = {"sector": _("Sector")}  # the model's field has no translated name

    def clean_deadline(self):
        day = self.cleaned_data.get("deadline")
        today = timezone.localdate()
        if day is not None and day < today:
            raise ValidationError(_("The deadline cannot be in the past."))
        if day is not None and day > today + datetime.timedelta(days=5 * 366):
            raise ValidationError(_("The deadline is at most five years ahead."))
        return day

    def clean(self):
        cleaned = super().clean()
        low, high = cleaned.get("budget_min"), cleaned.get("budget_max")
        if low and high and low > high:
            self.add_error("budget_max", _("The upper bound must not be below the lower one."))
        return cleaned


class ModerationForm(forms.Form):
    """An officer's decision on a listing in the moderation queue (checked before any query)."""

    ACTIONS = [
        ("publish", _("Publish")),
        ("send_back", _("Send back to the owner")),
        ("archive", _("Archive")),
    ]
    technology = IdChoiceField(label=_("Technology"), queryset=Technology.objects.all())
    action = forms.ChoiceField(label=_("Action"), choices=ACTIONS)
    checklist = forms.MultipleChoiceField(label=_("Checklist"), required=False, choices=())
    comment = forms.CharField(label=_("Comment"), required=False, max_length=5000)

    def __init__(self, *args, **kwargs):
        from transfer.workflow import PUBLISH_CHECKLIST

        super().__init__(*args, **kwargs)
        self.fields["checklist"].choices = list(PUBLISH_CHECKLIST)
