"""The proposal's official documents (Decree 30/2020/NĐ-CP layout, see portal/pdf.py)."""

import base64
from urllib.parse import urljoin

import qrcode
import qrcode.image.svg
from django.conf import settings
from django.urls import reverse
from django.utils import timezone, translation

from grants import dossier
from portal.pdf import document_date, render_pdf


def verification_url(proposal):
    with translation.override(settings.LANGUAGE_CODE):
        path = reverse("receipt_verify", args=[proposal.verification_code])
    return urljoin(settings.WAGTAILADMIN_BASE_URL, path)


def qr_data_uri(text):
    image = qrcode.make(text, image_factory=qrcode.image.svg.SvgPathImage, box_size=8, border=1)
    return "data:image/svg+xml;base64," + base64.b64encode(image.to_string()).decode()


def receipt_context(proposal):
    from cms.models import SiteSettings

    version = proposal.versions.order_by("-number").first()
    data = version.data if version else dossier.snapshot(proposal)
    submitted = timezone.localtime(version.submitted_at if version else proposal.submitted_at)
    site = SiteSettings.objects.first()
    url = verification_url(proposal)
    return {
        "proposal": proposal,
        "data": data,
        "version": version,
        "submitted": submitted,
        "issuer": getattr(site, "department_name", "") or "Sở Khoa học và Công nghệ",
        "parent_body": getattr(site, "parent_body", "") or "UBND tỉnh An Giang",
        "number": proposal.receipt_number,
        "place": "Rạch Giá",
        "date_line": document_date(submitted.date()),
        "document_title": "Giấy biên nhận hồ sơ",
        "document_summary": "Đăng ký tuyển chọn, giao trực tiếp nhiệm vụ khoa học và công nghệ",
        "recipients": ["Tổ chức, cá nhân nộp hồ sơ", "Lưu: VT, QLKH"],
        "signer_position": "Phòng Quản lý khoa học",
        "signer_name": "Giấy biên nhận điện tử, không cần chữ ký",
        "verify_url": url,
        "qr": qr_data_uri(url),
        "budget": dossier.budget_summary(data.get("budget", [])),
    }


def receipt_pdf(proposal):
    with translation.override("vi"):
        return render_pdf("pdf/receipt.html", receipt_context(proposal))
