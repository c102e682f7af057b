"""Every change of a technology's or a deal's state: role, guard, state, entry, notice.

The same shape as `grants.workflow`: one locked transaction per step; a user without the
role gets PermissionDenied, a stale request `StateConflict`, unmet conditions `GuardFailed`.
Completing a deal on a technology from a funded project fires `mark_transferred` on the
proposal through `grants.workflow`, in the same transaction, when its results are already
accepted; while the project still runs, `grants.workflow.accept_results` moves it on later
(the link is kept either way; see `complete` for the order of the locks).
"""

from django.core.exceptions import PermissionDenied
from django.db import IntegrityError, OperationalError, transaction
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from core import roles
from core.transitions import BUSY, GuardFailed, WorkflowError, fire, is_lock_wait, required
from grants import workflow as grants_workflow
from transfer import events
from transfer.models import CatalogueEntry, DealEntry, Technology, TransferDeal, TransferMode

__all__ = ["GuardFailed", "StateConflict", "WorkflowError"]


class StateConflict(WorkflowError):
    """The technology or deal has moved on since the page was opened."""

    def __init__(self, record):
        self.record = record
        super().__init__(
            _("This record is now “%(state)s”, so this action was not applied.")
            % {"state": record.get_state_display()}
        )


def _notify(deal_id, action):
    if grants_workflow.replaying():
        return
    from transfer import tasks

    transaction.on_commit(lambda: tasks.notify_deal.enqueue(deal_id, action))


def _rematch(**record):
    """Rank the matches of a newly published technology or need once the change is committed."""
    if grants_workflow.replaying():
        return
    from transfer import tasks

    transaction.on_commit(lambda: tasks.refresh_matches.enqueue(**record))


def is_officer(user):
    return user is not None and user.is_authenticated and roles.has_role(user, roles.OFFICER)


# -- the catalogue --------------------------------------------------------------------------------


def _recorder(name, by, comment, **record):
    """The `record` step of `fire` for the catalogue: an entry, then a notice on commit."""

    def record_step(locked, source, _data):
        entry = CatalogueEntry.objects.create(
            **{record["field"]: locked}, action=name, source=source, target=locked.state,
            actor=by, comment=comment, at=grants_workflow.current_time(),
        )  # fmt: skip
        if not grants_workflow.replaying():
            from transfer import tasks

            transaction.on_commit(lambda: tasks.notify_catalogue.enqueue(entry.pk))

    return record_step


def _move_technology(technology, name, *, by, allowed, guard=None, comment=""):
    def apply(locked):
        if name == "publish":
            locked.published_at = grants_workflow.current_time()
            _rematch(technology_id=locked.pk)
            events.technology_published(locked)

    return fire(
        Technology.objects.all(), technology.pk, name, allowed=allowed,
        denied=_("You may not perform this action on this technology."),
        conflict=StateConflict, guard=guard, apply=apply,
        record=_recorder(name, by, comment, field="technology"),
    )  # fmt: skip


def _listing_problems(t):
    errors = {}
    if not t.transfer_modes:
        errors["transfer_modes"] = [_("Choose at least one transfer mode.")]
    if len(t.summary.strip()) < 40:
        errors["summary"] = [_("Say in a few sentences what the technology solves.")]
    return errors


def _owns(by):
    return lambda t: t.owner_id == by.pk


UNCONFIRMED_OWNER = _(
    "Only a confirmed member of an organisation can list a technology: request membership of "
    "your organisation on your profile and wait for the Department to confirm it."
)


def _owner_problems(t):
    """DESIGN.md: an unconfirmed member cannot own a listing."""
    from researchers.models import confirmed_organisation

    return {} if confirmed_organisation(t.owner) else {"organisation": [UNCONFIRMED_OWNER]}


def _offer_problems(t):
    return {**_owner_problems(t), **_listing_problems(t)}


def submit_technology(technology, *, by):
    return _move_technology(technology, "submit", by=by, allowed=_owns(by), guard=_offer_problems)


def revise_technology(technology, *, by):
    """The owner changed a published listing: back to moderation until an officer publishes it."""
    return _move_technology(technology, "revise", by=by, allowed=_owns(by), guard=_offer_problems)


PUBLISH_CHECKLIST = (
    ("owner", _("The owner organisation holds the rights to transfer it.")),
    ("trl", _("The readiness level matches the evidence given.")),
    ("plain", _("The summary is understandable by a business without research training.")),
    ("personal", _("No personal data or confidential detail in the public part.")),
)


