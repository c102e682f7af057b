"""Uploaded files are checked by what they contain, never by their name."""

import hashlib
import zipfile

from django.conf import settings
from django.core.exceptions import ValidationError
from django.utils.translation import gettext_lazy as _

KINDS = {
    "pdf": ("application/pdf", ".pdf"),
    "docx": ("application/vnd.openxmlformats-officedocument.wordprocessingml.document", ".docx"),
    "xlsx": ("application/vnd.openxmlformats-officedocument.spreadsheetml.sheet", ".xlsx"),
    "png": ("image/png", ".png"),
    "jpeg": ("image/jpeg", ".jpg"),
}
DOCUMENTS = ("pdf", "docx", "xlsx")
IMAGES = ("png", "jpeg")
MAX_IMAGE_PIXELS = 40_000_000  # a 40-megapixel photograph; more is a decompression bomb


def max_upload_bytes():
    return getattr(settings, "PORTAL_MAX_UPLOAD_MB", 20) * 1024 * 1024


def _image(uploaded, kind):
    """The kind if Pillow reads a sound image of that format, else a ValidationError."""
    from PIL import Image

    try:
        with Image.open(uploaded) as image:
            if image.width * image.height > MAX_IMAGE_PIXELS:
                raise ValidationError(_("The image is too large to be displayed."), code="pixels")
            image.verify()
            format_ = image.format
    except (OSError, SyntaxError, ValueError, Image.DecompressionBombError) as error:
        raise ValidationError(_("The image is damaged and cannot be read."), code="bad") from error
    finally:
        uploaded.seek(0)
    if format_ != kind.upper():
        raise ValidationError(_("The image is damaged and cannot be read."), code="bad")
    return kind


def sniff(uploaded):
    """Return 'pdf', 'docx', 'xlsx', 'png' or 'jpeg' from the file's bytes, or raise
    ValidationError."""
    uploaded.seek(0)
    head = uploaded.read(8)
    uploaded.seek(0)
    if head.startswith(b"\x89PNG\r\n\x1a\n"):
        return _image(uploaded, "png")
    if head.startswith(b"\xff\xd8\xff"):
        return _image(uploaded, "jpeg")
    if head.startswith(b"%PDF-"):
        return "pdf"
    if head.startswith(b"PK\x03\x04"):
        try:
            with zipfile.ZipFile(uploaded) as archive:
                names = set(archive.namelist())
        except (zipfile.BadZipFile, OSError, ValueError) as error:
            raise ValidationError(
                _("The file is damaged and cannot be read."), code="bad"
            ) from error
        finally:
            uploaded.seek(0)
        if "[Content_Types].xml" in names and not any(n.endswith("vbaProject.bin") for n in names):
            if "word/document.xml" in names:
                return "docx"
            if "xl/workbook.xml" in names:
                return "xlsx"
    raise _refused(DOCUMENTS)


def _refused(accept):
    if accept == IMAGES:
        message = _("Only PNG and JPEG images are accepted; this file is neither.")
    else:
        message = _(
            "Only PDF, Word (.docx) and Excel (.xlsx) files are accepted; this file is none of them."
        )
    return ValidationError(message, code="type")


def check(uploaded, accept=DOCUMENTS):
    """Validate an upload of one of the `accept` kinds; returns (kind, content_type, extension,
    sha256)."""
    limit = max_upload_bytes()
    if uploaded.size > limit:
        raise ValidationError(
            _("The file is %(size)s MB; the limit is %(limit)d MB.")
            % {"size": f"{uploaded.size / 1048576:.1f}", "limit": limit // 1048576},
            code="size",
        )
    if uploaded.size == 0:
        raise ValidationError(_("The file is empty."), code="empty")
    try:
        kind = sniff(uploaded)
    except ValidationError as error:
        if error.code == "type":
            raise _refused(accept) from error
        raise
    if kind not in accept:
        raise _refused(accept)
    digest = hashlib.sha256()
    for chunk in uploaded.chunks():
        digest.update(chunk)
    uploaded.seek(0)
    content_type, extension = KINDS[kind]
    return kind, content_type, extension, digest.hexdigest()
