"""The proposal's official documents (Decree 30/2020/NĐ-CP layout, see portal/pdf.py)."""

import base64
import io
import re
from urllib.parse import urljoin

import qrcode
from django.conf import settings
from django.urls import reverse
from django.utils import timezone, translation

from core.pdf import document_date, render_pdf
from core.text import document_number
from grants import dossier


def verification_url(proposal):
    with translation.override(settings.LANGUAGE_CODE):
        path = reverse("receipt_verify", args=[proposal.verification_code])
    return urljoin(settings.PORTAL_BASE_URL, path)


def qr_data_uri(text):
    """The QR code as a small PNG, 4 pixels a module, drawn without smoothing (the receipt's CSS:
    `image-rendering: pixelated`). An SVG path of its ~400 modules cost WeasyPrint 15 ms of
    the receipt's ~100 (issue 16); the picture is the same, module for module."""
    image = qrcode.make(text, box_size=4, border=1)
    buffer = io.BytesIO()
    image.save(buffer, format="PNG")
    return "data:image/png;base64," + base64.b64encode(buffer.getvalue()).decode()


def receipt_context(proposal):
    version = proposal.versions.order_by("-number").first()
    data = version.data if version else dossier.snapshot(proposal)
    submitted = timezone.localtime(version.submitted_at if version else proposal.submitted_at)
    url = verification_url(proposal)
    context = _heading(proposal.receipt_number, submitted)
    # The receipt names the Department in full (its issuer line reads better on one document
    # that reaches applicants outside the province).
    context["issuer"] = unbroken(getattr(_site(), "department_name", "")) or context["issuer"]
    return context | {
        "proposal": proposal,
        "data": data,
        "version": version,
        "submitted": submitted,
        "document_title": "Giấy biên nhận hồ sơ",
        "document_summary": "Đăng ký tuyển chọn, giao trực tiếp nhiệm vụ khoa học và công nghệ",
        "recipients": ["Tổ chức, cá nhân nộp hồ sơ", "Lưu: VT, QLKH"],
        "signer_position": "Phòng Quản lý khoa học",
        "signer_name": "Giấy biên nhận điện tử, không cần chữ ký",
        "verify_url": url,
        "qr": qr_data_uri(url),
        "budget": dossier.budget_summary(data.get("budget", [])),
    }


def receipt_pdf(proposal, language="vi"):
    """The receipt; `language="en"` gives its English courtesy version (the Vietnamese one is
    the document of record, with the same number and verification code)."""
    context = receipt_context(proposal)
    if language == "en":
        context |= {
            "document_language": "en",
            "document_title": "Receipt of application",
            "document_summary": "Application for the selection or direct assignment of a "
            "science and technology task",
            "recipients": ["The applicant", "Archive: VT, QLKH"],
            "signer_position": "Science Management Division",
            "signer_name": "Electronic receipt, no signature required",
        }
        with translation.override("en"):
            return render_pdf("pdf/receipt_en.html", context)
    with translation.override("vi"):
        return render_pdf("pdf/receipt.html", context)


def receipt_document(proposal, language="vi"):
    """The receipt's stored bytes: rendered once per submitted version and language (by the
    background task after submit, or at the first download if it has not run yet) and then
    served as stored, byte-identical on every download and in the e-mail."""
    from core.signing import stored_document

    english = language == "en"
    with translation.override(settings.LANGUAGE_CODE):
        path = reverse("proposal_receipt", args=[proposal.pk])
    return stored_document(
        kind="receipt_en" if english else "receipt",
        key=f"{proposal.pk}/{proposal.version}",
        number=proposal.receipt_number,
        dated=timezone.localdate(proposal.submitted_at),
        subject=proposal.title,
        path=path,
        render=lambda: receipt_pdf(proposal, language="en" if english else "vi"),
    )


# Words of two syllables the heading must not cut at the end of a line ("CÔNG | NGHỆ").
WHOLE_WORDS = re.compile(r"\b(khoa) (học)\b|\b(công) (nghệ)\b|\b(an) (giang)\b", re.IGNORECASE)


def unbroken(text):
    """The issuer's name with no line break inside a word: the syllables of a word are joined by
    a no-break space, so the heading wraps between words ("SỞ KHOA HỌC VÀ / CÔNG NGHỆ")."""
    return WHOLE_WORDS.sub(lambda m: "\u00a0".join(g for g in m.groups() if g), text or "")


# The Department's customary positions, for the English courtesy versions ("Sở" optional).
POSITIONS_EN = {
    "giám đốc": "Director",
    "phó giám đốc": "Deputy Director",
    "chánh văn phòng": "Chief of Office",
    "trưởng phòng quản lý khoa học": "Head of the Science Management Division",
}


def position_in_english(position):
    """A signer's position as the profile writes it (in Vietnamese), in English when it is one
    of the Department's customary positions; any other is shown as written."""
    key = " ".join((position or "").split()).casefold()
    key = key.removesuffix(" sở").strip()
    return POSITIONS_EN.get(key, position)


def _site():
    from cms.models import SiteSettings

    return SiteSettings.objects.first()


def _heading(number, moment):
    site = _site()
    local = timezone.localtime(moment)
    return {
        "issuer": unbroken("Sở Khoa học và Công nghệ"),
        "parent_body": unbroken(getattr(site, "parent_body", "") or "UBND tỉnh An Giang"),
        "number": document_number(number),
        "place": "An Giang",
        "date_line": document_date(local.date()),
        "day": local.date(),
    }


