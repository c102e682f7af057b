"""The task contract as an official document (hợp đồng thực hiện nhiệm vụ KH&CN, after the
model contract of Circular 05/2014/TT-BKHCN, in the layout of Decree 30/2020/NĐ-CP).

`contract_pdf` only renders: the same contract gives the same document, and whoever signs it
digitally wraps these bytes."""

from django.utils import translation

from core.pdf import document_date, render_pdf
from projects.models import Tranche


def _site():
    from cms.models import SiteSettings

    return SiteSettings.objects.first()


def contract_context(contract, language="vi"):
    proposal = contract.proposal
    site = _site()
    english = language == "en"
    department = getattr(site, "department_name_en" if english else "department_name", "") or (
        "Department of Science and Technology" if english else "Sở Khoa học và Công nghệ"
    )
    reports = list(contract.reports.order_by("number"))
    return {
        "document_language": "en" if english else "vi",
        "contract": contract,
        "proposal": proposal,
        "organisation": proposal.organisation,
        "tranches": list(contract.tranches.order_by("position")),
        "deliverables": list(contract.deliverables.order_by("position", "pk")),
        "reports": reports,
        "conditions": Tranche.Condition,
        "department": department,
        "department_address": getattr(site, "address", ""),
        # The heading of Decree 30: issuer, number, place and date of signing.
        "parent_body": getattr(site, "parent_body", "") or "UBND tỉnh An Giang",
        "issuer": getattr(site, "department_name", "") or "Sở Khoa học và Công nghệ",
        "number": contract.number,
        "place": "An Giang",
        "date_line": document_date(contract.signed_on),
        "document_title": (
            "Science and technology task contract"
            if english
            else "Hợp đồng thực hiện nhiệm vụ khoa học và công nghệ"
        ),
        "document_summary": (
            "Provincial science and technology task"
            if english
            else "Nhiệm vụ khoa học và công nghệ cấp tỉnh"
        ),
    }


def contract_pdf(contract, language="vi"):
    """The signed contract, in Vietnamese, or its English courtesy translation."""
    english = language == "en"
    template = "pdf/contract_en.html" if english else "pdf/contract.html"
    with translation.override("en" if english else "vi"):
        return render_pdf(template, contract_context(contract, language))


def registration_context(registration, accepted_on=None):
    contract = registration.contract
    proposal = contract.proposal
    site = _site()
    return {
        "document_language": "vi",
        "registration": registration,
        "contract": contract,
        "proposal": proposal,
        "organisation": proposal.organisation,
        "accepted_on": accepted_on,
        "parent_body": getattr(site, "parent_body", "") or "UBND tỉnh An Giang",
        "issuer": getattr(site, "department_name", "") or "Sở Khoa học và Công nghệ",
        "number": registration.number,
        "place": "An Giang",
        "date_line": document_date(registration.registered_on),
        "document_title": "Giấy chứng nhận đăng ký kết quả thực hiện nhiệm vụ khoa học và công nghệ",
        "document_summary": "Nhiệm vụ khoa học và công nghệ cấp tỉnh",
        "signer_position": "Giám đốc",
        "signer_name": contract.department_signatory,
        "recipients": ["Tổ chức chủ trì", "Chủ nhiệm nhiệm vụ", "Lưu: VT"],
    }


def registration_pdf(registration, accepted_on=None):
    """The registration certificate of a task's results (Circular 14/2014/TT-BKHCN as amended
    by Circular 11/2023/TT-BKHCN), in the layout of Decree 30/2020/NĐ-CP."""
    with translation.override("vi"):
        return render_pdf("pdf/registration.html", registration_context(registration, accepted_on))
