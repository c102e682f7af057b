"""The documents' English courtesy versions, the decision's signature block and the customary
two-digit numbers (issue 14, language slice). PDFs are read back with pypdf."""

import io
import re

import pytest
from pypdf import PdfReader

from core.text import document_number
from grants import documents
from grants.models import Proposal

pytestmark = pytest.mark.django_db


def pages(response_or_bytes):
    data = getattr(response_or_bytes, "content", response_or_bytes)
    if hasattr(response_or_bytes, "streaming_content"):
        data = b"".join(response_or_bytes.streaming_content)
    return [page.extract_text() for page in PdfReader(io.BytesIO(data)).pages]


def flat(text):
    return " ".join(text.replace("\xa0", " ").split())


@pytest.mark.parametrize(
    "stored, shown",
    [
        ("1/QĐ-SKHCN", "01/QĐ-SKHCN"),  # one digit: padded
        ("9/QĐ-SKHCN", "09/QĐ-SKHCN"),
        ("10/QĐ-SKHCN", "10/QĐ-SKHCN"),  # two digits: as stored
        ("123/QĐ-SKHCN", "123/QĐ-SKHCN"),
        ("", ""),
        ("QĐ/1", "QĐ/1"),  # not a number first: untouched
    ],
)
def test_document_numbers_are_shown_in_the_two_digit_form(stored, shown):
    assert document_number(stored) == shown


def test_the_decision_shows_01_and_keeps_the_stored_number(client_as):
    proposal = Proposal.objects.filter(decision_number="1/QĐ-SKHCN").order_by("pk").first()
    client = client_as("officer@example.org")
    text = flat(pages(client.get(f"/proposals/{proposal.pk}/decision.pdf"))[0])
    assert "Số: 01/QĐ-SKHCN" in text
    proposal.refresh_from_db()
    assert proposal.decision_number == "1/QĐ-SKHCN"  # gapless numbers keep their value
    page = client.get(f"/proposals/{proposal.pk}/").content.decode()
    assert "01/QĐ-SKHCN" in page


@pytest.mark.parametrize("language", ["vi", "en"])
def test_the_signature_block_is_never_alone_on_its_page(language):
    label = {"vi": "Nơi nhận:", "en": "To:"}[language]
    decisions = Proposal.objects.exclude(decision_number="").order_by("pk")
    assert decisions.count() >= 2
    for proposal in decisions:
        context = documents.decision_context(proposal, language)
        text = [flat(t) for t in pages(documents.decision_pdf(proposal, language=language))]
        name = flat(context["signer_name"])
        signed = [i for i, t in enumerate(text) if name in t]
        assert signed == [len(text) - 1], (proposal.pk, name)  # whole, on the last page
        if signed[0] == 0:
            continue
        # On a second page, the end of the last paragraph comes with the block: some of the
        # decision's own text stands above "Nơi nhận:" (the page number aside).
        above = text[signed[0]].split(label)[0]
        above = re.sub(r"\b\d+/\d+\b", "", above).strip()
        assert len(above) > 40, (proposal.pk, language, text[signed[0]][:200])
        # ...and that text is the decision's last article, not the courtesy note alone.
        last_article = {"vi": "Điều 3.", "en": "Article 3."}[language]
        assert last_article in above, (proposal.pk, language, above[:200])


def test_the_english_decision_gives_the_signer_s_position_in_english():
    proposal = Proposal.objects.exclude(decision_number="").order_by("pk").first()
    position = documents.decision_context(proposal, "vi")["signer_position"]
    assert position.casefold().startswith(("phó giám đốc", "giám đốc"))
    text = flat(" ".join(pages(documents.decision_pdf(proposal, language="en"))))
    block = text.split("To:")[-1].upper()
    assert "FOR THE DIRECTOR" in block
    assert ("DEPUTY DIRECTOR" if position.casefold().startswith("phó") else "DIRECTOR") in block
    assert "GIÁM ĐỐC" not in block


