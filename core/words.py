"""Vietnamese words: segmentation (underthesea, decision 0010), stop words, stored form.

Vietnamese writes the syllables of a word apart ("cá tra", "xâm nhập"), so matching and search
work on words found by underthesea's CRF word segmenter, whose model ships inside its wheel
(nothing is downloaded). Segmenting costs milliseconds per text: it runs when a record is
saved, and the words are stored on the row in the form `stored()` gives:

    " sản_xuất nấm_bào_ngư trên giá_thể rơm_rạ "

lower case with diacritics, the syllables of one word joined by "_", words apart, "|" where
the text had punctuation or one text ends and the next begins, a space at both ends so that `contains(" word ")` finds a whole word. `syllables()` of that form is the
same text with every syllable apart (" sản xuất nấm bào ngư ... "), for a whole-syllable search.
"""

import re
import unicodedata
from functools import lru_cache

from core.text import fold

# Compounds of the province's sectors that the general-purpose model splits or glues wrongly.
FIXED = [
    "nấm bào ngư", "màng bao", "sinh học", "cá tra", "hạt điều", "rơm rạ", "đạo ôn", "ô-xy",
    "tôm càng xanh", "sầu riêng", "thối rễ", "gan thận mủ", "cá bột", "bố mẹ", "phi lê",
    "nhỏ giọt", "vệ tinh", "mã QR", "hợp tác xã", "nông sản", "cây ăn trái", "trái cây",
    "sấy lạnh", "lúa gạo", "truy xuất", "nguồn gốc", "máy bay không người lái", "gieo sạ",
    "chịu mặn", "thủy sản", "nông hộ", "vắc-xin", "phân bón", "bùn đáy", "Nam Mỹ",
    "Ba Màu", "Cát Hòa Lộc", "Núi Cấm",  # the province's mango varieties and its avocado
]  # fmt: skip

# Words that say nothing about a technology or a need, in folded form (so that they drop out
# with or without diacritics): function words, and words every listing and need uses.
STOP = {
    fold(w)
    for w in """
    của cho và các trong trên được những một với tại đến năm làm khi có là để thể này từ theo
    về như hơn cần tăng giảm cao thấp mới ra vào sau trước bằng không đã đang sẽ rất nhiều ít
    số người việc nhà đó mà hay hoặc thì nên vì do bị qua lại còn cũng đều chỉ mỗi từng ở
    giúp muốn tìm dùng đạt giữ lấy biết lên gồm kèm dựa ha tấn kg ngày triệu
    giải_pháp công_nghệ quy_trình hệ_thống phù_hợp sử_dụng ứng_dụng hỗ_trợ nghiên_cứu
    doanh_nghiệp công_ty hiệu_quả thời_gian chi_phí giá_thành sản_phẩm mô_hình thiết_bị
    kỹ_thuật phương_pháp tổ_chức đơn_vị cơ_sở thực_hiện hiện_nay hiện_đang có_thể đáp_ứng
    so_với thay_cho thay_thế yêu_cầu dễ_dùng vừa_phải nhanh tự_nhiên
    """.split()  # noqa: SIM905
}

_PUNCTUATION = re.compile(r"^[\W_]+$")
_NUMBER = re.compile(r"^[\d.,‰%°/–-]+\w{0,3}$")


def _tokenizer():
    # Imported on first use: about three seconds, once per process.
    from underthesea.pipeline.word_tokenize import word_tokenize

    return word_tokenize


@lru_cache(maxsize=4096)
def segment(text):
    """The words of a Vietnamese text, as written (case and diacritics kept), in order."""
    text = unicodedata.normalize("NFC", " ".join((text or "").split()))
    if not text:
        return ()
    return tuple(_tokenizer()(text, fixed_words=FIXED))


@lru_cache(maxsize=65536)
def is_content(word):
    """A word worth matching on: not punctuation, a number or a stop word."""
    folded = fold(word).replace("_", " ")
    if _PUNCTUATION.match(word) or _NUMBER.match(folded):
        return False
    return folded.replace(" ", "_") not in STOP and folded not in STOP


def stored(text):
    """The stored form of a text's words (see the module's docstring)."""
    words = []
    for word in segment(text):
        if _PUNCTUATION.match(word):  # kept as one "|": no phrase is read across it
            if words and words[-1] != "|":
                words.append("|")
        else:
            words.append(word.lower().replace(" ", "_"))
    while words and words[-1] == "|":
        words.pop()
    return f" {' '.join(words)} " if words else ""


def words_of(stored_words):
    """The words of a stored form, with their syllables apart: ["sản xuất", "nấm bào ngư"]."""
    return [w.replace("_", " ") for w in stored_words.split()]


def syllables(stored_words):
    """Every syllable of a stored form apart, padded: " sản xuất nấm bào ngư "."""
    return stored_words.replace("_", " ")


def query_syllables(text):
    """The syllables a reader typed, lower case, punctuation at their ends removed."""
    text = unicodedata.normalize("NFC", text or "").lower()
    # a token of punctuation only ("%%", "_") is kept as typed: searched literally
    return [t.strip(".,;:()“”\"'!?%‰|") or t for t in text.split()]


def has_diacritics(text):
    return fold(text) != (text or "").lower()


def joined_words(*texts):
    """The stored form of several texts (a title, a summary, ...), one after the other."""
    parts = [stored(text).strip() for text in texts]
    joined = " | ".join(part for part in parts if part)
    return f" {joined} " if joined else ""


def search_filter(queryset, typed, folded_field="search_text", words_field="words"):
    """Rows whose folded text holds every typed syllable and whose stored words hold, as typed,
    those typed with diacritics ("nấm" is not "nam"); annotated `relevance` 2 when the typed
    phrase is there as typed, 1 otherwise (an exact match ranks above a folded one)."""
    from django.db.models import Case, IntegerField, TextField, Value, When
    from django.db.models.functions import Replace

    queryset = queryset.annotate(
        syllables=Replace(words_field, Value("_"), Value(" "), output_field=TextField())
    )
    for word in typed:
        queryset = queryset.filter(**whole_folded(folded_field, fold(word)))
        if has_diacritics(word):
            queryset = queryset.filter(syllables__contains=f" {word} ")
    return queryset.annotate(
        relevance=Case(
            When(syllables__contains=f" {' '.join(typed)} ", then=Value(2)),
            default=Value(1),
            output_field=IntegerField(),
        )
    )


def whole_folded(field, folded):
    """Lookups for a folded syllable as a whole syllable of a folded text ("ca" is not "cao"):
    a plain `contains` (which PostgreSQL's trigram index serves) and a regular expression for
    the boundaries."""
    return {
        f"{field}__contains": folded,
        f"{field}__regex": rf"(^|[^a-z0-9]){re.escape(folded)}([^a-z0-9]|$)",
    }
