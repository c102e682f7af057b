"""Registration of a task's results (đăng ký kết quả thực hiện nhiệm vụ KH&CN, Circular
14/2014/TT-BKHCN as amended by Circular 11/2023/TT-BKHCN), once the task is accepted.

The principal investigator (the proposal's owner, for the host organisation) files the summary
of the results and the products; an officer of the Department who takes no part in the task
records the registration certificate (giấy chứng nhận đăng ký): its number and its date. Each
step has the shape of `projects.workflow`: the role (PermissionDenied), the state
(StateConflict), the guard (GuardFailed by field), the rows locked, the trail entry, the notice
once the transaction commits.
"""

import datetime

from django.conf import settings
from django.core.exceptions import PermissionDenied
from django.db import IntegrityError, OperationalError, transaction
from django.urls import reverse
from django.utils import timezone, translation
from django.utils.translation import gettext_lazy as _
from django_tasks import task

from core import figures_version
from core.mail import send_templated
from core.transitions import BUSY, GuardFailed, WorkflowError, is_lock_wait, required
from grants.models import Proposal, ProposalState
from grants.workflow import current_time
from projects.acceptance import acceptance_of
from projects.models import Contract, ResultRegistration
from projects.workflow import StateConflict, notice_on_commit, require_officer, trail

__all__ = ["GuardFailed", "StateConflict", "WorkflowError"]

# How long the host has to register the results: "within 30 days of the task's final official
# acceptance" (trong vòng 30 ngày kể từ ngày nhiệm vụ được đánh giá nghiệm thu chính thức cấp
# cuối cùng), as the national registration office (VISTA, dichvucong.vista.gov.vn) states the
# rule of Circular 14/2014/TT-BKHCN. The Circular's own article was not read here: see
# docs/decisions/0011-registration-deadline.md. Counted in calendar days from the acceptance
# verdict's date; a late filing is still taken, and shown as overdue.
REGISTRATION_DAYS = 30

# The states of a proposal whose results were accepted (and, perhaps, already transferred).
ACCEPTED_STATES = (ProposalState.COMPLETED, ProposalState.TRANSFERRED)

TEXT_LIMIT = 20000  # the model's max_length for the summary and the products


# -- reading ------------------------------------------------------------------------------------


def acceptance_date(contract):
    """The date of the acceptance verdict: the acceptance council's, when it recorded one; else
    the day the results were accepted (`accept_results`, the proposal → completed); None while
    the task has not been accepted."""
    acceptance = acceptance_of(contract.proposal_id)
    if acceptance is not None and acceptance.decided_at:
        return timezone.localdate(acceptance.decided_at)
    entry = (
        contract.proposal.audit_entries.filter(transition="accept_results")
        .order_by("at", "pk")
        .values_list("at", flat=True)
        .first()
    )
    return timezone.localdate(entry) if entry else None


def due_on(contract, accepted_on=None):
    """The last day to file the registration: `REGISTRATION_DAYS` after the acceptance verdict
    (accepted 01/03 → due 31/03); None while the task has not been accepted."""
    accepted_on = accepted_on or acceptance_date(contract)
    return accepted_on + datetime.timedelta(days=REGISTRATION_DAYS) if accepted_on else None


def deadline(contract, registration=None, today=None):
    """{"due_on", "overdue", "filed_late"} for the page: overdue while nothing is filed after
    the due date (on the due date itself it is still on time)."""
    due = due_on(contract)
    today = today or timezone.localdate(current_time())
    filed = registration is not None and registration.filed_at is not None
    filed_on = timezone.localdate(registration.filed_at) if filed else None
    return {
        "due_on": due,
        "overdue": bool(due and not filed and today > due),
        "filed_late": bool(due and filed and filed_on > due),
    }


def prefill(contract):
    """What the investigator's form starts from: the dossier's abstract as the summary, and
    the contract's deliverables (with what the acceptance dossier says was reached) as the
    products, one per line."""
    proposal = contract.proposal
    acceptance = acceptance_of(contract.proposal_id)
    results = (acceptance.results or {}) if acceptance is not None else {}
    lines = []
    for deliverable in contract.deliverables.order_by("position", "pk"):
        parts = [deliverable.name]
        reached = results.get(str(deliverable.pk)) or {}
        quantity = reached.get("quantity") or deliverable.quantity_indicator
        quality = reached.get("quality") or deliverable.quality_indicator
        if quantity:
            parts.append(f"{_('quantity')}: {quantity}")
        if quality:
            parts.append(f"{_('quality')}: {quality}")
        lines.append("- " + "; ".join(str(part) for part in parts))
    return {"summary": proposal.abstract or "", "products": "\n".join(lines)}


def registration_of(contract):
    """The contract's registration, or None when nothing was filed yet."""
    return ResultRegistration.objects.filter(contract=contract).first()


# -- the investigator files ---------------------------------------------------------------------


def filing_problems(summary, products):
    errors = {}
    errors.update(required(summary, "summary", _("Write the summary of the results.")))
    errors.update(required(products, "products", _("List the products of the task.")))
    for key, text in (("summary", summary), ("products", products)):
        if len(text or "") > TEXT_LIMIT:
            errors.setdefault(key, []).append(_("Keep it under 20,000 characters."))
    return errors


def _locked(contract):
    """The proposal, then the contract, locked in this transaction (the order of every step)."""
    proposal = Proposal.objects.select_for_update(of=("self",)).get(pk=contract.proposal_id)
    locked = Contract.objects.select_for_update(of=("self",)).get(pk=contract.pk)
    locked.proposal = proposal
    return proposal, locked


