"""The text helpers every app uses: folding for search, shortening for listings."""

from core.text import fold, shorten


def test_fold_removes_case_and_diacritics_including_d_with_stroke():
    assert fold("Cá tra Đồng Tháp, lúa gạo") == "ca tra dong thap, lua gao"


def test_shorten_cuts_between_words_and_marks_the_cut():
    text = "Giống lúa thơm chịu mặn 4‰, năng suất 6–7 tấn/ha trên đất nhiễm mặn ven biển."
    short = shorten(text, 30)
    assert len(short) <= 30 and short.endswith("…")
    assert short == "Giống lúa thơm chịu mặn 4‰…"
    assert text.startswith(short[:-1])


def test_shorten_keeps_short_text_and_folds_whitespace():
    assert shorten("Cá  tra\n giống", 50) == "Cá tra giống"
    assert shorten("", 10) == "" and shorten(None, 10) == ""


def test_shorten_cuts_one_long_word_at_the_limit():
    assert shorten("a" * 40, 10) == "a" * 9 + "…"