@pytest.mark.parametrize(
    ("written", "english"),
    [
        ("Phó Giám đốc Sở", "Deputy Director"),
        ("phó giám đốc", "Deputy Director"),
        ("Giám đốc", "Director"),
        ("Giám đốc Sở", "Director"),
        ("Nghiên cứu viên", "Nghiên cứu viên"),  # not a position of the Department's: as written
        ("", ""),
    ],
)
def test_positions_read_in_english_only_when_customary(written, english):
    assert documents.position_in_english(written) == english


def test_the_issuer_and_the_signer_are_not_cut_inside_a_word():
    proposal = Proposal.objects.exclude(decision_number="").order_by("pk").first()
    raw = "\n".join(pages(documents.decision_pdf(proposal)))
    assert not re.search(r"CÔNG\s*\n\s*NGHỆ", raw)  # "SỞ KHOA HỌC VÀ / CÔNG NGHỆ" at most
    assert not re.search(r"KHOA\s*\n\s*HỌC", raw)
    name = documents.decision_context(proposal)["signer_name"]
    assert name in raw.replace("\xa0", " ")  # on one line, unhyphenated


def test_the_receipt_has_an_english_courtesy_version(client_as):
    proposal = Proposal.objects.filter(owner__email="researcher@example.org").exclude(
        receipt_number=""
    )[0]
    client = client_as("researcher@example.org")
    english = client.get(f"/en/proposals/{proposal.pk}/receipt.pdf")
    assert english.status_code == 200 and "receipt-" in english["Content-Disposition"]
    text = flat(" ".join(pages(english)))
    assert "RECEIPT OF APPLICATION" in text and "Courtesy translation" in text
    assert proposal.receipt_number in text and proposal.verification_code in text
    assert "Vietnam time" in text and "Mã số hồ sơ" not in text
    vietnamese = flat(" ".join(pages(client.get(f"/proposals/{proposal.pk}/receipt.pdf"))))
    assert "Mã số hồ sơ" in vietnamese and "Courtesy" not in vietnamese
    assert client_as("business@example.org").get(
        f"/en/proposals/{proposal.pk}/receipt.pdf"
    ).status_code in (403, 404)


def test_the_minutes_have_an_english_courtesy_version(client_as):
    proposal = Proposal.objects.exclude(aggregate_score=None).order_by("pk").first()
    client = client_as("officer@example.org")
    english = client.get(f"/en/proposals/{proposal.pk}/minutes.pdf")
    assert english.status_code == 200 and "minutes-" in english["Content-Disposition"]
    text = flat(" ".join(pages(english)))
    assert "MINUTES OF THE SELECTION COUNCIL MEETING" in text
    assert "Council members present" in text and "Courtesy translation" in text
    assert str(proposal.aggregate_score) in text
    vietnamese = flat(" ".join(pages(client.get(f"/proposals/{proposal.pk}/minutes.pdf"))))
    assert "BIÊN BẢN" in vietnamese and "Courtesy" not in vietnamese
    owner = client_as(proposal.owner.email)
    assert owner.get(f"/en/proposals/{proposal.pk}/minutes.pdf").status_code == 403


def test_the_english_minutes_end_with_the_conclusion_beside_the_signatures(client_as):
    """The conclusion ended with the outcome's stored value ("passed"), and the signatures
    stood on a second page under the courtesy note alone."""
    from django.utils import translation

    client = client_as("officer@example.org")
    for proposal in Proposal.objects.exclude(aggregate_score=None).order_by("pk"):
        text = [flat(t) for t in pages(client.get(f"/en/proposals/{proposal.pk}/minutes.pdf"))]
        chair = next(t for t in text if "CHAIR OF THE COUNCIL" in t)
        assert "Conclusion:" in chair, (proposal.pk, text)
        with translation.override("en"):
            outcome = proposal.get_review_outcome_display()
        conclusion = " ".join(text).split("Conclusion:")[1].split("Courtesy")[0]
        assert flat(outcome) in conclusion
        if proposal.review_outcome and proposal.review_outcome != outcome:
            assert f" {proposal.review_outcome} " not in f" {conclusion} "
