"""The acceptance council's minutes (biên bản họp hội đồng nghiệm thu, Circular 11/2014/TT-BKHCN)
as an official document in the layout of Decree 30/2020/NĐ-CP, like the selection council's
(`grants.documents.minutes_pdf`).

`minutes_pdf` only renders; `signed_minutes` signs it once with the Department's certificate and
keeps it (`core.signing.signed_document`, kind `acceptance_minutes`), so that every download is
the same file and /verify/ recognises it. The close (`projects.grading`) signs it right after it
commits, in the demo's replay too; a download serves the stored file."""

from django.conf import settings
from django.urls import reverse
from django.utils import timezone, translation

from core import signing
from core.pdf import document_date, render_pdf

KIND = "acceptance_minutes"
GRADE_WORDS = {"excellent": "Xuất sắc", "pass": "Đạt", "fail": "Không đạt"}


def _site():
    from cms.models import SiteSettings

    return SiteSettings.objects.first()


def minutes_number(acceptance):
    contract = acceptance.contract
    return f"{acceptance.pk}/BB-NT ({contract.number})"


def minutes_context(acceptance):
    from projects import council, grading

    contract = acceptance.contract
    proposal = contract.proposal
    site = _site()
    items = grading.deliverables(acceptance)
    seats = list(
        acceptance.seats.filter(status=council.Status.ACCEPTED)
        .select_related("member__profile")
        .prefetch_related("grades")
        .order_by("pk")
    )
    present = {s.pk for s in council.present(acceptance)}
    rows = []
    for seat in seats:
        given = {(g.deliverable_id, g.aspect): g.grade for g in seat.grades.all()}
        rows.append(
            {
                "seat": seat,
                "present": seat.pk in present,
                "grades": [
                    (
                        GRADE_WORDS.get(given.get((d.pk, "quantity")), "—"),
                        GRADE_WORDS.get(given.get((d.pk, "quality")), "—"),
                    )
                    for d in items
                ],
                "report": GRADE_WORDS.get(seat.report_grade, "—"),
                "overall": GRADE_WORDS.get(seat.overall, "—") if seat.pk in present else "—",
            }
        )
    decided = timezone.localtime(acceptance.decided_at or timezone.now())
    chair = next((s for s in seats if s.seat == "chair"), None) or next(
        (s for s in seats if s.seat == "vice_chair"), None
    )
    return {
        "document_language": "vi",
        "acceptance": acceptance,
        "contract": contract,
        "proposal": proposal,
        "deliverables": items,
        "rows": rows,
        "present": len(present),
        "size": acceptance.council_size,
        "verdict_words": GRADE_WORDS.get(acceptance.verdict, "—"),
        "submitted_on": (
            timezone.localtime(acceptance.submitted_at).strftime("%d/%m/%Y")
            if acceptance.submitted_at
            else "—"
        ),
        "started_on": (
            timezone.localtime(acceptance.grading_started_at).strftime("%d/%m/%Y")
            if acceptance.grading_started_at
            else "—"
        ),
        "decided_on": decided.strftime("%d/%m/%Y"),
        "ends_on": contract.ends_on.strftime("%d/%m/%Y") if contract.ends_on else "—",
        "chair": chair,
        "secretary": next((s for s in seats if s.seat == "secretary"), None),
        "parent_body": getattr(site, "parent_body", "") or "UBND tỉnh An Giang",
        "issuer": getattr(site, "department_name", "") or "Sở Khoa học và Công nghệ",
        "number": minutes_number(acceptance),
        "place": "An Giang",
        "date_line": document_date(decided.date()),
        "document_title": "Biên bản họp hội đồng đánh giá, nghiệm thu",
        "document_summary": "Nhiệm vụ khoa học và công nghệ cấp tỉnh",
    }


def minutes_pdf(acceptance):
    with translation.override("vi"):
        return render_pdf("pdf/acceptance_minutes.html", minutes_context(acceptance))


def signed_minutes(acceptance):
    """The signed minutes' bytes: signed and stored the first time, the same bytes after."""
    proposal = acceptance.contract.proposal
    with translation.override(settings.LANGUAGE_CODE):
        path = reverse("project_acceptance_minutes", args=[proposal.pk])
    decided = timezone.localdate(acceptance.decided_at)
    return {
        "kind": KIND,
        "key": str(acceptance.pk),
        "number": minutes_number(acceptance),
        "dated": decided,
        "subject": f"{proposal.receipt_number or ''} — {proposal.title}",
        "path": path,
        "render": lambda: minutes_pdf(acceptance),
        "reason": f"Ký biên bản họp hội đồng nghiệm thu số {minutes_number(acceptance)}",
    }


def sign_once(acceptance_id):
    """Render and sign the minutes once, right after the close commits (a missing certificate
    leaves it for the first download, which then says why it cannot be signed: 503)."""
    from projects.models import Acceptance

    acceptance = Acceptance.objects.select_related("contract__proposal").get(pk=acceptance_id)
    try:
        return signing.signed_document(**signed_minutes(acceptance))
    except signing.SigningUnavailable:
        return None
