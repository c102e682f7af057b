"""What a progress report is measured against, read from the contract and the dossier: the
approved budget per category, what earlier reports already spent, and the figures people type.

Pure reads and parsing; the steps that change a report live in `projects.reports`, the changes
that move the budget in `projects.changes`."""

import re

from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from grants.models import AppraisalLine, BudgetLine
from projects.models import ChangeRequest, ChangeState, ProgressReport, ReportState

# Whole đồng as people type them: 1500000, 1.500.000 (Vietnamese), 1,500,000 (English) or
# 1 500 000 — one separator, in groups of three digits.
AMOUNT = re.compile(r"[0-9]{1,3}(?:([., ])[0-9]{3})?(?:\1[0-9]{3})*|[0-9]+")
MAX_AMOUNT = 2**63 - 1  # PositiveBigIntegerField
# Reports whose spending the Department has in hand: what they spent counts against the budget.
COUNTED = (ReportState.SUBMITTED, ReportState.ACCEPTED)
TEXT_LIMIT = 5000  # per deliverable, for the work done and for the indicators reached
# What a change request counts as spent: every report sent, a returned one included.
SPENDING_REPORTED = (ReportState.SUBMITTED, ReportState.ACCEPTED, ReportState.RETURNED)


def parse_amount(value):
    """(amount, error): whole đồng ≥ 0 from an int or a typed text; (None, None) when blank."""
    if value is None or (isinstance(value, str) and not value.strip()):
        return None, None
    if isinstance(value, bool):
        return None, _("Enter the amount in whole đồng, for example 15.000.000.")
    if isinstance(value, int):
        number = value
    else:
        text = str(value).strip()
        if text.startswith("-"):
            return None, _("Spending cannot be negative.")
        if len(text) > 30 or not AMOUNT.fullmatch(text):
            return None, _("Enter the amount in whole đồng, for example 15.000.000.")
        number = int(re.sub(r"[., ]", "", text))
    if number < 0:
        return None, _("Spending cannot be negative.")
    if number > MAX_AMOUNT:
        return None, _("This amount is too large.")
    return number, None


def _base_budget(proposal, approved):
    """The approved budget per category: the appraised lines (the requested ones when no
    appraisal was recorded), scaled to the `approved` amount when the decision cut it further
    (largest remainders, so the categories still add up to the approved amount exactly)."""
    lines = list(
        AppraisalLine.objects.filter(appraisal__proposal=proposal).values_list(
            "budget_line__category", "amount"
        )
    ) or list(BudgetLine.objects.filter(proposal=proposal).values_list("category", "amount"))
    base = {}
    for category, amount in lines:
        base[category] = base.get(category, 0) + amount
    order = {value: index for index, value in enumerate(BudgetLine.Category.values)}
    base = dict(sorted(base.items(), key=lambda item: order.get(item[0], len(order))))
    total = sum(base.values())
    if not approved or not total or total == approved:
        return base
    shares = {key: divmod(amount * approved, total) for key, amount in base.items()}
    scaled = {key: whole for key, (whole, _rest) in shares.items()}
    left = approved - sum(scaled.values())
    for key in sorted(shares, key=lambda key: -shares[key][1])[:left]:
        scaled[key] += 1
    return scaled


def approved_budget(contract):
    """The contract's budget per category after its approved reallocations: what the
    progress reports' spending is measured against. {category: whole VND}."""
    budget = _base_budget(
        contract.proposal, contract.approved_amount or contract.proposal.approved_amount
    )
    for moves in contract.changes.filter(
        kind=ChangeRequest.Kind.REALLOCATION, state=ChangeState.APPROVED
    ).values_list("reallocation", flat=True):
        for category, amount in moves.items():
            budget[category] = budget.get(category, 0) + amount
    return budget


def reported_spending(contract):
    """What the reports sent to the Department say was spent, per category, so far."""
    spent = {}
    for spending in contract.reports.filter(state__in=SPENDING_REPORTED).values_list(
        "spending", flat=True
    ):
        for category, amount in (spending or {}).items():
            if isinstance(amount, int):
                spent[category] = spent.get(category, 0) + amount
    return spent


def category_label(category):
    return dict(BudgetLine.Category.choices).get(category, category)


def spent_before(report):
    """{category: đồng} spent in the contract's earlier reports that reached the Department."""
    spent = {}
    earlier = ProgressReport.objects.filter(
        contract_id=report.contract_id, number__lt=report.number, state__in=COUNTED
    ).values_list("spending", flat=True)
    for spending in earlier:
        for category, amount in (spending or {}).items():
            if isinstance(amount, int):
                spent[category] = spent.get(category, 0) + amount
    return spent


def budget_rows(report):
    """One row per approved category: approved, spent before, this period, total, remaining."""
    budget = approved_budget(report.contract)
    before = spent_before(report)
    spending = report.spending or {}
    rows = []
    for category, approved in budget.items():
        now = spending.get(category)
        total = before.get(category, 0) + (now if isinstance(now, int) else 0)
        rows.append(
            {
                "category": category,
                "label": category_label(category),
                "approved": approved,
                "before": before.get(category, 0),
                "now": now,
                "total": total,
                "remaining": approved - total,
                "over": total > approved,
            }
        )
    return rows


def overdue(reports, today=None):
    """The reports of `reports` past their due date and not yet with the Department."""
    today = today or timezone.localdate()
    return [r for r in reports if r.is_overdue(today)]


def overdue_queryset(today=None):
    """Every overdue report of a running task, for the daily reminder and the dashboards."""
    today = today or timezone.localdate()
    return ProgressReport.objects.filter(
        state__in=(ReportState.DRAFT, ReportState.RETURNED),
        due_on__lt=today,
        contract__proposal__state="in_progress",
    )


def spent_total(report):
    return sum(v for v in (report.spending or {}).values() if isinstance(v, int))
