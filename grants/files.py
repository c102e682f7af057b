"""Dossier files are checked by what they contain, never by their name."""

import hashlib
import zipfile

from django.conf import settings
from django.core.exceptions import ValidationError
from django.utils.translation import gettext_lazy as _

KINDS = {
    "pdf": ("application/pdf", ".pdf"),
    "docx": ("application/vnd.openxmlformats-officedocument.wordprocessingml.document", ".docx"),
    "xlsx": ("application/vnd.openxmlformats-officedocument.spreadsheetml.sheet", ".xlsx"),
}


def max_upload_bytes():
    return getattr(settings, "PORTAL_MAX_UPLOAD_MB", 20) * 1024 * 1024


def sniff(uploaded):
    """Return 'pdf', 'docx' or 'xlsx' from the file's bytes, or raise ValidationError."""
    uploaded.seek(0)
    head = uploaded.read(8)
    uploaded.seek(0)
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
    raise ValidationError(
        _(
            "Only PDF, Word (.docx) and Excel (.xlsx) files are accepted; this file is none of them."
        ),
        code="type",
    )


def check(uploaded):
    """Validate an upload; returns (kind, content_type, extension, sha256)."""
    limit = max_upload_bytes()
    if uploaded.size > limit:
        raise ValidationError(
            _("The file is %(size)s MB; the limit is %(limit)d MB.")
            % {"size": f"{uploaded.size / 1048576:.1f}", "limit": limit // 1048576},
            code="size",
        )
    if uploaded.size == 0:
        raise ValidationError(_("The file is empty."), code="empty")
    kind = sniff(uploaded)
    digest = hashlib.sha256()
    for chunk in uploaded.chunks():
        digest.update(chunk)
    uploaded.seek(0)
    content_type, extension = KINDS[kind]
    return kind, content_type, extension, digest.hexdigest()
