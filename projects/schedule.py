"""The task's calendar: the periods of the progress reports a contract sets, and how an approved
extension moves the reports, the tranches and the inspections still to come (Circular 04/2015;
the contract of Circular 05/2014)."""

import datetime

from django.utils.translation import gettext_lazy as _

from projects.models import ProgressReport
from projects.reports import REPORT_EDITABLE
from projects.workflow import add_months, trail


def report_periods(starts, ends, every):
    """(number, period start, period end, due date) of each periodic report: one per `every`
    months that end before the contract does (the last stretch is covered by the acceptance
    dossier), due 15 days after its period ends."""
    periods = []
    number, begin = 1, starts
    while True:
        end = add_months(starts, number * every) - datetime.timedelta(days=1)
        if end >= ends:
            break
        periods.append((number, begin, end, end + datetime.timedelta(days=15)))
        number, begin = number + 1, end + datetime.timedelta(days=1)
    return periods


def move_schedule(contract, old_end):
    """The schedule follows an approved extension (Circular 04/2015; contract of Circular
    05/2014), under the contract's row lock the caller holds:

    - the reports still the investigator's to send (draft, returned) take the periods and due
      dates `report_periods` gives for the new end, and the periods the longer task adds are
      added; submitted and accepted reports are left as they were sent;
    - the tranches not yet released that were due on or after the old end (the money of the
      task's end) move by the extension's span in days; those due before it keep their date;
    - the annual inspections not yet recorded follow the new end (`projects.inspection`).

    Returns what moved, for the trail: {reports_added, reports_moved, tranches_moved,
    inspections_moved}."""
    from projects import inspection

    span = contract.ends_on - old_end
    schedule = {
        number: (begin, end, due)
        for number, begin, end, due in report_periods(
            contract.starts_on, contract.ends_on, contract.report_every_months
        )
    }
    reports = {r.number: r for r in contract.reports.select_for_update()}
    moved_reports = []
    for number, report in sorted(reports.items()):
        period = schedule.get(number)
        if report.state not in REPORT_EDITABLE or period is None:
            continue
        if (report.period_start, report.period_end, report.due_on) == period:
            continue
        moved_reports.append(
            {
                "number": number,
                "due_on": report.due_on.isoformat(),
                "new_due_on": period[2].isoformat(),
            }
        )
        report.period_start, report.period_end, report.due_on = period
        report.save(update_fields=["period_start", "period_end", "due_on", "updated_at"])
    added = [
        ProgressReport(
            contract=contract, number=number, period_start=begin, period_end=end, due_on=due
        )
        for number, (begin, end, due) in sorted(schedule.items())
        if number not in reports
    ]
    ProgressReport.objects.bulk_create(added)
    moved_tranches = []
    for tranche in contract.tranches.select_for_update().filter(
        released_at__isnull=True, due_on__gte=old_end
    ):
        moved_tranches.append(
            {
                "position": tranche.position,
                "due_on": tranche.due_on.isoformat(),
                "new_due_on": (tranche.due_on + span).isoformat(),
            }
        )
        tranche.due_on += span
        tranche.save(update_fields=["due_on"])
    return {
        "reports_added": [r.number for r in added],
        "reports_added_due": [r.due_on.isoformat() for r in added],
        "reports_moved": moved_reports,
        "tranches_moved": moved_tranches,
        "inspections_moved": inspection.reschedule(contract),
    }


def trail_schedule(contract, data, *, by, ip=None):
    """The trail entry that says, in words and in `data`, how an extension moved the schedule."""
    words = [
        _("End date %(before)s → %(after)s.")
        % {"before": _iso_day(data["ends_on"]), "after": _iso_day(data["new_ends_on"])}
    ]
    for number, due in zip(data["reports_added"], data["reports_added_due"], strict=True):
        words.append(
            _("Progress report %(number)s added, due %(day)s.")
            % {"number": number, "day": _iso_day(due)}
        )
    for row in data["reports_moved"]:
        words.append(
            _("Progress report %(number)s now due %(after)s (was %(before)s).")
            % {"number": row["number"], "after": _iso_day(row["new_due_on"]),
               "before": _iso_day(row["due_on"])}
        )  # fmt: skip
    for row in data["tranches_moved"]:
        words.append(
            _("Tranche %(position)s now due %(after)s (was %(before)s).")
            % {"position": row["position"], "after": _iso_day(row["new_due_on"]),
               "before": _iso_day(row["due_on"])}
        )  # fmt: skip
    for row in data["inspections_moved"]:
        if row["due_on"] is None:
            words.append(
                _("Inspection of year %(year)s added, due %(day)s.")
                % {"year": row["year"], "day": _iso_day(row["new_due_on"])}
            )
        else:
            words.append(
                _("Inspection of year %(year)s now due %(after)s (was %(before)s).")
                % {"year": row["year"], "after": _iso_day(row["new_due_on"]),
                   "before": _iso_day(row["due_on"])}
            )  # fmt: skip
    keys = ("ends_on", "new_ends_on", "reports_added", "reports_moved", "tranches_moved",
            "inspections_moved")  # fmt: skip
    return trail(
        contract.proposal_id, "move_schedule", by=by, ip=ip, record=contract.number,
        comment=" ".join(str(w) for w in words), data={key: data[key] for key in keys},
    )  # fmt: skip


def _iso_day(value):
    return datetime.date.fromisoformat(value).strftime("%d/%m/%Y")
