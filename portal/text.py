"""Text helpers shared by the apps."""

import unicodedata


def fold(text):
    """Lower-case without Vietnamese diacritics: 'Cá tra Đồng Tháp' → 'ca tra dong thap'.

    Searches compare folded text, so people find records with or without diacritics."""
    text = (text or "").replace("đ", "d").replace("Đ", "D")
    decomposed = unicodedata.normalize("NFD", text)
    return "".join(c for c in decomposed if not unicodedata.combining(c)).lower()
