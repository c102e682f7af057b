"""The annual inspection of a running task (kiểm tra định kỳ, Circular 04/2015/TT-BKHCN: the
Department inspects each task at least once a year).

Each year of the contract — from its start, twelve months at a time, the last year ending with
the contract — has one `Inspection`, scheduled when the contract is signed (`schedule`) and due
by the last day of that year. An approved extension moves the schedule (`reschedule`, called by
`projects.schedule.move_schedule`): the years not yet inspected take their new dates and the
years the extension adds are added. An officer who takes no part in the task records each
inspection once (`record_inspection`): the date, the findings, the conclusion (on track, behind
schedule, serious problems), recommendations (required unless the task is on track) and,
optionally, the minutes as a file; the investigator is told by e-mail.
"""

import datetime

from django.core.exceptions import ValidationError
from django.db import transaction
from django.utils.translation import gettext_lazy as _

from core.transitions import GuardFailed
from grants.models import Proposal, ProposalState
from grants.workflow import current_time
from projects.models import Contract, Inspection, InspectionAttachment
from projects.workflow import (
    StateConflict,
    add_months,
    local_today,
    notice_on_commit,
    require_officer,
    trail,
)

FINDINGS_LIMIT = 20000
RECOMMENDATIONS_LIMIT = 10000
LABEL_LIMIT = 200
DAY = datetime.timedelta(days=1)


def inspection_years(starts, ends):
    """(year, first day, last day, due date) of each contract year from `starts` to `ends`:
    twelve months at a time (01/01/2027 → 31/12/2027), the last one ending with the contract;
    each inspection is due by the last day of its year."""
    years = []
    if not starts or not ends or ends < starts:
        return years
    number, begin = 1, starts
    while begin <= ends:
        end = min(add_months(starts, 12 * number) - DAY, ends)
        years.append((number, begin, end, end))
        number, begin = number + 1, end + DAY
    return years


def schedule(contract):
    """The inspections of a contract being signed (call it under the contract's lock)."""
    Inspection.objects.bulk_create(
        Inspection(contract=contract, year=year, period_start=begin, period_end=end, due_on=due)
        for year, begin, end, due in inspection_years(contract.starts_on, contract.ends_on)
    )


def reschedule(contract):
    """After an extension (under the contract's lock): the years not yet inspected follow the
    new end, the years it adds are added; recorded inspections stay as they were. Returns
    [{year, due_on, new_due_on}] of those that moved (`due_on` None for an added year)."""
    years = {year: (begin, end, due) for year, begin, end, due in inspection_years(
        contract.starts_on, contract.ends_on)}  # fmt: skip
    have = {i.year: i for i in contract.inspections.select_for_update()}
    moved = []
    for year, (begin, end, due) in sorted(years.items()):
        inspection = have.get(year)
        if inspection is None:
            Inspection.objects.create(
                contract=contract, year=year, period_start=begin, period_end=end, due_on=due
            )
            moved.append({"year": year, "due_on": None, "new_due_on": due.isoformat()})
        elif not inspection.is_recorded and (
            inspection.period_start,
            inspection.period_end,
            inspection.due_on,
        ) != (begin, end, due):
            moved.append(
                {"year": year, "due_on": inspection.due_on.isoformat(),
                 "new_due_on": due.isoformat()}
            )  # fmt: skip
            inspection.period_start, inspection.period_end, inspection.due_on = begin, end, due
            inspection.save(update_fields=["period_start", "period_end", "due_on"])
    return moved


def _day(value):
    return value.strftime("%d/%m/%Y")