def _busy(function):
    """A lock that cannot be had is a conflict: the other request goes first."""

    def wrapper(*args, **kwargs):
        try:
            return function(*args, **kwargs)
        except OperationalError as error:
            if not is_lock_wait(error):
                raise
            raise StateConflict(str(BUSY)) from error

    wrapper.__name__ = function.__name__
    wrapper.__doc__ = function.__doc__
    return wrapper


@_busy
def file_registration(contract, *, by, summary, products, ip=None):
    """The principal investigator files the results for registration (Circular 14/2014 as
    amended): the summary and the products, once the task is accepted (`completed`, or already
    `transferred`). Filed again, it corrects what was filed, until the Department records the
    certificate. The officers are told by e-mail."""
    if by is None or contract.proposal.owner_id != by.pk:
        raise PermissionDenied(_("Only the principal investigator files the results."))
    summary, products = (summary or "").strip(), (products or "").strip()
    with transaction.atomic():
        proposal, locked = _locked(contract)
        if proposal.state not in ACCEPTED_STATES:
            raise StateConflict(
                _("This proposal is “%(state)s”: results are registered once the task is "
                  "accepted.")
                % {"state": proposal.get_state_display()}
            )  # fmt: skip
        registration, _created = ResultRegistration.objects.select_for_update().get_or_create(
            contract=locked
        )
        if registration.number:
            raise StateConflict(
                _("The results are already registered (certificate %(number)s): nothing was "
                  "changed.")
                % {"number": registration.number}
            )  # fmt: skip
        errors = filing_problems(summary, products)
        if errors:
            raise GuardFailed(errors)
        again = registration.filed_at is not None
        registration.summary, registration.products = summary, products
        registration.filed_at, registration.filed_by = current_time(), by
        registration.save()
        due = due_on(locked)
        trail(
            proposal, "registration_refile" if again else "registration_file", by=by, ip=ip,
            record=str(_("result registration")),
            data={
                "due_on": due.isoformat() if due else None,
                "late": bool(due and timezone.localdate(registration.filed_at) > due),
            },
        )  # fmt: skip
        _notify(registration.pk, "filed")
    return registration


# -- the officer records the certificate ---------------------------------------------------------


def recording_problems(registration, number, registered_on, *, accepted_on=None, today=None):
    """The certificate's number (given, and no other registration's) and date (given, not in
    the future, not before the acceptance verdict), by field."""
    errors = {}
    if not number:
        errors["number"] = [_("Enter the registration certificate's number.")]
    elif len(number) > 40:
        errors["number"] = [_("A registration number has at most 40 characters.")]
    elif ResultRegistration.objects.filter(number=number).exclude(pk=registration.pk).exists():
        errors["number"] = [_("Another registration already has this number.")]
    today = today or timezone.localdate(current_time())
    if registered_on is None:
        errors["registered_on"] = [_("Enter the registration date.")]
    elif registered_on > today:
        errors["registered_on"] = [_("The registration cannot be dated in the future.")]
    elif accepted_on and registered_on < accepted_on:
        errors["registered_on"] = [
            _("The registration cannot be dated before the acceptance verdict (%(day)s).")
            % {"day": accepted_on.strftime("%d/%m/%Y")}
        ]
    return errors


@_busy
def record_registration(registration, *, by, number, registered_on, ip=None):
    """An officer of the Department who takes no part in the task records the registration
    certificate of filed results: its number (unique) and its date (not in the future, not
    before the acceptance verdict). Recorded once; the investigator is told by e-mail."""
    contract = Contract.objects.select_related("proposal").get(pk=registration.contract_id)
    require_officer(by, contract.proposal)
    number = (number or "").strip()
    with transaction.atomic():
        proposal, locked_contract = _locked(contract)
        locked = ResultRegistration.objects.select_for_update().get(pk=registration.pk)
        if locked.number:
            raise StateConflict(
                _("The results were already registered (certificate %(number)s): nothing was "
                  "changed.")
                % {"number": locked.number}
            )  # fmt: skip
        if locked.filed_at is None:
            raise StateConflict(
                _("The investigator has not filed the results yet: there is nothing to record.")
            )
        errors = recording_problems(
            locked, number, registered_on, accepted_on=acceptance_date(locked_contract)
        )
        if errors:
            raise GuardFailed(errors)
        locked.number, locked.registered_on, locked.registered_by = number, registered_on, by
        try:
            with transaction.atomic():
                locked.save()
        except IntegrityError as error:  # another registration took the number meanwhile
            raise GuardFailed(
                {"number": [_("Another registration already has this number.")]}
            ) from error
        trail(
            proposal, "registration_record", by=by, ip=ip, record=number,
            data={"number": number, "registered_on": registered_on.isoformat()},
        )  # fmt: skip
        figures_version.bump_on_commit()  # the officers' "registrations to record"
        _notify(locked.pk, "recorded")
    return locked


# -- notices ------------------------------------------------------------------------------------


def _notify(registration_id, event):
    notice_on_commit(notify_registration, registration_id, event)


@task()
def notify_registration(registration_id, event):
    """Filed: tell the officers, who record the certificate. Recorded: tell the investigator."""
    from grants.tasks import officer_emails

    registration = ResultRegistration.objects.select_related(
        "contract__proposal__owner__profile"
    ).get(pk=registration_id)
    proposal = registration.contract.proposal
    if event == "filed":
        to = officer_emails()
    else:
        to = [proposal.owner.email] if proposal.owner.email else []
    if not to:
        return 0
    base = settings.WAGTAILADMIN_BASE_URL.rstrip("/")
    with translation.override(settings.LANGUAGE_CODE):
        context = {
            "registration": registration,
            "contract": registration.contract,
            "proposal": proposal,
            "event": event,
            "link": base + reverse("project_registration", args=[proposal.pk]),
        }
        send_templated("projects/email/registration", context, to)
    return len(to)
