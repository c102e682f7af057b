"""The progress reports of a running task: the investigator writes (autosaved drafts, files)
and submits them, an officer accepts or returns them. What a report is measured against (the
approved budget, earlier spending, typed amounts) is read in `projects.reporting`."""

import datetime

from django.core.exceptions import PermissionDenied, ValidationError
from django.db import transaction
from django.utils.translation import gettext_lazy as _

from core import roles
from core.text import group_thousands
from core.transitions import GuardFailed, fire, required
from grants.workflow import current_time
from projects import reporting
from projects.models import ProgressReport, ReportAttachment, ReportState
from projects.workflow import StateConflict, format_day, local_today, notice_on_commit, trail

# Circular 04/2015/TT-BKHCN (inspection of tasks) and the contract of Circular 05/2014: the
# investigator reports progress periodically by the contract's schedule (work done per product,
# indicators reached, spending of the state budget, problems and proposals); the Department
# accepts the report or sends it back to be corrected.

REPORT_EDITABLE = (ReportState.DRAFT, ReportState.RETURNED)


def _is_investigator(report, user):
    return user is not None and report.contract.proposal.owner_id == user.pk


def _require_investigator(report, user):
    if not _is_investigator(report, user):
        raise PermissionDenied(_("Only the principal investigator writes the progress reports."))


def _report_conflict(report):
    return StateConflict(
        _("This report is now “%(state)s”, so this action was not applied.")
        % {"state": report.get_state_display()}
    )


def report_problems(report):
    """What a report needs before it is submitted, by field: for every deliverable the work done
    and the indicators reached (`work-<id>`, `reached-<id>`); for every approved budget category
    the spending of the period as whole đồng, zero being a figure and a blank not
    (`spending-<category>`), and never more in total, with the earlier reports, than the
    category's approved budget (a reallocation is asked for on the changes page first);
    the problems met and the proposals (`problems`)."""
    errors = {}

    def add(key, message):
        errors.setdefault(key, []).append(message)

    work = report.work or {}
    for deliverable in report.contract.deliverables.all():
        entry = work.get(str(deliverable.pk)) or {}
        if not (entry.get("work") or "").strip():
            add(f"work-{deliverable.pk}", _("Say what was done on this product in the period."))
        if not (entry.get("reached") or "").strip():
            add(
                f"reached-{deliverable.pk}",
                _("Say how far this product's indicators have been reached."),
            )
    spending = report.spending or {}
    for row in reporting.budget_rows(report):
        key = f"spending-{row['category']}"
        amount = spending.get(row["category"])
        if not isinstance(amount, int) or isinstance(amount, bool) or amount < 0:
            add(key, _("Enter the spending of the period (0 if nothing was spent)."))
        elif row["over"]:
            add(
                key,
                _(
                    "With the earlier reports this comes to %(total)s ₫, more than the %(approved)s"
                    " ₫ approved for this category: ask for a budget reallocation first."
                )
                % {
                    "total": group_thousands(row["total"]),
                    "approved": group_thousands(row["approved"]),
                },
            )
    if not (report.problems or "").strip():
        add("problems", _("Describe the problems met and your proposals (or write “none”)."))
    return errors


def _clean_draft(report, work, spending, problems):
    """The draft as it will be stored, and the errors by field (bad numbers, texts too long)."""
    errors = {}
    known = {str(d.pk) for d in report.contract.deliverables.all()}
    clean_work = {}
    for pk, entry in (work or {}).items():
        if str(pk) not in known or not isinstance(entry, dict):
            continue
        row = {}
        for part in ("work", "reached"):
            text = str(entry.get(part) or "").strip()
            if len(text) > reporting.TEXT_LIMIT:
                errors[f"{part}-{pk}"] = [
                    _("At most %(limit)s characters.") % {"limit": reporting.TEXT_LIMIT}
                ]
            row[part] = text
        clean_work[str(pk)] = row
    categories = reporting.approved_budget(report.contract)
    clean_spending = {}
    for category, raw in (spending or {}).items():
        if category not in categories:
            continue
        amount, error = reporting.parse_amount(raw)
        if error:
            errors[f"spending-{category}"] = [error]
        elif amount is not None:
            clean_spending[category] = amount
    problems = (problems or "").strip()
    if len(problems) > 10000:
        errors["problems"] = [_("At most %(limit)s characters.") % {"limit": 10000}]
    return {"work": clean_work, "spending": clean_spending, "problems": problems}, errors


def _locked_report(report):
    return (
        ProgressReport.objects.select_for_update(of=("self",))
        .select_related("contract__proposal")
        .get(pk=report.pk)
    )


def save_report_draft(report, *, by, work, spending, problems):
    """The investigator's draft of a report, saved as it stands (parts may still be missing; the
    page autosaves it). Drafts and returned reports only. Bad numbers and texts too long are
    refused by the field and nothing is saved. Drafts are not trail entries: only what reaches
    the Department is (submit, accept, return)."""
    with transaction.atomic():
        locked = _locked_report(report)
        _require_investigator(locked, by)
        if locked.state not in REPORT_EDITABLE:
            raise _report_conflict(locked)
        clean, errors = _clean_draft(locked, work, spending, problems)
        if errors:
            raise GuardFailed(errors)
        locked.work, locked.spending, locked.problems = (
            clean["work"], clean["spending"], clean["problems"],
        )  # fmt: skip
        locked.save(update_fields=["work", "spending", "problems", "updated_at"])
    return locked


