"""The dossier's sections: what each needs before submission, and its frozen snapshot."""

from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from core.text import group_thousands
from grants.models import Proposal, TeamMember
from researchers.models import Membership, Profile, confirmed_organisation

# (key, title, proposal fields edited in that section)
SECTIONS = (
    (
        "general",
        _("General information"),
        ("title", "sector", "keywords", "abstract", "duration_months"),
    ),
    ("rationale", _("Urgency and objectives"), ("rationale", "objectives")),
    ("content", _("Content and methods"), ("content_methods",)),
    ("products", _("Products and application"), ("expected_products", "application_plan")),
    ("team", _("Research team"), ()),
    ("budget", _("Budget"), ("counterpart_funding",)),
    ("attachments", _("Attachments"), ()),
)
SECTION_TITLES = {key: title for key, title, _fields in SECTIONS}
REQUIRED_FIELDS = {
    "general": ("title", "sector", "abstract", "duration_months"),
    "rationale": ("rationale", "objectives"),
    "content": ("content_methods",),
    "products": ("expected_products", "application_plan"),
}


def _label(field_name):
    from grants.models import Proposal

    return Proposal._meta.get_field(field_name).verbose_name


def missing(proposal):
    """Section key → what is still missing. Empty when the dossier is complete."""
    problems = {}

    def add(section, message):
        problems.setdefault(section, []).append(message)

    for section, names in REQUIRED_FIELDS.items():
        for name in names:
            value = getattr(proposal, name if name != "sector" else "sector_id")
            if value in (None, "") or (isinstance(value, str) and not value.strip()):
                add(section, _("“%(field)s” is empty.") % {"field": _label(name)})

    roles = [m.role for m in proposal.team.all()]
    if roles.count(TeamMember.Role.PRINCIPAL) != 1:
        add("team", _("Name exactly one principal investigator."))
    if roles.count(TeamMember.Role.SECRETARY) > 1:
        add("team", _("Name at most one scientific secretary."))

    lines = list(proposal.budget_lines.all())
    gaps, excess = budget_problems(lines, proposal.call.max_per_project)
    for message in gaps:
        add("budget", message)
    if excess:
        add("budget", excess)

    present = {
        a.template_id for a in proposal.attachments.all() if a.removed_at is None and a.template_id
    }
    for template in proposal.call.templates.all():
        if template.required and template.pk not in present:
            add("attachments", _("Upload “%(title)s”.") % {"title": template.title})
    for message in host_problems(proposal.owner):
        add("organisation", message)
    return problems


class Excess(str):
    """A problem that is an excess over a limit (the budget over the call's cap), not something
    missing: the budget page reports it apart from "still missing in this section"."""

    def __new__(cls, message, *, over):
        excess = super().__new__(cls, message)
        excess.over = over
        return excess


def budget_problems(lines, cap):
    """(what the budget still lacks, its excess over the call's `cap` per project or None).

    An empty budget, a zero total or a line of 0 ₫ is missing work; a total over the cap is an
    excess ("over the cap by … ₫"), said with the amounts so the applicant knows how much to cut
    (DESIGN.md: budget total ≤ call's per-project cap at submission)."""
    total = sum(line.amount or 0 for line in lines)
    gaps = []
    if not lines:
        gaps.append(_("Add at least one budget line."))
    elif total == 0:
        gaps.append(_("The total requested is 0 ₫: enter the amount of each budget line."))
    elif any((line.amount or 0) <= 0 for line in lines):
        gaps.append(_("A budget line must be more than 0 ₫."))
    excess = None
    if total > cap:
        excess = Excess(
            _(
                "Over the cap by %(over)s ₫: the total requested is %(total)s ₫ and the call's cap "
                "per project is %(cap)s ₫. Reduce the budget lines."
            )
            % {
                "over": group_thousands(total - cap),
                "total": group_thousands(total),
                "cap": group_thousands(cap),
            },
            over=total - cap,
        )
    return gaps, excess


def host_of(owner):
    """The dossier's host organisation: the owner's confirmed membership, fixed at submission
    (None: the owner applies in their own name, as the code has always allowed)."""
    return confirmed_organisation(owner)


def host_problems(owner):
    """DESIGN.md: an unconfirmed member cannot host a proposal. An owner who asked to join an
    organisation and has no confirmed one waits for the Department (or withdraws the request
    to apply in their own name)."""
    if host_of(owner) is not None:
        return []
    waiting = Membership.objects.filter(user=owner, state=Membership.State.REQUESTED).first()
    if waiting is None:
        return []
    return [
        _(
            "Your membership of %(name)s is not confirmed yet: the dossier can be submitted once "
            "the Department confirms it (or withdraw the request on your profile to apply in "
            "your own name)."
        )
        % {"name": waiting.organisation_label}
    ]


