"""/verify/ (public): the signed decision downloaded from the portal verifies; every other
kind of file gets a clear answer; bad input is refused by the field, never with a 500."""

import io

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile
from PIL import Image
from weasyprint import HTML

from core import signing
from core.models import SignedDocument
from core.text import document_number
from grants.models import Proposal
from tests.core.test_signing import other_certificate, signed_with

pytestmark = pytest.mark.django_db
URL = "/verify/"


@pytest.fixture
def funded():
    return (
        Proposal.objects.filter(
            owner__email="researcher@example.org", state="funded", decision_number__gt=""
        )
        .order_by("pk")
        .first()
    )


@pytest.fixture
def decision(funded, client_as):
    response = client_as("researcher@example.org").get(f"/proposals/{funded.pk}/decision.pdf")
    assert response.status_code == 200
    return response.content


def upload(client, data, name="quyet-dinh.pdf", content_type="application/pdf"):
    return client.post(URL, {"file": SimpleUploadedFile(name, data, content_type=content_type)})


def page(response):
    return response.content.decode()


def test_the_decision_downloaded_is_signed_registered_and_always_the_same(
    funded, decision, client_as
):
    verdict = signing.verify_pdf(decision)
    assert verdict.ok and verdict.department
    document = signing.registered(verdict)
    assert document.kind == "decision" and document.key == str(funded.pk)
    # The registry names the number as the decision prints it (two digits: 01/QĐ-SKHCN).
    assert document.number == document_number(funded.decision_number)
    assert document.number.startswith("0") and funded.decision_number.count("/") == 1
    assert document.path == f"/proposals/{funded.pk}/decision.pdf"
    assert funded.title in document.subject
    again = client_as("officer@example.org").get(f"/proposals/{funded.pk}/decision.pdf").content
    assert again == decision
    english = client_as("researcher@example.org").get(f"/en/proposals/{funded.pk}/decision.pdf")
    assert english.content != decision and signing.verify_pdf(english.content).ok
    assert SignedDocument.objects.get(key=f"{funded.pk}-en").path.startswith("/en/")


def test_the_page_asks_for_a_file_in_both_languages(client):
    response = client.get(URL)
    html = page(response)
    assert response.status_code == 200
    assert "Kiểm tra văn bản có chữ ký số" in html and 'enctype="multipart/form-data"' in html
    assert '<label for="id_file">' in html
    english = client.get("/en/verify/")
    assert english.status_code == 200 and "Verify a signed document" in page(english)


def test_an_untouched_decision_is_identified(client, funded, decision):
    response = upload(client, decision)
    html = page(response)
    assert response.status_code == 200
    assert 'data-verdict="valid"' in html
    assert "Chữ ký còn nguyên vẹn và là của Sở" in html
    assert funded.decision_number in html and "Quyết định" in html
    assert f'href="/proposals/{funded.pk}/decision.pdf"' in html
    assert "Sở Khoa học và Công nghệ tỉnh An Giang (DEMO)" in html


def test_in_english_too(client, decision):
    response = client.post("/en/verify/", {"file": SimpleUploadedFile("d.pdf", decision)})
    html = page(response)
    assert response.status_code == 200
    assert "The signature is intact and is the Department's" in html
    assert "Decision" in html


def test_a_decision_with_bytes_added_was_changed_after_signing(client, funded, decision):
    response = upload(client, decision + "\n% sửa sau khi ký\n".encode())
    html = page(response)
    assert response.status_code == 200 and 'data-verdict="changed"' in html
    assert "Tệp đã bị thay đổi sau khi ký" in html
    # which document it was, as signed
    assert funded.decision_number in html


def test_a_long_tail_added_after_signing_is_still_named_a_change(client, decision):
    """More junk after the end than core.files looks at (it then sees no end at all)."""
    response = upload(client, decision + b"%" * 100_000)
    assert response.status_code == 200 and 'data-verdict="changed"' in page(response)