def publish_technology(technology, *, by, checklist=()):
    def guard(t):
        missing = [label for key, label in PUBLISH_CHECKLIST if key not in checklist]
        return {"checklist": missing} if missing else {}

    return _move_technology(
        technology, "publish", by=by, allowed=lambda t: is_officer(by), guard=guard
    )


def send_back_technology(technology, *, by, comment=""):
    """An officer returns a listing to its owner, saying what to change (e-mailed to them)."""

    return _move_technology(
        technology, "send_back", by=by, allowed=lambda t: is_officer(by),
        guard=lambda _t: required(comment, "comment", _("Tell the owner what to change.")),
        comment=comment.strip(),
    )  # fmt: skip


def archive_technology(technology, *, by, comment=""):
    return _move_technology(
        technology, "archive", by=by, allowed=lambda t: is_officer(by) or t.owner_id == by.pk,
        comment=(comment or "").strip(),
    )  # fmt: skip


# -- deals ----------------------------------------------------------------------------------------


def check_may_request(technology, by):
    """Only a business asks for a transfer, and never of its own technology (PermissionDenied)."""
    if not roles.has_role(by, roles.BUSINESS):
        raise PermissionDenied(_("Only business accounts can ask for a transfer."))
    if technology.owner_id == by.pk:
        raise PermissionDenied(_("This is your own technology."))


def request_deal(technology, *, by, message, ip=None):
    """A business expresses interest in a published technology."""
    check_may_request(technology, by)
    errors = {}
    if technology.state != Technology.State.PUBLISHED:
        errors["technology"] = [_("This technology is not offered at the moment.")]
    if not (message or "").strip():
        errors["message"] = [_("Tell the owner what you need the technology for.")]
    if errors:
        raise GuardFailed(errors)
    try:
        with transaction.atomic():
            deal = TransferDeal.objects.create(
                technology=technology, business=by, message=message.strip()[:5000]
            )
            DealEntry.objects.create(
                deal=deal, action="request", target=deal.state, actor=by, ip=ip,
                at=grants_workflow.current_time(),
            )  # fmt: skip
    except IntegrityError as error:
        raise GuardFailed(
            {"message": [_("You already have an open request for this technology.")]}
        ) from error
    _notify(deal.pk, "request")
    return deal


def is_party(deal, user):
    """The deal's business or the technology's owner."""
    return user is not None and user.pk in (deal.business_id, deal.technology.owner_id)


def _fire(deal, name, *, by, ip=None, comment="", allowed, guard=None, apply=None):
    def record(locked, source, _data):
        DealEntry.objects.create(
            deal=locked, action=name, source=source, target=locked.state, actor=by,
            comment=comment, ip=ip, at=grants_workflow.current_time(),
        )  # fmt: skip
        _notify(locked.pk, name)

    return fire(
        TransferDeal.objects.select_related("technology"), deal.pk, name, allowed=allowed,
        denied=_("You may not perform this action on this deal."),
        conflict=StateConflict, guard=guard, apply=apply, record=record,
    )  # fmt: skip


def accept(deal, *, by, ip=None, comment=""):
    """The owner agrees to talk: contact details become visible to both."""
    return _fire(
        deal, "accept", by=by, ip=ip, comment=comment,
        allowed=lambda d: d.technology.owner_id == by.pk,
    )  # fmt: skip


def decline(deal, *, by, ip=None, comment=""):
    return _fire(
        deal, "decline", by=by, ip=ip, comment=comment,
        allowed=lambda d: d.technology.owner_id == by.pk,
    )  # fmt: skip


def cancel(deal, *, by, ip=None, comment=""):
    return _fire(deal, "cancel", by=by, ip=ip, comment=comment, allowed=lambda d: is_party(d, by))


def accept_nda(deal, *, by):
    """The business accepts the owner's non-disclosure terms: the confidential part opens."""
    with transaction.atomic():
        locked = TransferDeal.objects.select_for_update().get(pk=deal.pk)
        if locked.business_id != by.pk:
            raise PermissionDenied
        if locked.state != TransferDeal.State.NEGOTIATING:
            raise StateConflict(locked)
        if locked.nda_accepted_at is None:
            locked.nda_accepted_at = grants_workflow.current_time()
            locked.save(update_fields=["nda_accepted_at", "updated_at"])
            DealEntry.objects.create(
                deal=locked, action="accept_nda", source=locked.state, target=locked.state,
                actor=by, at=locked.nda_accepted_at,
            )  # fmt: skip
    return locked


