"""What `researchers.privacy.export_zip` puts in a person's copy of their data (Law 91/2025/QH15,
art. 4: the right to access and to get a copy): the records of every app that concern them,
read by app label so that this app imports none of the others."""

import hashlib

from django.apps import apps
from django.utils import timezone

from core import roles
from researchers.models import Consent, DataRequestEntry, Profile


def _row(obj, fields):
    return {field: getattr(obj, field) for field in fields}


def copy_file(zip_path, field_file, original_name, zf):
    """Copy a stored file into the zip; its entry in the JSON says where and its SHA-256."""
    try:
        with field_file.open("rb") as handle:
            content = handle.read()
    except OSError:  # lost from storage: say so rather than fail the whole copy
        return {"path": None, "name": original_name, "missing": True}
    zf.writestr(zip_path, content)
    return {"path": zip_path, "name": original_name, "sha256": hashlib.sha256(content).hexdigest()}


def collect(user):
    """Everything the portal holds about `user`, as JSON-ready data, and the files to add as
    (path in the zip, stored file, original name)."""
    get = apps.get_model
    Proposal, Ballot = get("grants", "Proposal"), get("grants", "Ballot")
    AuditEntry, Assignment = get("grants", "AuditEntry"), get("grants", "ReviewAssignment")
    Technology, Need = get("transfer", "Technology"), get("transfer", "TechnologyNeed")
    Deal = get("transfer", "TransferDeal")
    CatalogueEntry, DealEntry = get("transfer", "CatalogueEntry"), get("transfer", "DealEntry")
    from allauth.account.models import EmailAddress

    from core.models import RoleChange

    files = []
    profile = Profile.objects.filter(user=user).select_related("organisation").first()
    organisation = profile.organisation if profile else None
    data = {
        "generated_at": timezone.now(),
        "law": "Luật Bảo vệ dữ liệu cá nhân số 91/2025/QH15",
        "user": _row(
            user,
            ["id", "username", "email", "first_name", "last_name", "date_joined", "last_login"],
        ),
        "email_addresses": list(
            EmailAddress.objects.filter(user=user).values("email", "verified", "primary")
        ),
        "profile": _row(
            profile,
            ["full_name", "title", "orcid", "phone", "position", "expertise", "data_consent_at"],
        )
        if profile
        else None,
        "organisation": _row(
            organisation, ["id", "name", "short_name", "kind", "tax_code", "province", "address"]
        )
        if organisation
        else None,
        "consents": list(
            Consent.objects.filter(user=user).values(
                "purpose", "text_version", "text", "given_at", "withdrawn_at"
            )
        ),
        "roles": sorted(roles.roles_of(user)),
        "role_changes": [
            {"role": c.role, "action": c.action, "at": c.changed_at, "by": c.changed_by_id}
            for c in RoleChange.objects.filter(user=user)
        ],
    }

    proposals = (
        Proposal.objects.filter(owner=user) | Proposal.objects.filter(team__user=user)
    ).distinct()
    data["proposals"] = []
    for proposal in proposals.select_related("call", "organisation", "sector").order_by("pk"):
        item = _row(proposal, PROPOSAL_FIELDS)
        item.update(
            call=proposal.call.title,
            organisation=proposal.organisation.name if proposal.organisation else None,
            sector=str(proposal.sector) if proposal.sector else None,
            i_am="owner" if proposal.owner_id == user.pk else "team member",
            team=list(
                proposal.team.values("full_name", "title", "role", "organisation_name", "email")
            ),
            budget_lines=list(proposal.budget_lines.values("category", "description", "amount")),
            attachments=[],
        )
        for attachment in proposal.attachments.all():
            path = f"files/proposals/{proposal.pk}/{attachment.pk}{attachment.extension}"
            files.append((path, attachment.file, attachment.original_name))
            item["attachments"].append(
                {"label": attachment.label, "path": path, "name": attachment.original_name}
            )
        data["proposals"].append(item)

    data["council_seats"] = list(
        Assignment.objects.filter(reviewer=user).values(
            "proposal_id", "seat", "status", "conflict", "declared_at", "decline_reason"
        )
    )
    data["ballots"] = list(
        Ballot.objects.filter(reviewer=user).values(
            "proposal_id", "scores", "total", "comments", "comment", "submitted_at", "excluded"
        )
    )

    data["technologies"] = []
    for technology in Technology.objects.filter(owner=user).order_by("pk"):
        item = _row(technology, TECHNOLOGY_FIELDS)
        item["files"] = []
        for stored in technology.files.all():
            path = f"files/technologies/{technology.pk}/{stored.pk}{stored.extension}"
            files.append((path, stored.file, stored.original_name))
            item["files"].append({"caption": stored.caption, "path": path})
        data["technologies"].append(item)
    data["needs"] = [_row(need, NEED_FIELDS) for need in Need.objects.filter(business=user)]

    deals = Deal.objects.filter(business=user) | Deal.objects.filter(technology__owner=user)
    data["deals"] = []
    for deal in deals.select_related("technology").distinct().order_by("pk"):
        item = _row(deal, DEAL_FIELDS)
        item.update(technology=deal.technology.title, i_am=_side(deal, user))
        if deal.agreement:
            path = f"files/deals/{deal.pk}/agreement{_suffix(deal.agreement_name)}"
            files.append((path, deal.agreement, deal.agreement_name))
            item["agreement_file"] = path
        data["deals"].append(item)

    entry_fields = ["action", "source", "target", "at", "comment"]
    data["audit_entries"] = {
        "proposals": list(
            AuditEntry.objects.filter(actor=user).values(
                "proposal_id", "transition", "source", "target", "at", "comment", "ip"
            )
        ),
        "catalogue": list(
            CatalogueEntry.objects.filter(actor=user).values(
                "technology_id", "need_id", *entry_fields
            )
        ),
        "deals": list(DealEntry.objects.filter(actor=user).values("deal_id", *entry_fields, "ip")),
        "personal_data_requests": list(
            DataRequestEntry.objects.filter(actor=user).values("request_id", *entry_fields, "ip")
        ),
    }
    data["requests"] = [
        {
            **_row(r, ["id", "kind", "text", "state", "received_at", "due_at", "answered_at"]),
            "answer": r.answer,
            "steps": list(r.entries.values("action", "source", "target", "at", "comment")),
        }
        for r in user.data_requests.order_by("pk")
    ]
    return data, files


PROPOSAL_FIELDS = [
    "id", "state", "title", "keywords", "abstract", "rationale", "objectives", "content_methods",
    "expected_products", "application_plan", "duration_months", "counterpart_funding",
    "requested_amount", "approved_amount", "receipt_number", "submitted_at", "version",
    "decision_number", "decided_at", "created_at", "updated_at",
]  # fmt: skip
TECHNOLOGY_FIELDS = [
    "id", "state", "title", "summary", "title_en", "summary_en", "description", "trl",
    "ip_status", "transfer_modes", "price", "confidential", "nda_terms", "published_at",
    "created_at",
]  # fmt: skip
NEED_FIELDS = [
    "id", "state", "title", "problem", "budget_min", "budget_max", "desired_trl", "deadline",
    "created_at",
]  # fmt: skip
DEAL_FIELDS = [
    "id", "state", "message", "nda_accepted_at", "mode", "value", "payment", "term_months",
    "signed_on", "created_at", "updated_at",
]  # fmt: skip


def _side(deal, user):
    return "business" if deal.business_id == user.pk else "technology owner"


def _suffix(name):
    return ("." + name.rsplit(".", 1)[-1].lower()) if "." in (name or "") else ""
