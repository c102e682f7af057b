"""Form fields that check what people type before the database sees it.

Python's `int()` reads other digit systems (`int("٣") == 3`, full-width `３`) and any length
(a 23-digit id overflows SQLite and PostgreSQL alike): numbers here are ASCII digits within
the range the column holds, or a clear message by the field."""

import re

from django import forms
from django.core.exceptions import ValidationError
from django.utils.translation import gettext_lazy as _

ASCII_INTEGER = re.compile(r"[+-]?[0-9]+")
MAX_ID = 2**63 - 1  # the largest primary key of a 64-bit column (BigAutoField)


def ascii_integer(value):
    """The integer written in `value` (ASCII digits, an optional sign), else None."""
    text = str(value).strip()
    if len(text) > 100 or not ASCII_INTEGER.fullmatch(text):
        return None
    return int(text)


def valid_id(value):
    """The primary key written in `value` (1 … MAX_ID in ASCII digits), else None."""
    number = ascii_integer(value) if value is not None else None
    if number is None or not 1 <= number <= MAX_ID or str(value).strip()[0] in "+-":
        return None
    return number


class AsciiIntegerField(forms.IntegerField):
    """An integer in ASCII digits only, always bounded (at most MAX_ID by default)."""

    default_error_messages = {"invalid": _("Enter a whole number, in digits 0–9.")}

    def __init__(self, **kwargs):
        kwargs.setdefault("max_value", MAX_ID)
        kwargs.setdefault("min_value", -MAX_ID)
        super().__init__(**kwargs)

    def to_python(self, value):
        if value in self.empty_values:
            return None
        if isinstance(value, int) and not isinstance(value, bool):
            return value
        number = ascii_integer(value)
        if number is None:
            raise ValidationError(self.error_messages["invalid"], code="invalid")
        return number


class IdChoiceField(forms.ModelChoiceField):
    """A ModelChoiceField whose value must look like a primary key before it is looked up."""

    def to_python(self, value):
        if value in self.empty_values or isinstance(value, self.queryset.model):
            return super().to_python(value)
        if not self.to_field_name and valid_id(value) is None:
            raise ValidationError(self.error_messages["invalid_choice"], code="invalid_choice")
        return super().to_python(value)


def ignored_filters(form):
    """Run a bound filter form; returns (the filters that validated, a message per one that
    did not). A list page applies the first and shows the second: a bad filter is ignored,
    never a server error."""
    if not form.is_bound:
        return {}, []
    form.is_valid()
    notes = [
        _("The filter “%(filter)s” was ignored: %(error)s")
        % {"filter": form.fields[name].label or name, "error": " ".join(errors)}
        for name, errors in form.errors.items()
    ]
    return form.cleaned_data, notes


def _ascii_int(value):
    number = ascii_integer(value)
    if number is None:
        raise ValueError(value)
    return number


class AsciiNumbers:
    """Form mixin: the integer fields a ModelForm builds from the model (duration, months, TRL)
    read ASCII digits only, like every number the portal takes."""

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        for field in self.fields.values():
            if type(field) is forms.IntegerField:
                field.__class__ = _ModelInteger
            elif isinstance(field, forms.TypedChoiceField) and field.coerce is int:
                field.coerce = _ascii_int


class _ModelInteger(forms.IntegerField):
    def to_python(self, value):
        if value in self.empty_values:
            return None
        if isinstance(value, int) and not isinstance(value, bool):
            return value
        number = ascii_integer(value)
        if number is None:
            raise ValidationError(self.error_messages["invalid"], code="invalid")
        return number
