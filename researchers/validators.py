import re

from django.core.exceptions import ValidationError
from django.utils.translation import gettext_lazy as _

ORCID_RE = re.compile(r"^\d{4}-\d{4}-\d{4}-\d{3}[\dX]$")
ORCID_URL_PREFIXES = ("https://orcid.org/", "http://orcid.org/", "orcid.org/")
TAX_CODE_RE = re.compile(r"^\d{10}(-\d{3})?$")


def orcid_check_digit(base_digits):
    """ISO 7064 MOD 11-2 check character over the first 15 digits of an ORCID iD."""
    total = 0
    for digit in base_digits:
        total = (total + int(digit)) * 2
    result = (12 - total % 11) % 11
    return "X" if result == 10 else str(result)


def normalise_orcid(value):
    """Accept '0000-0002-1825-0097', the orcid.org URL form, or the 16 characters without dashes."""
    value = (value or "").strip()
    for prefix in ORCID_URL_PREFIXES:
        if value.lower().startswith(prefix):
            value = value[len(prefix) :]
    compact = value.replace("-", "").replace(" ", "").upper()
    if len(compact) == 16:
        return "-".join(compact[i : i + 4] for i in range(0, 16, 4))
    return value.upper()


def validate_orcid(value):
    if not ORCID_RE.match(value or ""):
        raise ValidationError(
            _("An ORCID iD has the form 0000-0000-0000-0000 (the last character may be X)."),
            code="orcid_format",
        )
    digits = value.replace("-", "")
    if orcid_check_digit(digits[:15]) != digits[15]:
        raise ValidationError(
            _("This ORCID iD's check digit is wrong: please copy it again from orcid.org."),
            code="orcid_checksum",
        )


def validate_tax_code(value):
    """Vietnamese enterprise code (mã số thuế): 10 digits, or 13 with a branch suffix."""
    if not TAX_CODE_RE.match(value or ""):
        raise ValidationError(
            _("A tax code has 10 digits, or 10 digits, a dash and 3 digits for a branch."),
            code="tax_code_format",
        )