def budget_summary(lines):
    """Totals and shares per category, in the category order of the form."""
    from grants.models import BudgetLine

    pairs = [
        (line["category"], line["amount"])
        if isinstance(line, dict)
        else (line.category, line.amount)
        for line in lines
    ]
    total = sum(amount for _category, amount in pairs)
    rows = []
    for value, label in BudgetLine.Category.choices:
        amount = sum(a for category, a in pairs if category == value)
        if amount:
            share = round(amount * 100 / total, 1) if total else 0
            rows.append({"category": value, "label": label, "amount": amount, "share": share})
    return {"total": total, "rows": rows}


def snapshot(proposal):
    """Everything the Department received, as plain data (ProposalVersion.data)."""
    fields = [name for _key, _title, names in SECTIONS for name in names]
    data = {
        name: (getattr(proposal, name) if name != "sector" else proposal.sector_id)
        for name in fields
    }
    data["sector_name"] = proposal.sector.name if proposal.sector_id else ""
    data["team"] = [
        {
            "full_name": m.full_name,
            "title": m.title,
            "role": m.role,
            "organisation_name": m.organisation_name,
            "email": m.email,
            "months": m.months,
        }
        for m in proposal.team.all()
    ]
    data["budget"] = [
        {"category": b.category, "description": b.description, "amount": b.amount}
        for b in proposal.budget_lines.all()
    ]
    data["attachments"] = [
        {
            "id": a.pk,
            "label": a.label,
            "name": a.original_name,
            "size": a.size,
            "sha256": a.sha256,
            "template": a.template_id,
        }
        for a in proposal.attachments.all()
        if a.removed_at is None
    ]
    data["requested_amount"] = sum(b.amount for b in proposal.budget_lines.all())
    data["frozen_at"] = timezone.now().isoformat()
    return data


def label(data):
    """Add the translated labels of choices to a snapshot, for display."""
    from grants.models import BudgetLine

    roles = dict(TeamMember.Role.choices)
    categories = dict(BudgetLine.Category.choices)
    for member in data.get("team", []):
        member["role_label"] = roles.get(member["role"], member["role"])
    for line in data.get("budget", []):
        line["category_label"] = categories.get(line["category"], line["category"])
    return data


def compare(old, new):
    """Sections that changed between two snapshots, with a line diff of the texts."""
    import difflib

    changes = []
    keys = [name for _key, _title, names in SECTIONS for name in names] + ["team", "budget"]
    keys += ["attachments"]
    for key in keys:
        before, after = old.get(key), new.get(key)
        if before == after:
            continue
        if isinstance(before, str) or isinstance(after, str):
            diff = list(
                difflib.unified_diff(
                    str(before or "").splitlines(),
                    str(after or "").splitlines(),
                    lineterm="",
                    n=1,
                )
            )[2:]
        else:
            diff = []
        changes.append({"key": key, "before": before, "after": after, "diff": diff})
    return changes


def add_attachment(proposal, uploaded, *, by, label="", template=None):
    """Store a checked upload privately. A file for a template replaces the previous one."""
    from core import files
    from grants.models import Attachment

    checked = files.check(uploaded)
    previous = proposal.attachments.filter(removed_at__isnull=True)
    if template is not None:
        for old in previous.filter(template=template):
            remove_attachment(old)
    attachment = Attachment(
        proposal=proposal,
        template=template,
        label=(label or (template.title if template else uploaded.name))[:200],
        sha256=checked[3],
        uploaded_by=by,
    )
    attachment.take(uploaded, checked)
    attachment.save()
    return attachment


def remove_attachment(attachment):
    """Delete a draft's file; keep one that a submitted version refers to (hidden from now on)."""
    frozen = any(
        a.get("id") == attachment.pk
        for data in attachment.proposal.versions.values_list("data", flat=True)
        for a in data.get("attachments", [])
    )
    if frozen:
        attachment.removed_at = timezone.now()
        attachment.save(update_fields=["removed_at"])
    else:
        attachment.file.delete(save=False)
        attachment.delete()


def draft_for(call, owner):
    """The owner's draft in this call (created on first use): what "Apply" opens."""
    call = canonical_call(call)
    existing = Proposal.objects.filter(call=call, owner=owner, state="draft").first()
    if existing:
        return existing, False
    profile = Profile.for_user(owner)
    host = host_of(owner)
    proposal = Proposal.objects.create(
        call=call, owner=owner, organisation=host, sector=call.sectors.first()
    )
    if profile and profile.full_name:
        TeamMember.objects.create(
            proposal=proposal,
            full_name=profile.full_name,
            title=profile.get_title_display() if profile.title else "",
            role=TeamMember.Role.PRINCIPAL,
            organisation_name=host.name if host else "",
            email=owner.email,
            user=owner,
        )
    return proposal, True


def canonical_call(call):
    """Proposals belong to the call in the default language, whichever translation was open."""
    from django.conf import settings

    from grants.models import CallPage

    if call.locale.language_code == settings.LANGUAGE_CODE:
        return call
    return (
        CallPage.objects.filter(
            translation_key=call.translation_key, locale__language_code=settings.LANGUAGE_CODE
        ).first()
        or call
    )
