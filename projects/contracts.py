"""The contract of a funded proposal: the officer prepares it (parties, dates, the tranche
schedule totalling the approved amount, the deliverables) and records its signing, which moves the
proposal funded → in_progress through `grants.workflow` and sets the report and inspection
schedule (Circular 05/2014/TT-BKHCN's model contract; DESIGN.md `sign_contract`)."""

from django.db import transaction
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from core.text import group_thousands
from core.transitions import GuardFailed
from grants import workflow as grants_workflow
from grants.models import Proposal, ProposalState
from grants.workflow import current_time
from projects.models import Contract, Deliverable, ProgressReport, Tranche
from projects.schedule import report_periods
from projects.workflow import StateConflict, add_months, local_date, require_officer, trail

CONTRACT_FIELDS = (
    "number", "signed_on", "starts_on", "ends_on", "department_signatory",
    "department_signatory_title", "host_representative", "host_representative_title",
    "principal_investigator", "report_every_months",
)  # fmt: skip


def contract_defaults(proposal):
    """What the contract form starts from: the decision, the host and the investigator."""
    decided = local_date(proposal.decided_at) or timezone.localdate()
    owner = proposal.owner
    investigator = (
        getattr(getattr(owner, "profile", None), "full_name", "") or owner.get_full_name()
    )
    return {
        "number": "",
        "signed_on": None,
        "starts_on": None,
        "ends_on": None,
        "department_signatory": "",
        "department_signatory_title": "Giám đốc Sở Khoa học và Công nghệ",
        "host_representative": "",
        "host_representative_title": "",
        "principal_investigator": investigator,
        "report_every_months": 6,
        "decided_on": decided,
    }


def deliverables_from_dossier(proposal):
    """The dossier's expected products as the first deliverables: one per line, or per item of a
    list written on one line and separated by semicolons ("02 giống lúa; 01 quy trình")."""
    import re

    rows = []
    for item in re.split(r"[;\n]", proposal.expected_products or ""):
        name = item.strip(" -•*\t.")
        if name:
            rows.append({"name": name[:300], "quantity_indicator": "", "quality_indicator": ""})
    return rows


def contract_problems(proposal, values, tranches, deliverables):
    """Everything wrong with a contract as the officer prepared it, by field (`tranches-0-amount`
    for a tranche row's amount, `deliverables` for the list)."""
    errors = {}

    def add(key, message):
        errors.setdefault(key, []).append(message)

    number = (values.get("number") or "").strip()
    if not number:
        add("number", _("Enter the contract number."))
    elif Contract.objects.filter(number=number).exclude(proposal=proposal).exists():
        add("number", _("Another contract already has this number."))
    for key, label in (
        ("department_signatory", _("Enter the Department's signatory.")),
        ("host_representative", _("Enter the host organisation's legal representative.")),
        ("principal_investigator", _("Enter the principal investigator.")),
    ):
        if not (values.get(key) or "").strip():
            add(key, label)
    signed, starts, ends = values.get("signed_on"), values.get("starts_on"), values.get("ends_on")
    decided = local_date(proposal.decided_at)
    if signed is None:
        add("signed_on", _("Enter the signing date."))
    elif decided and signed < decided:
        add("signed_on", _("The contract cannot be signed before the funding decision."))
    if starts is None:
        add("starts_on", _("Enter the start date."))
    elif signed and starts < signed:
        add("starts_on", _("The task cannot start before the contract is signed."))
    if ends is None:
        add("ends_on", _("Enter the end date."))
    elif starts and ends <= starts:
        add("ends_on", _("The end date must be after the start date."))
    elif (
        starts and proposal.duration_months and ends > add_months(starts, proposal.duration_months)
    ):
        add(
            "ends_on",
            _("The decision approved %(months)s months: the task must end by %(day)s.")
            % {
                "months": proposal.duration_months,
                "day": add_months(starts, proposal.duration_months).strftime("%d/%m/%Y"),
            },
        )
    every = values.get("report_every_months")
    if not isinstance(every, int) or not 1 <= every <= 12:
        add("report_every_months", _("Reports are due every 1 to 12 months."))

    reports = (
        len(report_periods(starts, ends, every))
        if starts and ends and not errors.get("report_every_months")
        else None
    )
    if not tranches:
        add("tranches", _("Add at least one tranche."))
    total = 0
    for index, row in enumerate(tranches):
        prefix = f"tranches-{index}-"
        amount = row.get("amount")
        if not isinstance(amount, int) or amount <= 0:
            add(prefix + "amount", _("The amount must be a whole number of đồng above zero."))
        else:
            total += amount
        due = row.get("due_on")
        if due is None:
            add(prefix + "due_on", _("Enter the due date."))
        elif signed and due < signed:
            add(prefix + "due_on", _("A tranche cannot be due before the contract is signed."))
        condition = row.get("condition")
        if condition not in Tranche.Condition.values:
            add(prefix + "condition", _("Choose the condition of this tranche."))
        elif condition == Tranche.Condition.REPORT_ACCEPTED:
            number_ = row.get("report_number")
            if not isinstance(number_, int) or number_ < 1:
                add(prefix + "report_number", _("Say which progress report must be accepted."))
            elif reports is not None and number_ > reports:
                add(
                    prefix + "report_number",
                    _("The schedule has %(count)s progress reports.") % {"count": reports},
                )
    approved = proposal.approved_amount or 0
    if tranches and total != approved and not any(k.endswith("-amount") for k in errors):
        add(
            "tranches",
            _("The tranches add up to %(total)s ₫; the approved amount is %(approved)s ₫.")
            % {"total": group_thousands(total), "approved": group_thousands(approved)},
        )
    if not [d for d in deliverables if (d.get("name") or "").strip()]:
        add("deliverables", _("List at least one product the task delivers."))
    return errors


