"""Reads of the execution phase that the dashboards share (DESIGN.md → Execution), each in a
fixed number of queries whatever the number of projects: plain rows, ready for a template.

Nothing here changes a record; the steps themselves are in the step modules
(`projects.contracts`, `projects.reports`, … see `projects.workflow`).
"""

import datetime

from django.db.models import (
    Case,
    Count,
    Exists,
    F,
    OuterRef,
    Q,
    Subquery,
    Sum,
    Value,
    When,
)
from django.db.models.functions import ExtractYear
from django.urls import reverse
from django.utils import timezone, translation

from grants.models import FUNDED_STATES, Proposal, ProposalState
from projects.models import (
    ChangeRequest,
    ChangeState,
    Contract,
    Inspection,
    ProgressReport,
    ReportState,
    Tranche,
)
from projects.tranches import PASSING_VERDICTS
from projects.workflow import add_months

# How far ahead the officers' list of reports due looks, and how many rows a list shows.
DUE_WITHIN_DAYS = 30
LIST_LIMIT = 25

# The states of a task once its contract is signed, as the officers' dashboard counts them.
EXECUTION_STATES = (
    ProposalState.IN_PROGRESS,
    ProposalState.COMPLETED,
    ProposalState.TERMINATED,
    ProposalState.TRANSFERRED,
)
OPEN_REPORT_STATES = (ReportState.DRAFT, ReportState.RETURNED)  # still the investigator's to send


PAGES = {
    "contract": "project_contract",
    "contract.pdf": "project_contract_pdf",
    "tranches": "project_tranches",
    "reports": "project_reports",
    "changes": "project_changes",
    "inspections": "project_inspections",
}


def project_path(proposal_id, part):
    """The address of an execution page of a proposal (contract, tranches, reports, changes)
    or of its contract.pdf, in the active language."""
    return reverse(PAGES[part], args=[proposal_id])


# -- officers -------------------------------------------------------------------------------------


def projects_by_state(counts=None):
    """[{state, label, count}] for each state of a task after signing, zeros included; from
    `counts` ({state: n}, the dashboard's count of every proposal by state) when it is given,
    so that the proposals are counted once per page."""
    if counts is None:
        counts = dict(
            Proposal.objects.filter(state__in=EXECUTION_STATES)
            .order_by()
            .values_list("state")
            .annotate(n=Count("pk"))
        )
    return [
        {"state": state.value, "label": state.label, "count": counts.get(state.value, 0)}
        for state in EXECUTION_STATES
    ]


def _report_rows(reports, today):
    rows = []
    for row in reports:
        days = (row["due_on"] - today).days
        rows.append(
            {
                **row,
                "overdue": days < 0,
                "days_late": max(-days, 0),
                "days_left": max(days, 0),
                "url": project_path(row["proposal_id"], "reports"),
            }
        )
    return rows


def reports_due(*, today=None, within=DUE_WITHIN_DAYS, limit=LIST_LIMIT):
    """The running tasks' reports not yet sent: (overdue, due soon), each soonest first and at
    most `limit` rows (plus one, so the page can say there are more). A report is overdue the
    day after its due date (`ProgressReport.is_overdue`): due today is due, not late."""
    today = today or timezone.localdate()
    reports = (
        ProgressReport.objects.filter(
            state__in=OPEN_REPORT_STATES, contract__proposal__state=ProposalState.IN_PROGRESS
        )
        .order_by("due_on", "contract__proposal_id", "number")
        .values(
            "number",
            "due_on",
            "state",
            proposal_id=F("contract__proposal_id"),
            title=F("contract__proposal__title"),
            contract_number=F("contract__number"),
        )
    )
    overdue = reports.filter(due_on__lt=today)[: limit + 1]
    soon = reports.filter(due_on__gte=today, due_on__lte=today + datetime.timedelta(days=within))[
        : limit + 1
    ]
    return _report_rows(overdue, today), _report_rows(soon, today)


def inspections_overdue(*, today=None, limit=LIST_LIMIT):
    """The running tasks' annual inspections not yet recorded whose due date has passed (due
    today is not late), most overdue first, at most `limit` rows plus one."""
    today = today or timezone.localdate()
    rows = (
        Inspection.objects.filter(
            recorded_at__isnull=True,
            due_on__lt=today,
            contract__proposal__state=ProposalState.IN_PROGRESS,
        )
        .order_by("due_on", "contract__proposal_id", "year")
        .values(
            "year",
            "due_on",
            proposal_id=F("contract__proposal_id"),
            title=F("contract__proposal__title"),
            contract_number=F("contract__number"),
        )[: limit + 1]
    )
    return [
        {
            **row,
            "days_late": (today - row["due_on"]).days,
            "url": project_path(row["proposal_id"], "inspections"),
        }
        for row in rows
    ]


