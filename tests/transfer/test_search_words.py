"""Whole Vietnamese words in matching and in the catalogue's search (issue 14, search slice)."""

import pytest

from benchmarks.matching_labels import FALSE_FRIENDS, NEEDS, labelled_need
from core.words import joined_words, segment, stored
from transfer import matching
from transfer.models import Technology

pytestmark = pytest.mark.django_db


def titles(response):
    return [t.title for t in response.context["page_obj"].object_list]


def test_words_are_stored_whole_with_their_diacritics():
    assert stored("Sản xuất nấm bào ngư trên giá thể rơm rạ") == (
        " sản_xuất nấm_bào_ngư trên giá_thể rơm_rạ "
    )
    technology = Technology.objects.get(title="Sản xuất nấm bào ngư trên giá thể rơm rạ")
    assert " nấm_bào_ngư " in technology.words and " rơm_rạ " in technology.words


def test_editing_the_text_segments_it_again_and_a_state_change_does_not():
    technology = Technology.objects.get(title="Sản xuất nấm bào ngư trên giá thể rơm rạ")
    technology.summary = "Trồng nấm rơm cho hợp tác xã"
    technology.save(update_fields=["summary"])
    technology.refresh_from_db()
    assert " hợp_tác_xã " in technology.words
    Technology.objects.filter(pk=technology.pk).update(words=" kept ")
    technology.refresh_from_db()
    technology.save(update_fields=["trl"])
    technology.refresh_from_db()
    assert technology.words == " kept "


def test_a_cashew_machine_does_not_match_a_rice_variety_on_a_syllable():
    for sector, title, problem, trl, wrong in FALSE_FRIENDS:
        found = {
            m.item.title
            for m in matching.technologies_for(labelled_need(sector, title, problem, trl))
        }
        assert not wrong & found


def whole_words_of(*texts):
    """Every word the segmenter found in the texts, and every run of consecutive words."""
    words = [w.lower() for text in texts for w in segment(text) if any(c.isalnum() for c in w)]
    runs = set(words)
    for n in (2, 3):
        runs |= {" ".join(words[i : i + n]) for i in range(len(words) - n + 1)}
    return runs


def test_explanations_of_the_labelled_pairs_hold_only_whole_words():
    shown = 0
    for sector, title, problem, trl, _relevant in NEEDS:
        need = labelled_need(sector, title, problem, trl)
        for match in matching.technologies_for(need, limit=5):
            tech = match.item
            allowed = whole_words_of(title, problem) | whole_words_of(
                tech.title, tech.summary, tech.description[:1500]
            )
            for keyword in match.keywords:
                assert keyword in allowed, (title, tech.title, keyword)
                shown += 1
            assert all(k in match.reason for k in match.keywords)
    assert shown > 60
    # the fragments of the syllable matcher are gone
    need = labelled_need(*NEEDS[7][:4])  # Cảnh báo xâm nhập mặn cho vùng trồng lúa
    best = matching.technologies_for(need, limit=1)[0]
    assert best.item.title == "Hệ thống cảnh báo xâm nhập mặn bằng cảm biến IoT"
    assert any("xâm nhập" in keyword for keyword in best.keywords), best.keywords


def test_a_word_shared_with_its_diacritics_counts_more_than_a_folded_one():
    need = matching.terms(joined_words("Sản xuất nấm rơm"))
    exact = matching.terms(joined_words("Trồng nấm rơm"))
    folded = matching.terms(joined_words("Trong nam rom"))
    assert matching.similarity(need, exact)[0] > matching.similarity(need, folded)[0] > 0


def test_a_need_typed_without_accents_still_finds_whole_words():
    need = labelled_need("aquaculture", "Giam chi phi thuc an ca tra", "Trang trai nuoi ca tra", 6)
    best = matching.technologies_for(need, limit=3)
    assert "Thức ăn cá tra từ phụ phẩm chế biến thủy sản" in [m.item.title for m in best]
    keywords = {k for m in best for k in m.keywords}
    assert "cá tra" in keywords  # spelled as the technology wrote it


MUSHROOM = "Sản xuất nấm bào ngư trên giá thể rơm rạ"
BANANA = "Nhân giống chuối già Nam Mỹ sạch bệnh bằng nuôi cấy mô"


def test_nam_with_diacritics_is_not_nam_without(client):
    mushroom = titles(client.get("/technologies/", {"q": "nấm"}))
    assert MUSHROOM in mushroom and BANANA not in mushroom
    nam = titles(client.get("/technologies/", {"q": "nam"}))
    assert MUSHROOM in nam and BANANA in nam
    # the exact match ("Nam" as typed) ranks above the folded one ("nấm")
    assert nam.index(BANANA) < nam.index(MUSHROOM)
    assert titles(client.get("/technologies/", {"q": "Nam Mỹ"})) == [BANANA]


def test_an_exact_phrase_ranks_above_a_folded_one_and_accents_are_optional(client):
    Technology.objects.filter(title=MUSHROOM).update(words=" lua thom giả ")
    exact = titles(client.get("/technologies/", {"q": "lúa thơm"}))
    assert exact[0] == "Giống lúa thơm chịu mặn AGU-ST1"
    assert MUSHROOM not in exact
    folded = titles(client.get("/technologies/", {"q": "lua thom"}))
    assert folded[0] == "Giống lúa thơm chịu mặn AGU-ST1"
    technology = Technology.objects.create(
        title="Chuỗi lúa gạo thử",
        summary="Liên kết lúa gạo",
        sector=Technology.objects.first().sector,
        owner=Technology.objects.first().owner,
        organisation=Technology.objects.first().organisation,
        trl=6,
        ip_status="know_how",
        transfer_modes=["licence"],
    )
    Technology.objects.filter(pk=technology.pk).update(state="published")
    assert "Chuỗi lúa gạo thử" in titles(client.get("/technologies/", {"q": "lua gao"}))
    assert "Chuỗi lúa gạo thử" in titles(client.get("/technologies/", {"q": "lúa gạo"}))
    assert "Chuỗi lúa gạo thử" not in titles(client.get("/technologies/", {"q": "lúa gáo"}))


def test_the_province_s_variety_names_stay_whole():
    """ "xoài Ba Màu" was cut into "Ba" and "Màu": a need to keep mangoes longer matched the Ba Màu
    flowering technology on "màu" (colour) and showed "màu" as a shared keyword."""
    from transfer.models import TechnologyNeed

    words = [w.lower() for w in segment("Xoài Ba Màu, xoài Cát Hòa Lộc và bơ Núi Cấm xuất khẩu")]
    for name in ("ba màu", "cát hòa lộc", "núi cấm"):
        assert any(name in word for word in words), (name, words)
        assert not set(name.split()) & set(words), (name, words)
    need = TechnologyNeed.objects.get(title="Kéo dài thời gian bảo quản xoài xuất khẩu")
    flowering = [m for m in matching.technologies_for(need, limit=10) if "Ba Màu" in m.item.title]
    assert flowering  # still a candidate, on "xoài"
    for match in flowering:
        assert "màu" not in [k.lower() for k in match.keywords], match.keywords