def prepare_contract(proposal, *, by, ip=None, values, tranches, deliverables):
    """Record (or correct) the contract of a funded proposal, with its tranche schedule and its
    deliverables, before it is signed. All or nothing: on any problem nothing is saved."""
    require_officer(by, proposal)
    with transaction.atomic():
        locked = Proposal.objects.select_for_update(of=("self",)).get(pk=proposal.pk)
        if locked.state != ProposalState.FUNDED:
            raise StateConflict(
                _("This proposal is now “%(state)s”, so the contract cannot be changed.")
                % {"state": locked.get_state_display()}
            )
        errors = contract_problems(locked, values, tranches, deliverables)
        if errors:
            raise GuardFailed(errors)
        contract, created = Contract.objects.get_or_create(proposal=locked)
        for key in CONTRACT_FIELDS:
            value = values.get(key)
            setattr(contract, key, value.strip() if isinstance(value, str) else value)
        contract.approved_amount = locked.approved_amount or 0
        contract.original_ends_on = contract.ends_on
        contract.prepared_by = by
        contract.prepared_at = current_time()
        contract.save()
        contract.tranches.all().delete()
        Tranche.objects.bulk_create(
            Tranche(
                contract=contract, position=index, due_on=row["due_on"], amount=row["amount"],
                condition=row["condition"],
                report_number=row.get("report_number")
                if row["condition"] == Tranche.Condition.REPORT_ACCEPTED else None,
            )
            for index, row in enumerate(tranches, start=1)
        )  # fmt: skip
        contract.deliverables.all().delete()
        Deliverable.objects.bulk_create(
            Deliverable(
                contract=contract, position=index, name=row["name"].strip()[:300],
                quantity_indicator=(row.get("quantity_indicator") or "").strip()[:300],
                quality_indicator=(row.get("quality_indicator") or "").strip()[:500],
            )
            for index, row in enumerate(
                [d for d in deliverables if (d.get("name") or "").strip()], start=1
            )
        )  # fmt: skip
        trail(
            locked, "prepare_contract", by=by, ip=ip, record=contract.number,
            data={"number": contract.number, "tranches": len(tranches),
                  "approved_amount": contract.approved_amount},
        )  # fmt: skip
    return contract


def signing_problems(proposal):
    """What keeps the prepared contract from being signed (the same checks, read back)."""
    contract = Contract.objects.filter(proposal=proposal).first()
    if contract is None or contract.prepared_at is None:
        return {"contract": [_("Prepare the contract first.")]}
    values = {key: getattr(contract, key) for key in CONTRACT_FIELDS}
    tranches = list(contract.tranches.values("due_on", "amount", "condition", "report_number"))
    deliverables = list(contract.deliverables.values("name"))
    return contract_problems(proposal, values, tranches, deliverables)


def sign_contract(proposal, *, by, ip=None, comment=""):
    """The contract is signed: the proposal moves funded → in_progress (through
    `grants.workflow`, under its lock), the report schedule is set, the trail written."""
    require_officer(by)

    def apply(locked):
        contract = Contract.objects.select_for_update().get(proposal=locked)
        contract.signed_at = current_time()
        contract.signed_by = by
        contract.approved_amount = locked.approved_amount or 0
        contract.save()
        ProgressReport.objects.bulk_create(
            ProgressReport(
                contract=contract, number=number, period_start=begin, period_end=end, due_on=due
            )
            for number, begin, end, due in report_periods(
                contract.starts_on, contract.ends_on, contract.report_every_months
            )
        )
        from projects import inspection

        inspection.schedule(contract)  # one inspection a contract year (Circular 04/2015)
        trail(
            locked, "sign_contract", by=by, ip=ip, record=contract.number,
            source=ProposalState.FUNDED, target=ProposalState.IN_PROGRESS,
            data={"number": contract.number, "signed_on": contract.signed_on.isoformat()},
        )  # fmt: skip
        return {"contract_number": contract.number}

    return grants_workflow.sign_contract(
        proposal, by=by, ip=ip, comment=comment, guard=signing_problems, apply=apply
    )
