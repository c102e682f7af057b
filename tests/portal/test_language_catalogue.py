"""No English in the Vietnamese interface, no Vietnamese interface text in the English one, and
a complete `vi` catalogue (issue 14, language slice)."""

import html
import re
from html.parser import HTMLParser

import pytest
from django.conf import settings
from django.contrib.auth import get_user_model
from django.utils import translation

from grants import dossier
from grants.models import Proposal, ReviewAssignment
from transfer.models import Technology, TechnologyNeed, TransferDeal

CATALOGUES = [
    settings.BASE_DIR / "locale" / "vi" / "LC_MESSAGES" / "django.po",
    settings.BASE_DIR / "locale" / "vi" / "LC_MESSAGES" / "djangojs.po",
    settings.BASE_DIR / "locale_thirdparty" / "vi" / "LC_MESSAGES" / "django.po",
]

# Interface words that must not appear, as whole words, in a Vietnamese page of the demo.
ENGLISH = [
    "Sector", "Completed", "Submit", "Save", "Search", "Cancel", "Delete", "Edit", "Status",
    "Draft", "Dashboard", "Proposal", "Proposals", "Download", "Password", "Required",
    "Sign in", "Sign out", "Log in", "Deadline", "Reviewer", "Council", "Ballot", "Total",
    "wanted", "Office hours", "This field", "This password", "Asia/Ho_Chi_Minh", "Previous",
    "Next", "Filter", "Apply", "Close", "Invite", "Replace", "Seat", "Member", "Points",
]  # fmt: skip
# Vietnamese interface text that must not appear in an English page (demo content aside).
VIETNAMESE = ["giờ Việt Nam", "Thứ Hai", "Thứ Sáu", "Đã nghiệm thu", "Đã hoàn tất", "Lĩnh vực"]


def parse_po(path):
    """(msgctxt, msgid, [msgstr…], flags) of each entry of a .po file, header left out."""
    entries, current, key = [], None, None
    for raw in path.read_text(encoding="utf-8").splitlines() + [""]:
        line = raw.strip()
        if not line:
            if current and current.get("msgid") is not None:
                entries.append(current)
            current, key = None, None
            continue
        current = current or {"flags": "", "msgstr": {}, "fields": {}}
        if line.startswith("#,"):
            current["flags"] += line[2:]
            continue
        if line.startswith("#"):
            continue
        match = re.match(r'^(msgctxt|msgid_plural|msgid|msgstr(?:\[(\d+)\])?)\s+"(.*)"$', line)
        if match:
            key = match.group(1)
            current["fields"][key] = match.group(3)
        elif line.startswith('"') and key:
            current["fields"][key] += line[1:-1]
        else:
            raise AssertionError(f"{path.name}: cannot read {raw!r}")
        fields = current["fields"]
        current["msgid"] = fields.get("msgid")
        current["msgctxt"] = fields.get("msgctxt")
        current["msgstr"] = {k: v for k, v in fields.items() if k.startswith("msgstr")}
    return [e for e in entries if e["msgid"] != ""]


@pytest.mark.parametrize("path", CATALOGUES, ids=lambda p: f"{p.parent.parent.parent.name}")
def test_the_vietnamese_catalogue_has_no_untranslated_or_fuzzy_entry(path):
    entries = parse_po(path)
    assert entries
    untranslated = [e["msgid"] for e in entries if not all(e["msgstr"].values())]
    fuzzy = [e["msgid"] for e in entries if "fuzzy" in e["flags"]]
    assert not untranslated, f"{len(untranslated)} without translation: {untranslated[:10]}"
    assert not fuzzy, f"fuzzy: {fuzzy[:10]}"
    seen = set()
    for e in entries:
        ident = (e.get("msgctxt"), e["msgid"])
        assert ident not in seen, f"duplicate msgid {e['msgid']!r}"
        seen.add(ident)


def test_the_parser_sees_an_empty_translation(tmp_path):
    po = tmp_path / "x.po"
    po.write_text(
        'msgid ""\nmsgstr ""\n"Language: vi\\n"\n\nmsgid "Save"\nmsgstr ""\n\n'
        '#, fuzzy\nmsgid "Search"\nmsgstr "Tìm"\n\nmsgid "a"\nmsgid_plural "b"\nmsgstr[0] ""\n',
        encoding="utf-8",
    )
    entries = {e["msgid"]: e for e in parse_po(po)}
    assert entries["Save"]["msgstr"] == {"msgstr": ""}
    assert "fuzzy" in entries["Search"]["flags"]
    assert entries["a"]["msgstr"] == {"msgstr[0]": ""}