def decision_context(proposal, language="vi"):
    from core.text import vnd

    principal = proposal.team.filter(role="principal").first()
    signer = proposal.decided_by
    profile = getattr(signer, "profile", None)
    context = _heading(proposal.decision_number, proposal.decided_at)
    context.update(
        proposal=proposal,
        funded=proposal.state != "rejected",
        principal=principal,
        approved=vnd(proposal.approved_amount) if proposal.approved_amount else "",
        counterpart=vnd(proposal.counterpart_funding),
        signer_name=getattr(profile, "full_name", "") or (signer.get_full_name() if signer else ""),
        signer_position=getattr(profile, "position", "") or "Phó Giám đốc",
        reason=(
            proposal.audit_entries.filter(transition="reject")
            .values_list("comment", flat=True)
            .last()
            or ""
        ),
        document_title="Quyết định",
    )
    if language == "en":
        context["signer_position"] = position_in_english(context["signer_position"])
        context["document_title"] = "Decision"
        context["document_summary"] = (
            "Approving the host organisation, the principal investigator and the budget of a "
            "provincial science and technology task"
            if context["funded"]
            else "Not funding a provincial science and technology task"
        )
    else:
        context["document_summary"] = (
            "Về việc phê duyệt tổ chức chủ trì, chủ nhiệm và kinh phí thực hiện nhiệm vụ khoa học "
            "và công nghệ cấp tỉnh"
            if context["funded"]
            else "Về việc không phê duyệt tài trợ nhiệm vụ khoa học và công nghệ cấp tỉnh"
        )
    return context


def decision_pdf(proposal, language="vi"):
    """The approval decision (quyết định phê duyệt), or the decision not to fund, as PDF."""
    template = "pdf/decision_en.html" if language == "en" else "pdf/decision_vi.html"
    with translation.override("en" if language == "en" else "vi"):
        return render_pdf(template, decision_context(proposal, language))


def minutes_context(proposal):
    from grants.models import ReviewAssignment

    rubric = proposal.call.get_rubric()
    criteria = list(rubric.criteria.all())
    seats = list(
        proposal.assignments.filter(status=ReviewAssignment.Status.ACCEPTED)
        .select_related("reviewer__profile")
        .order_by("pk")
    )
    ballots = {b.reviewer_id: b for b in proposal.ballots.filter(submitted_at__isnull=False)}
    closed = proposal.audit_entries.filter(transition="complete_review").order_by("-at").first()
    moment = closed.at if closed else timezone.now()
    context = _heading("", moment)
    context.update(
        proposal=proposal,
        criteria=criteria,
        rows=[
            {
                "seat": seat,
                "ballot": ballots.get(seat.reviewer_id),
                "scores": [
                    (
                        ballots[seat.reviewer_id].scores.get(c.key, "")
                        if seat.reviewer_id in ballots
                        else ""
                    )
                    for c in criteria
                ],
            }
            for seat in seats
        ],
        present=len(seats),
        size=proposal.call.min_reviewers,
        document_title="Biên bản họp hội đồng tư vấn tuyển chọn",
        document_summary="Nhiệm vụ khoa học và công nghệ cấp tỉnh",
        # The vice-chair presides when the chair is absent (Circular 20/2023, art. 11).
        chair=next((s for s in seats if s.seat == "chair"), None)
        or next((s for s in seats if s.seat == "vice_chair"), None),
        secretary=next((s for s in seats if s.seat == "secretary"), None),
    )
    return context


def minutes_pdf(proposal, language="vi"):
    """The selection council's minutes; `language="en"` gives the English courtesy version."""
    context = minutes_context(proposal)
    if language == "en":
        context |= {
            "document_language": "en",
            "document_title": "Minutes of the selection council meeting",
            "document_summary": "Provincial science and technology task",
        }
        with translation.override("en"):
            return render_pdf("pdf/minutes_en.html", context)
    with translation.override("vi"):
        return render_pdf("pdf/minutes.html", context)


def session_minutes_pdf(call):
    """The council session's minutes for a whole call: members and the ranked results."""
    from grants.models import Proposal, ReviewAssignment

    scored = list(
        Proposal.objects.filter(call=call, aggregate_score__isnull=False)
        .select_related("organisation")
        .prefetch_related("ballots")
        .order_by("rank", "pk")
    )
    members = {}
    for seat in (
        ReviewAssignment.objects.filter(
            proposal__in=scored, status=ReviewAssignment.Status.ACCEPTED
        )
        .select_related("reviewer__profile")
        .order_by("pk")
    ):
        members.setdefault(seat.reviewer_id, seat)
    closed = [
        p.audit_entries.filter(transition="complete_review").order_by("-at").first() for p in scored
    ]
    moment = max((e.at for e in closed if e), default=timezone.now())
    context = _heading("", moment)
    context.update(
        call=call,
        rows=[
            {
                "proposal": p,
                "valid": sum(1 for b in p.ballots.all() if b.submitted_at and not b.excluded),
                "excluded": sum(1 for b in p.ballots.all() if b.submitted_at and b.excluded),
            }
            for p in scored
        ],
        members=list(members.values()),
        chair=next((s for s in members.values() if s.seat == "chair"), None),
        secretary=next((s for s in members.values() if s.seat == "secretary"), None),
        document_title="Biên bản họp hội đồng tư vấn tuyển chọn",
        document_summary=f"Đợt {call.code}: {call.title}",
    )
    with translation.override("vi"):
        return render_pdf("pdf/session_minutes.html", context)