def inspection_problems(inspection, *, inspected_on, findings, conclusion, recommendations,
                        upload=None, label="", today=None):  # fmt: skip
    """What is wrong with an inspection as the officer records it, by field: the date (within
    the year inspected, not before its first day, never in the future), the findings, the
    conclusion, the recommendations (required unless the task is on track), and the file's
    description when a file is attached."""
    errors = {}
    today = today or local_today()
    if not isinstance(inspected_on, datetime.date):
        errors["inspected_on"] = [_("Enter the date of the inspection.")]
    elif inspected_on < inspection.period_start:
        errors["inspected_on"] = [
            _("This inspection covers year %(year)s of the contract, from %(day)s: it cannot be "
              "dated earlier.") % {"year": inspection.year, "day": _day(inspection.period_start)}
        ]  # fmt: skip
    elif inspected_on > today:
        errors["inspected_on"] = [_("The inspection cannot be dated in the future.")]
    findings = (findings or "").strip()
    if not findings:
        errors["findings"] = [_("Describe what the inspection found.")]
    elif len(findings) > FINDINGS_LIMIT:
        errors["findings"] = [_("At most %(limit)s characters.") % {"limit": FINDINGS_LIMIT}]
    if conclusion not in Inspection.Conclusion.values:
        errors["conclusion"] = [_("Choose the conclusion of the inspection.")]
    recommendations = (recommendations or "").strip()
    if len(recommendations) > RECOMMENDATIONS_LIMIT:
        errors["recommendations"] = [
            _("At most %(limit)s characters.") % {"limit": RECOMMENDATIONS_LIMIT}
        ]
    elif not recommendations and conclusion in (
        Inspection.Conclusion.BEHIND,
        Inspection.Conclusion.SERIOUS,
    ):
        errors["recommendations"] = [_("Say what the host must do: the task is not on track.")]
    label = (label or "").strip()
    if upload is not None and not label:
        errors["label"] = [_("Say what this file is.")]
    elif len(label) > LABEL_LIMIT:
        errors["label"] = [_("At most %(limit)s characters.") % {"limit": LABEL_LIMIT}]
    return errors


def _notify(inspection_id):
    from projects import inspection_notices

    notice_on_commit(inspection_notices.notify_inspection, inspection_id)


def record_inspection(inspection, *, by, ip=None, inspected_on, findings, conclusion,
                      recommendations="", upload=None, label=""):  # fmt: skip
    """An officer records the inspection of one contract year (Circular 04/2015), once, while
    the task is in progress; the file (the minutes, photos) is optional and checked by its
    content. Under the proposal's and the inspection's row locks; the trail says what was
    concluded; the investigator is told on commit."""
    from core import files

    contract = Contract.objects.select_related("proposal").get(pk=inspection.contract_id)
    require_officer(by, contract.proposal)
    file_errors, checked = {}, None
    if upload is not None:
        try:
            checked = files.check(upload)
        except ValidationError as error:
            file_errors["file"] = [str(m) for m in error.messages]
    with transaction.atomic():
        proposal = Proposal.objects.select_for_update(of=("self",)).get(pk=contract.proposal_id)
        if proposal.state != ProposalState.IN_PROGRESS:
            raise StateConflict(
                _("This proposal is now “%(state)s”: inspections are recorded while the task "
                  "runs.") % {"state": proposal.get_state_display()}
            )  # fmt: skip
        locked = Inspection.objects.select_for_update().get(pk=inspection.pk)
        if locked.is_recorded:
            raise StateConflict(
                _("The inspection of year %(year)s was already recorded on %(day)s, so it was "
                  "not recorded again.") % {"year": locked.year, "day": _day(locked.inspected_on)}
            )  # fmt: skip
        errors = inspection_problems(
            locked, inspected_on=inspected_on, findings=findings, conclusion=conclusion,
            recommendations=recommendations, upload=upload, label=label,
        )  # fmt: skip
        errors.update(file_errors)
        if errors:
            raise GuardFailed(errors)
        locked.inspected_on = inspected_on
        locked.findings = findings.strip()
        locked.conclusion = conclusion
        locked.recommendations = (recommendations or "").strip()
        locked.recorded_at = current_time()
        locked.recorded_by = by
        locked.save()
        if upload is not None:
            attachment = InspectionAttachment(
                inspection=locked, label=label.strip(), uploaded_by=by, sha256=checked[3]
            )
            attachment.take(upload, checked)
            attachment.save()
        trail(
            proposal, "record_inspection", by=by, ip=ip,
            record=str(_("inspection of year %(year)s") % {"year": locked.year}),
            comment=locked.findings,
            data={"year": locked.year, "inspected_on": inspected_on.isoformat(),
                  "due_on": locked.due_on.isoformat(), "conclusion": conclusion,
                  "late": inspected_on > locked.due_on, "file": upload is not None},
        )  # fmt: skip
        _notify(locked.pk)
    return locked
