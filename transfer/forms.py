from django import forms
from django.utils.translation import gettext_lazy as _

from cms.models import Sector
from grants.forms import VNDField
from transfer.models import IPStatus, Technology, TransferDeal, TransferMode


class TechnologyForm(forms.ModelForm):
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


class InterestForm(forms.Form):
    message = forms.CharField(
        label=_("What do you need the technology for?"),
        widget=forms.Textarea(attrs={"rows": 4}),
        max_length=5000,
    )


class TermsForm(forms.Form):
    mode = forms.ChoiceField(label=_("Transfer mode"), choices=TransferMode.choices)
    value = VNDField(label=_("Value (VND)"), min_value=1)
    payment = forms.ChoiceField(label=_("Payment method"), choices=TransferDeal.Payment.choices)
    term_months = forms.IntegerField(label=_("Term (months)"), min_value=1, max_value=600)
    signed_on = forms.DateField(
        label=_("Signed on"), widget=forms.DateInput(attrs={"type": "date"}, format="%Y-%m-%d")
    )


class CatalogueFilter(forms.Form):
    SORTS = [
        ("relevance", _("Relevance")),
        ("newest", _("Newest")),
        ("trl", _("Readiness (TRL)")),
    ]
    q = forms.CharField(required=False, max_length=100)
    sector = forms.ModelChoiceField(
        queryset=Sector.objects.all(), required=False, to_field_name="slug"
    )
    trl_min = forms.IntegerField(required=False, min_value=1, max_value=9)
    ip = forms.ChoiceField(required=False, choices=[("", "")] + list(IPStatus.choices))
    mode = forms.ChoiceField(required=False, choices=[("", "")] + list(TransferMode.choices))
    organisation = forms.IntegerField(required=False, min_value=1)
    sort = forms.ChoiceField(required=False, choices=SORTS)
