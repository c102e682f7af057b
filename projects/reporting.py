"""What a progress report is measured against, read from the contract and the dossier: the
approved budget per category, what earlier reports already spent, and the figures people type.

Pure reads and parsing; the steps that change a report live in `projects.workflow`."""

import re

from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from grants.models import BudgetLine
from projects.models import ProgressReport, ReportState

# Whole đồng as people type them: 1500000, 1.500.000 (Vietnamese), 1,500,000 (English) or
# 1 500 000 — one separator, in groups of three digits.
AMOUNT = re.compile(r"[0-9]{1,3}(?:([., ])[0-9]{3})?(?:\1[0-9]{3})*|[0-9]+")
MAX_AMOUNT = 2**63 - 1  # PositiveBigIntegerField
# Reports whose spending the Department has in hand: what they spent counts against the budget.
COUNTED = (ReportState.SUBMITTED, ReportState.ACCEPTED)
TEXT_LIMIT = 5000  # per deliverable, for the work done and for the indicators reached


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


def approved_budget(contract):
    """{category: approved whole đồng} in the order of the categories: the appraised budget
    scaled to the approved amount, after the approved reallocations (one rule, in
    `projects.workflow.approved_budget`, for the reports and the change requests)."""
    from projects.workflow import approved_budget as after_changes

    return after_changes(contract)


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