def test_a_decision_with_one_byte_changed_fails(client, decision):
    changed = bytearray(decision)
    at = decision.index(b"stream") + 20
    changed[at] ^= 0x01
    response = upload(client, bytes(changed))
    html = page(response)
    assert response.status_code == 200 and 'data-verdict="broken"' in html
    assert "chữ ký không còn khớp với nội dung" in html


def test_a_pdf_signed_by_someone_else_is_not_the_department_s(client, settings, tmp_path):
    signed = signed_with(settings, other_certificate(tmp_path), "khac")
    html = page(upload(client, signed))
    assert 'data-verdict="untrusted"' in html and "Chữ ký không phải của Sở" in html
    assert "Công ty Chữ ký Giả" in html


def test_a_department_signature_the_portal_never_registered(client):
    signed = signing.sign_pdf(HTML(string="<p>Văn bản lạ</p>").write_pdf(), reason="Thử")
    html = page(upload(client, signed))
    assert 'data-verdict="valid"' in html and "không phải là văn bản của cổng" in html


def test_an_unsigned_pdf(client):
    response = upload(client, HTML(string="<p>Không ký</p>").write_pdf())
    assert response.status_code == 200
    assert "không có chữ ký số" in page(response)


def test_no_file(client):
    response = client.post(URL, {})
    assert response.status_code == 400
    html = page(response)
    assert "Hãy chọn tệp PDF cần kiểm tra." in html and "error-summary" in html


def test_a_png_is_refused_by_the_field(client):
    image = io.BytesIO()
    Image.new("RGB", (4, 4)).save(image, "PNG")
    response = upload(client, image.getvalue(), name="anh.png", content_type="image/png")
    assert response.status_code == 400
    assert 'id="id_file_error"' in page(response)


def test_not_a_pdf_at_all(client):
    response = upload(client, b"just some text, not a document", name="x.pdf")
    assert response.status_code == 400 and 'id="id_file_error"' in page(response)


def test_too_big_at_the_limit_and_above(client, settings, decision):
    settings.PORTAL_MAX_UPLOAD_MB = 1
    limit = 1024 * 1024
    padded = decision + b"\n" * (limit - len(decision))
    assert len(padded) == limit
    at_limit = upload(client, padded)
    assert "giới hạn là" not in page(at_limit)  # read: its end is too far from the end
    above = upload(client, padded + b"\n")
    assert above.status_code == 400 and "giới hạn là 1 MB" in page(above)


def test_a_truncated_pdf_is_refused_with_a_message(client, decision):
    response = upload(client, decision[: len(decision) // 2])
    assert response.status_code in (200, 400)
    html = page(response)
    assert 'id="id_file_error"' in html or 'data-verdict="damaged"' in html


def test_uploads_are_rate_limited_per_address(client, settings, decision):
    settings.PORTAL_RATE_LIMITS = {"document_verify": (2, 60)}
    assert upload(client, decision).status_code == 200
    assert upload(client, decision).status_code == 200
    assert upload(client, decision).status_code == 429
    assert client.get(URL).status_code == 200  # reading the page is not counted


def test_receipt_qr_codes_keep_working(client):
    proposal = Proposal.objects.filter(receipt_number__isnull=False).order_by("pk").first()
    response = client.get(f"/proposals/verify/{proposal.verification_code}/")
    assert response.status_code == 200 and proposal.receipt_number in page(response)


@pytest.mark.parametrize("broken", ["no certificate", "wrong password"])
def test_a_decision_the_portal_cannot_sign_is_a_clear_503_not_a_500(
    funded, client_as, settings, broken
):
    """Production without a usable certificate: the download says the signing service is not
    available (in the reader's language), and nothing unsigned or half-registered is issued."""
    if broken == "no certificate":
        settings.SIGNING_PKCS12_PATH = ""
    else:
        settings.SIGNING_PKCS12_PASSWORD = "not-the-password"
    before = SignedDocument.objects.count()
    response = client_as("researcher@example.org").get(f"/proposals/{funded.pk}/decision.pdf")
    assert response.status_code == 503
    assert response["Content-Type"].startswith("text/html")
    assert "không thể ký" in response.content.decode().lower()
    assert SignedDocument.objects.count() == before
