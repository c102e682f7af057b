"""The budget appraisal (thẩm định kinh phí) that `fund` requires: one record per passing proposal."""

import datetime

from django.core.exceptions import PermissionDenied, ValidationError
from django.db import transaction
from django.utils import timezone
from django.utils.translation import gettext as _

from core import figures_version
from core.text import group_thousands
from grants.models import AppraisalLine, BudgetAppraisal, PriceQuote, Proposal, ProposalState
from grants.rules import is_officer

UNITS = [value for value, _label in BudgetAppraisal.Unit.choices]
QUOTE_MAX_AGE = datetime.timedelta(days=90)


def record(proposal, *, by, members, lines, quotes, note="", today=None):
    """Record the team, the appraised amount of every budget line (a reason for each cut) and
    the price quotes (at least one, none older than 90 days). Sets `appraised_amount`.

    `members`: {unit: name}; `lines`: {budget_line_id: (amount, reason)};
    `quotes`: [(item, supplier, date, amount)]. Raises ValidationError with keys per field.
    """
    today = today or timezone.localdate()
    if not is_officer(proposal, by):
        raise PermissionDenied(_("Only an officer records the budget appraisal."))
    errors = {}
    if proposal.state != ProposalState.REVIEWED or not proposal.passed:
        raise ValidationError(_("Only a reviewed proposal that passed is appraised."))
    for unit in UNITS:
        if not (members.get(unit) or "").strip():
            errors[f"member-{unit}"] = _("Name the member from this unit.")
    budget_lines = {line.pk: line for line in proposal.budget_lines.all()}
    clean_lines = {}
    for pk, line in budget_lines.items():
        amount, reason = lines.get(pk, (None, ""))
        if amount is None:
            errors[f"line-{pk}"] = _("Enter the appraised amount.")
            continue
        if amount < 0 or amount > line.amount:
            errors[f"line-{pk}"] = _("Between 0 and the requested %(amount)s ₫.") % {
                "amount": group_thousands(line.amount)
            }
            continue
        if amount < line.amount and not (reason or "").strip():
            errors[f"reason-{pk}"] = _("Give the reason for the cut.")
            continue
        clean_lines[pk] = (amount, (reason or "").strip())
    clean_quotes = []
    for index, (item, supplier, quoted_on, amount) in enumerate(quotes):
        if not any([item, supplier, quoted_on, amount]):
            continue
        if not (item and supplier and quoted_on and amount):
            errors[f"quote-{index}"] = _("Fill in the item, supplier, date and amount.")
        elif quoted_on > today:
            errors[f"quote-{index}"] = _("The quotation cannot be dated in the future.")
        elif today - quoted_on > QUOTE_MAX_AGE:
            errors[f"quote-{index}"] = _("This quotation is older than 90 days.")
        else:
            clean_quotes.append((item, supplier, quoted_on, amount))
    if not clean_quotes and not any(k.startswith("quote-") for k in errors):
        errors["quote-0"] = _("Attach at least one price quotation.")
    if errors:
        raise ValidationError(errors)
    total = sum(amount for amount, _reason in clean_lines.values())
    with transaction.atomic():
        locked = Proposal.objects.select_for_update().get(pk=proposal.pk)
        if locked.state != ProposalState.REVIEWED:
            raise ValidationError(_("This proposal has been decided in the meantime."))
        appraisal, _created = BudgetAppraisal.objects.update_or_create(
            proposal=locked,
            defaults={
                "members": [{"unit": unit, "name": members[unit].strip()} for unit in UNITS],
                "note": note.strip(),
                "total": total,
                "recorded_by": by,
            },
        )
        appraisal.lines.all().delete()
        appraisal.quotes.all().delete()
        AppraisalLine.objects.bulk_create(
            AppraisalLine(appraisal=appraisal, budget_line_id=pk, amount=amount, reason=reason)
            for pk, (amount, reason) in clean_lines.items()
        )
        PriceQuote.objects.bulk_create(
            PriceQuote(appraisal=appraisal, item=i, supplier=s, quoted_on=d, amount=a)
            for i, s, d, a in clean_quotes
        )
        Proposal.objects.filter(pk=locked.pk).update(appraised_amount=total, appraised_by=by)
        figures_version.bump_on_commit()  # the officers' "budget appraisals to record"
    return appraisal