def add_report_attachment(report, upload, *, by, label):
    """A file attached to a report being written (checked by its content: `core.files.check`)."""
    from core import files

    _require_investigator(report, by)  # before the file is read: strangers cost nothing
    label = (label or "").strip()
    errors = {}
    if not label:
        errors["label"] = [_("Say what this file is.")]
    elif len(label) > 200:
        errors["label"] = [_("At most %(limit)s characters.") % {"limit": 200}]
    checked = None
    if upload is None:
        errors["file"] = [_("Choose a file.")]
    else:
        try:
            checked = files.check(upload)
        except ValidationError as error:
            errors["file"] = [str(m) for m in error.messages]
    with transaction.atomic():
        locked = _locked_report(report)
        _require_investigator(locked, by)
        if locked.state not in REPORT_EDITABLE:
            raise _report_conflict(locked)
        if errors:
            raise GuardFailed(errors)
        attachment = ReportAttachment(report=locked, label=label, uploaded_by=by, sha256=checked[3])
        attachment.take(upload, checked)
        attachment.save()
    return attachment


def remove_report_attachment(attachment, *, by):
    """The investigator takes a file back while the report is still theirs to write."""
    with transaction.atomic():
        locked = _locked_report(attachment.report)
        _require_investigator(locked, by)
        if locked.state not in REPORT_EDITABLE:
            raise _report_conflict(locked)
        storage, name = attachment.file.storage, attachment.file.name
        attachment.delete()
        # The stored file goes only once the row is gone for good.
        transaction.on_commit(lambda: storage.delete(name))


def _notify_report(locked, event):
    from projects import tasks

    notice_on_commit(tasks.notify_report, locked.pk, event)


def _fire_report(report, name, *, by, ip, allowed, denied, guard=None, apply=None, comment=""):
    def record(locked, source, data):
        trail(
            locked.contract.proposal_id, f"report_{name}", by=by, ip=ip,
            record=str(_("report %(number)s") % {"number": locked.number}),
            source=source, target=locked.state, comment=comment, data=data or {},
        )  # fmt: skip
        _notify_report(locked, name)

    return fire(
        ProgressReport.objects.select_related("contract__proposal"), report.pk, name,
        allowed=allowed, denied=denied, conflict=_report_conflict, guard=guard, apply=apply,
        record=record,
    )  # fmt: skip


def period_problems(report, today=None):
    """A periodic report covers a period that has ended (Circular 04/2015: the periodic report
    is sent after its period, by the due date `report_periods` sets 15 days after the period's
    last day). It may be sent from the day after `period_end`, in An Giang's calendar; on the
    period's last day the period is still running, and the 15 days before the end are not
    allowed either: what a report says of the period must be what was done in all of it."""
    today = today or local_today()
    if today > report.period_end:
        return {}
    return {
        "period": [
            _("This report covers the period up to %(end)s: it can be submitted from %(day)s.")
            % {
                "end": format_day(report.period_end),
                "day": format_day(report.period_end + datetime.timedelta(days=1)),
            }
        ]
    }


def submit_report(report, *, by, ip=None):
    """The principal investigator sends the report to the Department once its period has ended
    (`period_problems`) with every part filled in (`report_problems`); the officers are told by
    e-mail."""

    def guard(locked):
        return period_problems(locked) | report_problems(locked)

    def apply(locked):
        locked.submitted_at = current_time()
        locked.return_reason = ""
        return {"spent": reporting.spent_total(locked)}

    return _fire_report(
        report, "submit", by=by, ip=ip,
        allowed=lambda locked: _is_investigator(locked, by),
        denied=_("Only the principal investigator submits the progress reports."),
        guard=guard, apply=apply,
    )  # fmt: skip


def accept_report(report, *, by, ip=None, comment=""):
    """An officer accepts a submitted report (it may unlock a tranche); the investigator is
    told by e-mail."""

    def apply(locked):
        locked.decided_at = current_time()
        locked.decided_by = by

    return _fire_report(
        report, "accept", by=by, ip=ip,
        allowed=lambda locked: roles.has_role(by, roles.OFFICER),
        denied=_("Only an officer of the Department may do this."),
        apply=apply, comment=comment,
    )  # fmt: skip


def return_report(report, *, by, ip=None, comment=""):
    """Back to the investigator with the reason, to be corrected and submitted again."""

    def apply(locked):
        locked.decided_at = current_time()
        locked.decided_by = by
        locked.return_reason = comment.strip()

    return _fire_report(
        report, "return_report", by=by, ip=ip,
        allowed=lambda locked: roles.has_role(by, roles.OFFICER),
        denied=_("Only an officer of the Department may do this."),
        guard=lambda locked: required(comment, "comment", _("Say what the report must correct.")),
        apply=apply, comment=comment,
    )  # fmt: skip