def record_terms(
    deal, *, by, mode, value, payment, term_months, signed_on, agreement=None, ip=None, today=None
):
    """The parties record the agreed terms (Law 07/2017/QH14) and the signed agreement
    (PDF or Word, checked by content, stored privately)."""
    from django.core.exceptions import ValidationError

    from core import files

    today = today or timezone.localdate(grants_workflow.current_time())
    checked = None
    if agreement is not None:
        try:
            checked = files.check(agreement)
        except ValidationError as error:
            raise GuardFailed({"agreement": error.messages}) from error

    def guard(d):
        errors = {}
        if mode not in TransferMode.values:
            errors["mode"] = [_("Choose the transfer mode.")]
        elif d.technology.transfer_modes and mode not in d.technology.transfer_modes:
            errors["mode"] = [_("The owner does not offer this mode for this technology.")]
        if not value or value <= 0:
            errors["value"] = [_("Enter the value of the transfer in đồng.")]
        if payment not in TransferDeal.Payment.values:
            errors["payment"] = [_("Choose the payment method.")]
        if not term_months or term_months <= 0:
            errors["term_months"] = [_("Enter the term in months.")]
        if checked is None and not d.agreement:
            errors["agreement"] = [_("Attach the signed agreement (PDF or Word).")]
        if signed_on is None:
            errors["signed_on"] = [_("Enter the signing date.")]
        elif signed_on > today:
            errors["signed_on"] = [_("The signing date cannot be in the future.")]
        elif signed_on < timezone.localtime(d.created_at).date():
            errors["signed_on"] = [
                _("The signing date cannot be before the request (%(date)s).")
                % {"date": timezone.localtime(d.created_at).strftime("%d/%m/%Y")}
            ]
        return errors

    def apply(d):
        d.mode, d.value, d.payment = mode, value, payment
        d.term_months, d.signed_on = term_months, signed_on
        if checked is not None:
            _kind, content_type, extension, _sha = checked
            d.agreement_extension = extension
            d.agreement_name = agreement.name[:255]
            d.agreement_type = content_type
            d.agreement.save("agreement", agreement, save=False)

    return _fire(
        deal, "record_terms", by=by, ip=ip, allowed=lambda d: is_party(d, by), guard=guard,
        apply=apply,
    )  # fmt: skip


def complete(deal, *, by, ip=None, comment=""):
    """An officer confirms delivery; a result of a funded project becomes `transferred`.

    Locks, in this order, the source proposal's row and then the deal's (`accept_results`
    takes the proposal's and only reads deals: no cycle, no deadlock). Under the proposal's
    lock its state is the committed one: if results were accepted at the same moment, either
    that acceptance saw this deal (and moved the proposal on itself) or it committed first
    and the proposal is `completed` here — so exactly one of the two fires `mark_transferred`.
    A proposal still running keeps the link: its acceptance moves it on later."""
    from grants.models import Proposal

    source_id = (
        Technology.objects.filter(deals__pk=deal.pk)
        .values_list("source_proposal", flat=True)
        .first()
    )
    with transaction.atomic():
        proposal = None
        if source_id is not None:
            try:
                proposal = Proposal.objects.select_for_update().get(pk=source_id)
            except OperationalError as error:
                if not is_lock_wait(error):
                    raise
                busy = StateConflict(deal)
                busy.args = (str(BUSY),)
                raise busy from error
        done = _fire(
            deal, "complete", by=by, ip=ip, comment=comment, allowed=lambda d: is_officer(by)
        )
        events.deal_completed(done)
        if proposal is not None and proposal.state == "completed":
            # The system, not the officer, moves the proposal: a deal of its result completed.
            grants_workflow.mark_transferred(proposal, by=None, deal=done)
    return done


# -- needs ------------------------------------------------------------------------------------------


def publish_need(need, *, by, today=None):
    from transfer.models import TechnologyNeed

    today = today or timezone.localdate(grants_workflow.current_time())

    def guard(locked):
        if locked.deadline and locked.deadline < today:
            return {"deadline": [_("The deadline cannot be in the past.")]}
        return {}

    def apply(locked):
        _rematch(need_id=locked.pk)

    return fire(
        TechnologyNeed.objects.all(), need.pk, "publish",
        allowed=lambda locked: locked.business_id == by.pk,
        denied=_("Only the business that posted the need can publish it."),
        conflict=StateConflict, guard=guard, apply=apply,
        record=_recorder("publish", by, "", field="need"),
    )  # fmt: skip


def close_need(need, *, by):
    from transfer.models import TechnologyNeed

    return fire(
        TechnologyNeed.objects.all(), need.pk, "close",
        allowed=lambda locked: locked.business_id == by.pk or is_officer(by),
        denied=_("Only the business that posted the need, or an officer, can close it."),
        conflict=StateConflict, record=_recorder("close", by, "", field="need"),
    )  # fmt: skip
