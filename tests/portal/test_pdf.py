import datetime
import io

import pypdf

from core.pdf import document_date, render_pdf


def test_document_date_follows_decree_30():
    assert document_date(datetime.date(2027, 2, 5)) == "ngày 05 tháng 02 năm 2027"
    assert document_date(datetime.date(2026, 11, 26)) == "ngày 26 tháng 11 năm 2026"
    assert document_date(datetime.date(2026, 3, 9)) == "ngày 09 tháng 3 năm 2026"


def test_official_document_renders_vietnamese_with_the_shipped_serif_font():
    pdf = render_pdf(
        "pdf/base.html",
        {
            "parent_body": "UBND TỈNH AN GIANG",
            "issuer": "Sở Khoa học và Công nghệ",
            "number": "123/QĐ-SKHCN",
            "place": "An Giang",
            "date_line": document_date(datetime.date(2027, 2, 5)),
            "document_title": "Quyết định",
            "document_summary": "Về việc phê duyệt nhiệm vụ khoa học và công nghệ",
            "recipients": ["Như Điều 3", "Lưu: VT, QLKH"],
            "signer_position": "Giám đốc",
            "signer_name": "Võ Minh Quang",
        },
    )
    reader = pypdf.PdfReader(io.BytesIO(pdf))
    text = " ".join(page.extract_text() for page in reader.pages)
    for expected in [
        "CỘNG HÒA XÃ HỘI CHỦ NGHĨA VIỆT NAM",
        "Độc lập - Tự do - Hạnh phúc",
        "An Giang, ngày 05 tháng 02 năm 2027",
        "Số: 123/QĐ-SKHCN",
        "QUYẾT ĐỊNH",
        "Về việc phê duyệt nhiệm vụ khoa học và công nghệ",
        "Nơi nhận:",
        "Võ Minh Quang",
    ]:
        assert expected in text, expected
    fonts = {
        str(font["/BaseFont"])
        for page in reader.pages
        for font in page["/Resources"]["/Font"].values()
    }
    # Only our Liberation Serif 2: the system's Liberation 1.x lacks Vietnamese glyphs, so any
    # fallback would show up here as another family.
    assert fonts and all("Liberation-Serif" in name for name in fonts), fonts
    width, height = (float(v) for v in reader.pages[0].mediabox[2:])
    assert (round(width), round(height)) == (595, 842)  # A4 in points
