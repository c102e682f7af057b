"""Small helpers so the English site does not show Vietnamese interface text (issue 14)."""

import re

from django import template
from django.utils import translation

register = template.Library()

# The customary words of a Vietnamese office's opening hours, longest first.
OFFICE_WORDS = [
    ("Thứ Hai", "Monday"),
    ("Thứ Ba", "Tuesday"),
    ("Thứ Tư", "Wednesday"),
    ("Thứ Năm", "Thursday"),
    ("Thứ Sáu", "Friday"),
    ("Thứ Bảy", "Saturday"),
    ("Chủ nhật", "Sunday"),
    ("Chủ Nhật", "Sunday"),
    ("sáng", "mornings"),
    ("chiều", "afternoons"),
    ("và", "and"),
    ("đến", "to"),
    ("từ", "from"),
]
_OFFICE = re.compile(
    "|".join(r"(?<!\w)" + re.escape(vi) + r"(?!\w)" for vi, _en in OFFICE_WORDS), re.IGNORECASE
)
_OFFICE_EN = {vi.casefold(): en for vi, en in OFFICE_WORDS}


@register.filter
def office_hours(text):
    """The Department's opening hours as the settings write them (in Vietnamese), with the day
    names and joining words in English on the English site; times stay as written."""
    text = text or ""
    if translation.get_language() != "en":
        return text
    return _OFFICE.sub(lambda m: _OFFICE_EN[m.group(0).casefold()], text)


@register.filter(name="document_number")
def document_number_filter(number):
    """`1/QĐ-SKHCN` shown as `01/QĐ-SKHCN` (core.text.document_number)."""
    from core.text import document_number

    return document_number(number)