def condition_met():
    """The tranches whose condition holds now — the rule of the release (DESIGN.md → Execution):
    on signing, once the contract is signed; after report N, once report N is accepted; after
    acceptance, once the council's verdict is pass or excellent."""
    report_accepted = ProgressReport.objects.filter(
        contract=OuterRef("contract"), number=OuterRef("report_number"), state=ReportState.ACCEPTED
    )
    return (
        Q(condition=Tranche.Condition.ON_SIGNING, contract__signed_at__isnull=False)
        | Q(Exists(report_accepted), condition=Tranche.Condition.REPORT_ACCEPTED)
        | Q(
            condition=Tranche.Condition.ACCEPTANCE_PASSED,
            contract__proposal__acceptance_verdict__in=PASSING_VERDICTS,
        )
    )


def releasable_tranches(*, limit=LIST_LIMIT):
    """Tranches of signed contracts whose condition is met but which are not released yet: of a
    running task, or of a completed one for the tranche after acceptance."""
    tranches = (
        Tranche.objects.filter(released_at__isnull=True, contract__signed_at__isnull=False)
        .filter(
            Q(contract__proposal__state=ProposalState.IN_PROGRESS)
            | Q(
                contract__proposal__state=ProposalState.COMPLETED,
                condition=Tranche.Condition.ACCEPTANCE_PASSED,
            )
        )
        .filter(condition_met())
        .order_by("due_on", "contract__proposal_id", "position")
        .values(
            "position",
            "due_on",
            "amount",
            "condition",
            "report_number",
            proposal_id=F("contract__proposal_id"),
            title=F("contract__proposal__title"),
            contract_number=F("contract__number"),
        )[: limit + 1]
    )
    labels = dict(Tranche.Condition.choices)
    return [
        {
            **row,
            "condition_label": labels.get(row["condition"], row["condition"]),
            "url": project_path(row["proposal_id"], "tranches"),
        }
        for row in tranches
    ]


def _committed():
    """What a signed contract commits: its approved amount; once the task is terminated, only
    what was released (the rest goes back to the call, as `grants.workflow.fund` counts it).
    The proposal's state is asked of the few terminated proposals (a hashed subplan), not by
    joining every proposal: at 10,000 dossiers that join read the whole proposal table."""
    terminated = Proposal.objects.filter(pk=OuterRef("proposal_id"), state=ProposalState.TERMINATED)
    return Case(
        When(Exists(terminated), then=F("released_amount")),
        default=F("approved_amount"),
    )


def _committed_by_call_and_year():
    """One pass over the signed contracts, each contract's call read by its proposal's primary
    key: [{code, title, year, committed, released}] by call and by the year of signing."""
    call_of = Proposal.objects.filter(pk=OuterRef("proposal_id")).order_by().values("call_id")[:1]
    cells = list(
        Contract.objects.filter(signed_at__isnull=False)
        .annotate(call=Subquery(call_of), year=ExtractYear("signed_on"))
        .values("call", "year")
        .annotate(committed=Sum(_committed()), released=Sum("released_amount"))
        .order_by()
    )
    from grants.models import CallPage

    # The calls and their translations in one query: under /en/, a call's English title.
    signed = CallPage.objects.filter(pk__in={cell["call"] for cell in cells})
    pages = CallPage.objects.filter(translation_key__in=signed.values("translation_key")).values(
        "pk", "code", "title", "translation_key", "locale__language_code"
    )
    pages = list(pages)
    language = translation.get_language()
    own = {
        p["translation_key"]: p["title"] for p in pages if p["locale__language_code"] == language
    }
    calls = {p["pk"]: {**p, "title": own.get(p["translation_key"], p["title"])} for p in pages}
    for cell in cells:
        call = calls.get(cell.pop("call"), {})
        cell["code"], cell["title"] = call.get("code"), call.get("title")
    return cells


def _by_call(cells):
    calls = {}
    for cell in cells:
        row = calls.setdefault(
            (cell["code"], cell["title"]),
            {"code": cell["code"], "title": cell["title"], "committed": 0, "released": 0},
        )
        row["committed"] += cell["committed"]
        row["released"] += cell["released"]
    rows = sorted(calls.values(), key=lambda row: (row["code"] or "", row["title"] or ""))
    for row in rows:
        row["remaining"] = row["committed"] - row["released"]
    return rows, _total(rows)


def _by_year(cells):
    committed = {}
    for cell in cells:
        committed[cell["year"]] = committed.get(cell["year"], 0) + cell["committed"]
    released = dict(
        Tranche.objects.filter(released_at__isnull=False)
        .annotate(year=ExtractYear("released_at"))  # in the current time zone: An Giang's
        .order_by()
        .values_list("year")
        .annotate(total=Sum("amount"))
    )
    rows = [
        {
            "year": year,
            "committed": committed.get(year, 0),
            "released": released.get(year, 0),
        }
        for year in sorted(set(committed) | set(released))
    ]
    for row in rows:
        row["remaining"] = row["committed"] - row["released"]
    return rows, _total(rows)


def money():
    """Both money tables of the officers' dashboard in two queries: ((by_call, call_total),
    (by_year, year_total)), as `money_by_call` and `money_by_year` give them."""
    cells = _committed_by_call_and_year()
    return _by_call(cells), _by_year(cells)


def money_by_call():
    """[{code, title, committed, released, remaining}] per call, and the total row."""
    return _by_call(_committed_by_call_and_year())