class _Text(HTMLParser):
    """The text a reader sees or hears: data, plus labels given in attributes."""

    def __init__(self):
        super().__init__()
        self.parts, self.hidden = [], 0

    def handle_starttag(self, tag, attrs):
        if tag in ("script", "style", "template"):
            self.hidden += 1
        values = dict(attrs)
        for name in ("title", "aria-label", "placeholder", "alt"):
            if values.get(name):
                self.parts.append(values[name])
        if tag == "input" and values.get("type") in ("submit", "button") and values.get("value"):
            self.parts.append(values["value"])

    def handle_endtag(self, tag):
        if tag in ("script", "style", "template"):
            self.hidden -= 1

    def handle_data(self, data):
        if not self.hidden and data.strip():
            self.parts.append(data.strip())


def page_text(response):
    body = response.content.decode()
    body = body.split("</footer>")[0]  # Wagtail's userbar (an editor's tool) comes after it
    parser = _Text()
    parser.feed(body)
    return html.unescape(" ".join(parser.parts))


def english_words(text):
    return sorted(
        {w for w in ENGLISH if re.search(r"(?<![\w/])" + re.escape(w) + r"(?![\w/])", text)}
    )


def test_the_word_check_finds_english_and_leaves_vietnamese_alone():
    assert english_words("Lĩnh vực * Sector Lúa gạo") == ["Sector"]
    assert english_words("Nộp hồ sơ · Lưu nháp · Tìm kiếm") == []
    assert english_words("TRL 7 ≥ 7 wanted") == ["wanted"]


def _pages():
    users = get_user_model().objects
    researcher = users.get(email="researcher@example.org")
    drafts = Proposal.objects.filter(owner=researcher, state__in=["draft", "returned"])
    sections = [key for key, _title, _fields in dossier.SECTIONS]
    reviewer = users.get(email="reviewer1@example.org")
    eligible = Proposal.objects.filter(state__in=["eligible", "under_review"]).order_by("pk")
    technology = Technology.objects.filter(state="published").order_by("pk").first()
    need = TechnologyNeed.objects.filter(state="published").order_by("pk").first()
    deals = TransferDeal.objects.filter(business__email="business@example.org").order_by("pk")
    return {
        None: ["/", "/calls/", "/technologies/", f"/technologies/{technology.pk}/", "/needs/",
               f"/needs/{need.pk}/", "/stats/", "/accounts/login/", "/accounts/signup/",
               "/verify/"],
        "researcher@example.org": ["/dashboard/", "/proposals/"]
        + [f"/proposals/{p.pk}/" for p in Proposal.objects.filter(owner=researcher)]
        + [f"/proposals/{p.pk}/edit/{s}/" for p in drafts[:1] for s in sections],
        "officer@example.org": ["/dashboard/", "/proposals/", "/deals/"]
        + [f"/proposals/{p.pk}/" for p in Proposal.objects.exclude(state="draft")[:25]]
        + [f"/proposals/{p.pk}/council/" for p in eligible],
        "manager@example.org": ["/dashboard/", "/proposals/"],
        "business@example.org": ["/dashboard/", "/needs/", "/deals/"]
        + [f"/deals/{d.pk}/" for d in deals],
        "reviewer1@example.org": ["/dashboard/", "/reviews/"]
        + [f"/reviews/{a.pk}/" for a in ReviewAssignment.objects.filter(reviewer=reviewer)],
    }  # fmt: skip


@pytest.mark.django_db
def test_vietnamese_pages_of_the_demo_show_no_english_interface_words(client, user_by_email):
    found = {}
    for email, urls in _pages().items():
        client.logout()
        if email:
            client.force_login(user_by_email(email))
        for url in urls:
            response = client.get(url)
            assert response.status_code == 200, (email, url, response.status_code)
            words = english_words(page_text(response))
            if words:
                found[(email, url)] = words
    assert not found, found


@pytest.mark.django_db
def test_password_rules_are_explained_in_vietnamese(client):
    response = client.post(
        "/accounts/signup/",
        {"email": "moi@example.org", "password1": "12345", "password2": "12345"},
    )
    text = page_text(response)
    assert "Mật khẩu quá ngắn: cần ít nhất 10 ký tự." in text
    assert not re.search(r"\b(password|This|must|characters)\b", text), text


@pytest.mark.django_db
def test_english_pages_show_no_vietnamese_interface_text(client, user_by_email):
    found = {}
    for email, urls in _pages().items():
        client.logout()
        if email:
            client.force_login(user_by_email(email))
        for url in urls[:12]:
            response = client.get("/en" + url)
            assert response.status_code == 200, (email, url)
            text = page_text(response)
            hits = [w for w in VIETNAMESE if w in text]
            if hits:
                found[(email, url)] = hits
    assert not found, found


@pytest.mark.django_db
def test_a_completed_deal_is_not_an_accepted_task():
    with translation.override("vi"):
        assert str(TransferDeal.State.COMPLETED.label) == "Đã hoàn tất"
        assert str(Proposal._meta.get_field("state").choices[0][1])  # the field has labels
        from grants.models import ProposalState

        assert str(ProposalState.COMPLETED.label) == "Đã nghiệm thu"
    with translation.override("en"):
        assert str(TransferDeal.State.COMPLETED.label) == "Completed"


