"""The contract page's input, parsed: the contract's facts, its tranche rows and its deliverable
rows. The forms only read what was typed (dates, whole đồng, numbers); whether the contract
holds together is `projects.contracts.contract_problems`'s to say."""

import re

from django import forms
from django.core.exceptions import ValidationError
from django.utils.translation import gettext_lazy as _

from core.fields import AsciiIntegerField
from core.text import group_thousands
from projects.models import Contract, Deliverable, Tranche

DATE_FORMATS = ["%Y-%m-%d", "%d/%m/%Y"]  # the date picker's, and what Vietnamese write
MAX_AMOUNT = 10**15  # far above any task; keeps the column from overflowing
# 1500000000, 1.500.000.000, 1 500 000 000, and 1,500,000,000 as the English page shows it
# (groups of three), with or without "₫" / "đồng". Đồng are whole: "1,5" is not an amount.
AMOUNT = re.compile(
    r"-?(?:[0-9]+|[0-9]{1,3}(?:\.[0-9]{3})+|[0-9]{1,3}(?:,[0-9]{3})+|[0-9]{1,3}(?:\ [0-9]{3})+)"
)
CURRENCY = re.compile(r"\s*(?:₫|đồng|đ|VND)\s*$", re.IGNORECASE)


class DateInput(forms.DateInput):
    input_type = "date"

    def format_value(self, value):
        return value.isoformat() if hasattr(value, "isoformat") else value


def date_field(label, required=False):
    return forms.DateField(
        label=label,
        required=required,
        input_formats=DATE_FORMATS,
        widget=DateInput(),
        error_messages={"invalid": _("Enter a real date, e.g. 15/06/2026.")},
    )


class AmountField(forms.Field):
    """Whole đồng as people type them. A sign is read (the workflow says why a negative or zero
    amount is refused); anything else that is not a whole number is refused here."""

    default_error_messages = {"invalid": _("Enter a whole number of đồng, e.g. 1.500.000.000.")}

    def __init__(self, **kwargs):
        kwargs.setdefault("required", False)
        kwargs.setdefault("widget", forms.TextInput(attrs={"inputmode": "numeric"}))
        super().__init__(**kwargs)

    def to_python(self, value):
        if isinstance(value, int) and not isinstance(value, bool):
            return value
        text = CURRENCY.sub("", str(value or "").replace("\u00a0", " ").strip()).strip()
        text = re.sub(r"\s+", " ", text)
        if not text:
            return None
        if not AMOUNT.fullmatch(text):
            raise ValidationError(self.error_messages["invalid"], code="invalid")
        amount = int(re.sub(r"[., ]", "", text))
        if abs(amount) > MAX_AMOUNT:
            raise ValidationError(self.error_messages["invalid"], code="invalid")
        return amount

    def prepare_value(self, value):
        return group_thousands(value) if isinstance(value, int) else value


def _label(model, name):
    return model._meta.get_field(name).verbose_name


class ContractForm(forms.Form):
    """The contract's own facts. Nothing is required here: a missing value is reported by the
    workflow with the message the regulation gives it."""

    number = forms.CharField(label=_label(Contract, "number"), max_length=40, required=False)
    signed_on = date_field(_label(Contract, "signed_on"))
    starts_on = date_field(_label(Contract, "starts_on"))
    ends_on = date_field(_label(Contract, "ends_on"))
    department_signatory = forms.CharField(
        label=_label(Contract, "department_signatory"), max_length=150, required=False
    )
    department_signatory_title = forms.CharField(
        label=_label(Contract, "department_signatory_title"), max_length=150, required=False
    )
    host_representative = forms.CharField(
        label=_label(Contract, "host_representative"), max_length=150, required=False
    )
    host_representative_title = forms.CharField(
        label=_label(Contract, "host_representative_title"), max_length=150, required=False
    )
    principal_investigator = forms.CharField(
        label=_label(Contract, "principal_investigator"), max_length=150, required=False
    )
    report_every_months = AsciiIntegerField(
        label=_label(Contract, "report_every_months"), required=False, min_value=-999, max_value=999
    )


class TrancheForm(forms.Form):
    due_on = date_field(_label(Tranche, "due_on"))
    amount = AmountField(label=_label(Tranche, "amount"))
    condition = forms.ChoiceField(
        label=_label(Tranche, "condition"),
        choices=Tranche.Condition.choices,
        initial=Tranche.Condition.ON_SIGNING,
        required=False,
    )
    report_number = AsciiIntegerField(
        label=_label(Tranche, "report_number"), required=False, min_value=-999, max_value=999
    )

    def is_blank(self):
        data = self.cleaned_data if hasattr(self, "cleaned_data") else {}
        raw = [self[name].value() for name in ("due_on", "amount", "report_number")]
        return not any(str(v or "").strip() for v in raw) and not data.get("amount")

    def row(self):
        data = self.cleaned_data
        return {
            "due_on": data.get("due_on"),
            "amount": data.get("amount"),
            "condition": data.get("condition") or "",
            "report_number": data.get("report_number"),
        }


class DeliverableForm(forms.Form):
    name = forms.CharField(label=_label(Deliverable, "name"), max_length=300, required=False)
    quantity_indicator = forms.CharField(
        label=_label(Deliverable, "quantity_indicator"), max_length=300, required=False
    )
    quality_indicator = forms.CharField(
        label=_label(Deliverable, "quality_indicator"), max_length=500, required=False
    )

    def is_blank(self):
        return not any(
            str(self[name].value() or "").strip()
            for name in ("name", "quantity_indicator", "quality_indicator")
        )

    def clean(self):
        data = super().clean()
        if not self.is_blank() and not (data.get("name") or "").strip():
            self.add_error("name", _("Name the product these indicators belong to."))
        return data

    def row(self):
        return {key: (self.cleaned_data.get(key) or "").strip() for key in self.fields}


TrancheFormSet = forms.formset_factory(TrancheForm, extra=0, max_num=40, absolute_max=40)
DeliverableFormSet = forms.formset_factory(DeliverableForm, extra=0, max_num=60, absolute_max=60)
BLANK_TRANCHES = 2  # blank rows offered below the filled ones (and one more per "add a row")
BLANK_DELIVERABLES = 2