def money_by_year():
    """[{year, committed, released, remaining}]: committed by the year the contract was signed,
    released by the year (An Giang time) each tranche was paid."""
    return _by_year(_committed_by_call_and_year())


def _total(rows):
    total = {key: sum(row[key] for row in rows) for key in ("committed", "released")}
    total["remaining"] = total["committed"] - total["released"]
    return total


# -- researchers ----------------------------------------------------------------------------------


def projects_of(user, *, today=None, limit=LIST_LIMIT):
    """The investigator's funded tasks, running ones first, at most `limit` (plus one, so the
    page can say there are more: the rest are on "My proposals"): for each, the next report
    due, the contract's end, the last day an extension may be asked (a month before the end,
    Circular 04/2015) and whether one was already asked, and the documents issued so far."""
    today = today or timezone.localdate()
    next_report = ProgressReport.objects.filter(
        contract__proposal=OuterRef("pk"), state__in=OPEN_REPORT_STATES
    ).order_by("number")
    extensions = ChangeRequest.objects.filter(
        contract__proposal=OuterRef("pk"), kind=ChangeRequest.Kind.EXTENSION
    )
    # Running tasks first, then those waiting for their contract, then the finished ones.
    running_first = Case(
        When(state=ProposalState.IN_PROGRESS, then=Value(0)),
        When(state=ProposalState.FUNDED, then=Value(1)),
        default=Value(2),
    )
    proposals = (
        Proposal.objects.filter(owner=user, state__in=FUNDED_STATES)
        .annotate(
            next_report_number=Subquery(next_report.values("number")[:1]),
            next_report_due=Subquery(next_report.values("due_on")[:1]),
            extension_granted=Exists(extensions.filter(state=ChangeState.APPROVED)),
            extension_pending=Exists(extensions.filter(state=ChangeState.REQUESTED)),
            running_first=running_first,
        )
        .order_by("running_first", "-decided_at", "-pk")
        .values(
            "pk",
            "title",
            "state",
            "decision_number",
            "next_report_number",
            "next_report_due",
            "extension_granted",
            "extension_pending",
            contract_number=F("contract__number"),
            ends_on=F("contract__ends_on"),
            signed_at=F("contract__signed_at"),
        )[: limit + 1]
    )
    labels = dict(ProposalState.choices)
    rows = []
    for row in proposals:
        running = row["state"] == ProposalState.IN_PROGRESS
        due = row["next_report_due"] if running else None
        ends = row["ends_on"] if row["signed_at"] else None
        last_day = add_months(ends, -1) if ends and running else None
        rows.append(
            {
                **row,
                "state_label": labels.get(row["state"], row["state"]),
                "running": running,
                "next_report_due": due,
                "report_overdue": due is not None and due < today,
                "report_url": project_path(row["pk"], "reports"),
                "ends_on": ends,
                "extension_last_day": last_day,
                "extension_open": bool(
                    last_day
                    and today <= last_day
                    and not row["extension_granted"]
                    and not row["extension_pending"]
                ),
                "changes_url": project_path(row["pk"], "changes"),
                "contract_pdf": project_path(row["pk"], "contract.pdf") if ends else "",
            }
        )
    return rows


# -- managers -------------------------------------------------------------------------------------


def changes_waiting(user, *, limit=LIST_LIMIT):
    """Change requests waiting for a manager's decision, oldest first; `own` marks those this
    manager may not decide (four-eyes: they prepared or recorded the contract)."""
    changes = (
        ChangeRequest.objects.filter(state=ChangeState.REQUESTED)
        .order_by("requested_at", "pk")
        .values(
            "pk",
            "kind",
            "requested_at",
            "new_ends_on",
            proposal_id=F("contract__proposal_id"),
            title=F("contract__proposal__title"),
            contract_number=F("contract__number"),
            prepared_by=F("contract__prepared_by_id"),
            signed_by=F("contract__signed_by_id"),
            requester_name=F("requested_by__profile__full_name"),
            requester_email=F("requested_by__email"),
        )[: limit + 1]
    )
    labels = dict(ChangeRequest.Kind.choices)
    return [
        {
            **row,
            "kind_label": labels.get(row["kind"], row["kind"]),
            "requester": row["requester_name"] or row["requester_email"],
            "own": user.pk in (row["prepared_by"], row["signed_by"]),
            "url": project_path(row["proposal_id"], "changes"),
        }
        for row in changes
    ]


# -- the officers' queue --------------------------------------------------------------------------


def registration_due(proposals, now=None):
    """Accepted tasks (completed, or transferred since) whose results registration has not been
    filed yet (`projects.registration`: due REGISTRATION_DAYS after the verdict, shown as
    overdue after that): the officer reminds the host. A filing waiting for its certificate
    is counted too, as the officer records it."""
    from projects.models import ResultRegistration
    from projects.registration import ACCEPTED_STATES

    recorded = ResultRegistration.objects.filter(
        contract__proposal=OuterRef("pk"), registered_on__isnull=False
    )
    return proposals.filter(state__in=ACCEPTED_STATES, contract__isnull=False).exclude(
        Exists(recorded)
    )
