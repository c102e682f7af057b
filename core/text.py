"""Text helpers shared by the apps."""

import unicodedata

from django.utils import translation


def fold(text):
    """Lower-case without Vietnamese diacritics: 'Cá tra Đồng Tháp' → 'ca tra dong thap'.

    Searches compare folded text, so people find records with or without diacritics."""
    text = (text or "").replace("đ", "d").replace("Đ", "D")
    decomposed = unicodedata.normalize("NFD", text)
    return "".join(c for c in decomposed if not unicodedata.combining(c)).lower()


def group_thousands(amount):
    """1.500.000.000 in Vietnamese, 1,500,000,000 in English: whole đồng as readers write them."""
    separator = "," if translation.get_language() == "en" else "."
    return f"{int(amount):,}".replace(",", separator)


def shorten(text, limit):
    """At most `limit` characters, cut between words and ended with "…".

    Django's `truncatechars` examines every character for combining marks (costly on a page of
    twenty Vietnamese summaries); listings only need a clean cut at a space."""
    text = " ".join((text or "").split())
    if len(text) <= limit:
        return text
    cut = text[: limit - 1]
    if " " in cut:
        cut = cut.rsplit(" ", 1)[0]
    return cut.rstrip(",;:.-–— ") + "…"


def vnd(amount):
    """Whole đồng, grouped the way the reader's language groups: 1.500.000.000 ₫ in Vietnamese."""
    if amount in (None, ""):
        return ""
    return f"{group_thousands(amount)} ₫"


def document_number(number):
    """A document number in the customary two-digit form: `1/QĐ-SKHCN` → `01/QĐ-SKHCN`.
    Only the display pads: the stored number (gapless, allocated once) keeps its value."""
    head, sep, tail = (number or "").partition("/")
    if sep and head.isascii() and head.isdigit():
        return f"{int(head):02d}/{tail}"
    return number or ""
