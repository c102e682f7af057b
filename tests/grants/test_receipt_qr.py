"""The receipt's QR code, read back from the PDF: module for module the verification address
(the code is a small PNG drawn without smoothing, issue 16), in both languages."""

import io

import pytest
import qrcode
from pypdf import PdfReader

from grants.documents import receipt_pdf, verification_url

pytestmark = pytest.mark.django_db


def modules(image, size):
    """The dark modules of a QR picture of `size` modules a side (plus its 1-module border)."""
    grey = image.convert("L")
    step = grey.width / (size + 2)
    return [
        [grey.getpixel((int((x + 1.5) * step), int((y + 1.5) * step))) < 128 for x in range(size)]
        for y in range(size)
    ]


@pytest.mark.parametrize("language", ["vi", "en"])
def test_the_qr_code_in_the_receipt_is_the_verification_address(submitted, language):
    reader = PdfReader(io.BytesIO(receipt_pdf(submitted, language=language)))
    images = [image for page in reader.pages for image in page.images]
    assert len(images) == 1
    code = qrcode.QRCode(border=0)
    code.add_data(verification_url(submitted))
    code.make(fit=True)
    expected = code.get_matrix()
    assert len(expected) >= 21
    assert images[0].image.width == images[0].image.height == (len(expected) + 2) * 4
    assert modules(images[0].image, len(expected)) == expected
    assert submitted.verification_code in verification_url(submitted)