@pytest.mark.django_db
def test_the_english_footer_gives_the_office_hours_in_english(client):
    text = page_text(client.get("/en/"))
    assert "Monday – Friday, 7:00–11:00 and 13:00–17:00" in text
    assert "Thứ Hai – Thứ Sáu, 7:00–11:00 và 13:00–17:00" in page_text(client.get("/"))


@pytest.mark.django_db
def test_the_english_header_names_the_parent_body_in_english(client):
    """The top line of every page said "UBND TỈNH AN GIANG" under /en/ too."""
    english = page_text(client.get("/en/"))
    assert "People's Committee of An Giang Province" in english
    assert "UBND" not in english
    assert "UBND TỈNH AN GIANG" in page_text(client.get("/"))


@pytest.mark.parametrize(
    ("written", "english"),
    [
        ("UBND TỈNH AN GIANG", "People's Committee of An Giang Province"),
        ("Ủy ban nhân dân tỉnh Kiên Giang", "People's Committee of Kiên Giang Province"),
        ("UBND thành phố Cần Thơ", "Cần Thơ City People's Committee"),
        ("Bộ Khoa học và Công nghệ", "Bộ Khoa học và Công nghệ"),  # not a People's Committee
    ],
)
def test_the_parent_body_reads_in_english_only_when_it_is_a_people_s_committee(written, english):
    from cms.models import SiteSettings

    site = SiteSettings(parent_body=written)
    with translation.override("en"):
        assert site.parent_body_label == english
    with translation.override("vi"):
        assert site.parent_body_label == written


@pytest.mark.django_db
def test_match_lines_read_naturally_in_both_languages():
    from transfer.matching import explain

    with translation.override("vi"):
        assert explain([], False, "", 7, 7) == "TRL 7, đạt mức 7 mong muốn"  # exactly at
        assert explain([], False, "", 6, 7) == "TRL 6, thấp hơn mức 7 mong muốn"  # just below
    with translation.override("en"):
        assert explain([], False, "", 8, 7) == "TRL 8, meets the 7 wanted"  # just above


@pytest.mark.django_db
def test_english_pages_give_calls_and_deals_their_english_titles(client, user_by_email):
    client.force_login(user_by_email("business@example.org"))
    deal = (
        TransferDeal.objects.filter(business__email="business@example.org")
        .exclude(technology__title_en="")
        .first()
    )
    assert deal is not None
    english = page_text(client.get(f"/en/deals/{deal.pk}/"))
    assert deal.technology.title_en in english
    assert deal.technology.title_en in page_text(client.get("/en/deals/"))
    assert deal.technology.title in page_text(client.get(f"/deals/{deal.pk}/"))
    client.force_login(user_by_email("researcher@example.org"))
    proposal = Proposal.objects.filter(owner__email="researcher@example.org").first()
    english_call = proposal.call.get_translations().filter(locale__language_code="en").first()
    assert english_call is not None
    assert english_call.title in page_text(client.get(f"/en/proposals/{proposal.pk}/"))


@pytest.mark.django_db
@pytest.mark.parametrize(
    ("email", "path"),
    [
        ("officer@example.org", "/proposals/"),  # the queue's call menu
        ("officer@example.org", "/dashboard/"),  # the money table by call
        (None, "/funded/"),  # the funded list's call menu
        ("officer@example.org", "/proposals/calls/{call}/results/"),
        ("researcher@example.org", "/proposals/{funded}/"),  # the timeline's "call opened"
    ],
)
def test_english_pages_name_every_call_by_its_english_title(client, user_by_email, email, path):
    """Under /en/ these showed the calls' Vietnamese titles though each has an English page."""
    from grants.models import CallPage

    if email:
        client.force_login(user_by_email(email))
    funded = Proposal.objects.filter(owner__email="researcher@example.org", state="funded").first()
    path = path.format(call=funded.call_id, funded=funded.pk)
    vietnamese = [c.title for c in CallPage.objects.filter(locale__language_code="vi")]
    english = [c.title for c in CallPage.objects.filter(locale__language_code="en")]
    english_page, vietnamese_page = page_text(client.get(f"/en{path}")), page_text(client.get(path))
    assert not [title for title in vietnamese if title in english_page]
    assert [title for title in english if title in english_page]
    assert [title for title in vietnamese if title in vietnamese_page]


@pytest.mark.django_db
def test_the_need_form_names_the_sector_in_vietnamese(client, user_by_email):
    client.force_login(user_by_email("business@example.org"))
    text = page_text(client.get("/needs/"))
    assert "Lĩnh vực" in text and "Sector" not in text
    assert "Sector" in page_text(client.get("/en/needs/"))
