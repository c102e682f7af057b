"""Every change of a `Membership`, in one place, for views, signup, the demo and tests alike.

DESIGN.md (People and roles): membership of an organisation is requested by the user and
confirmed by an officer; until then the user is unconfirmed — they cannot host a proposal or
own a listing, and the conflict checks use confirmed memberships only. So nobody becomes
"staff" of the Department or of a company by typing its name.

The same shape as `grants.workflow`: one locked transaction per step (`core.transitions.fire`);
a user without the role gets PermissionDenied, a request that was decided meanwhile
`StateConflict`, unmet conditions `GuardFailed` (messages by field). Each step writes an
append-only `MembershipEntry` and e-mails the person once the transaction commits.
"""

from django.contrib.auth import get_user_model
from django.core.exceptions import PermissionDenied, ValidationError
from django.db import IntegrityError, transaction
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from core import roles
from core.transitions import GuardFailed, WorkflowError, fire, required
from researchers.models import (
    Membership,
    MembershipEntry,
    Organisation,
    Profile,
    forget_confirmed_organisation,
)
from researchers.validators import validate_tax_code

__all__ = ["GuardFailed", "StateConflict", "WorkflowError"]

State = Membership.State


class StateConflict(WorkflowError):
    """The request was decided (or withdrawn) since the page was opened."""

    def __init__(self, membership):
        self.membership = membership
        super().__init__(
            _("This membership is now “%(state)s”, so this action was not applied.")
            % {"state": membership.get_state_display()}
        )


def is_officer(user):
    return (
        user is not None
        and user.is_authenticated
        and user.is_active
        and roles.has_role(user, roles.OFFICER)
    )


def may_decide(user, membership):
    """Officers decide memberships, never their own (`None` is the system: the memberships
    recorded when the portal introduced them, and the demo's bootstrap of the Department)."""
    return user is None or (is_officer(user) and membership.user_id != user.pk)


def find_organisation(name, tax_code=""):
    """The organisation a person names, matched by tax code, then by name or short name."""
    name = (name or "").strip()
    if tax_code:
        existing = Organisation.objects.filter(tax_code=tax_code).first()
        if existing:
            return existing
    if not name:
        return None
    return (
        Organisation.objects.filter(name__iexact=name).first()
        or Organisation.objects.filter(short_name__iexact=name).first()
    )


def _entry(membership, action, *, source, by, comment="", ip=None, notify=True):
    entry = MembershipEntry.objects.create(
        membership=membership, action=action, source=source, target=membership.state,
        actor=by, comment=comment, ip=ip or None, at=timezone.now(),
    )  # fmt: skip
    if notify:
        from researchers import tasks

        transaction.on_commit(lambda: tasks.notify_membership.enqueue(entry.pk))
    return entry


def _target_problems(organisation, name, tax_code, kind):
    if organisation is None and not name:
        return {"organisation": [_("Choose your organisation or give the name of a new one.")]}
    errors = {}
    if organisation is None:
        if len(name) > 255:
            errors["organisation_name"] = [_("At most 255 characters.")]
        if tax_code:
            try:
                validate_tax_code(tax_code)
            except ValidationError as error:
                errors["tax_code"] = error.messages
        elif kind == Organisation.Kind.BUSINESS:
            errors["tax_code"] = [_("A business needs its tax code.")]
    return errors


def _already(label, confirmed):
    message = (
        _("You are already a confirmed member of %(name)s.")
        if confirmed
        else _("Your request to join %(name)s is already waiting for the Department.")
    )
    return GuardFailed({"organisation": [message % {"name": label}]})


def request_membership(user, *, by, organisation=None, name="", tax_code="", kind=None, ip=None):
    """The person asks to belong to `organisation`, or to a new one they name (matched to an
    existing one by tax code or name first). A request still waiting is replaced; a confirmed
    membership stays until the officer confirms the new one (a change of organisation)."""
    if by is None or by.pk != user.pk:
        raise PermissionDenied(_("Only the person themselves can ask to join an organisation."))
    name = (name or "").strip()
    tax_code = (tax_code or "").strip()
    if kind is None:
        business = roles.has_role(user, roles.BUSINESS)
        kind = Organisation.Kind.BUSINESS if business else Organisation.Kind.OTHER
    if organisation is None:
        organisation = find_organisation(name, tax_code)
    errors = _target_problems(organisation, name, tax_code, kind)
    if errors:
        raise GuardFailed(errors)
    label = organisation.name if organisation else name

    def same(current):
        if organisation is not None:
            return current.organisation_id == organisation.pk
        return current.organisation_name.casefold() == name.casefold()

    try:
        with transaction.atomic():
            # One person's requests are handled one at a time: lock the person.
            get_user_model().objects.select_for_update().get(pk=user.pk)
            mine = Membership.objects.select_for_update().filter(
                user=user, state__in=[State.REQUESTED, State.CONFIRMED]
            )
            for current in mine:
                if same(current):
                    raise _already(label, confirmed=current.state == State.CONFIRMED)
                if current.state == State.REQUESTED:
                    current.end()
                    current.ended_at = timezone.now()
                    current.save()
                    replaced = _("Replaced by a request to join %(name)s.") % {"name": label}
                    _entry(current, "end", source=State.REQUESTED, by=by, ip=ip,
                           comment=str(replaced), notify=False)  # fmt: skip
            membership = Membership.objects.create(
                user=user,
                organisation=organisation,
                organisation_name="" if organisation else name,
                tax_code="" if organisation else tax_code,
                kind=organisation.kind if organisation else kind,
            )
            # The person sees the request on their profile; decisions are e-mailed to them.
            _entry(membership, "request", source="", by=by, ip=ip, notify=False)
    except IntegrityError as error:  # a double click: the other request is there
        raise _already(label, confirmed=False) from error
    return membership


def _organisation_of(membership):
    """The organisation a confirmed request stands for: the one it names, or the new one it
    describes, recorded now (or found, if someone recorded it meanwhile)."""
    if membership.organisation_id:
        return membership.organisation
    existing = find_organisation(membership.organisation_name, membership.tax_code)
    if existing:
        return existing
    return Organisation.objects.create(
        name=membership.organisation_name, kind=membership.kind, tax_code=membership.tax_code
    )


def _set_profile_organisation(user, organisation):
    profile = Profile.for_user(user)
    profile.organisation = organisation
    profile.save(update_fields=["organisation"])
    forget_confirmed_organisation(user)


def _move(membership, name, *, by, ip, note, allowed, guard=None, apply=None, notify=True):
    def record(locked, source, _data):
        _entry(locked, name, source=source, by=by, comment=note, ip=ip, notify=notify)

    return fire(
        Membership.objects.select_related("user", "organisation"), membership.pk, name,
        allowed=allowed, denied=_("Only a Department officer can decide on memberships."),
        conflict=StateConflict, guard=guard, apply=apply, record=record,
    )  # fmt: skip


def confirm(membership, *, by, ip=None, note="", notify=True):
    """An officer confirms that the person works for the organisation: it becomes their
    organisation for hosting proposals, owning listings and the conflict checks (Circular
    20/2023, art. 8: staff of the host are excluded from its council). A previous confirmed
    membership ends."""
    note = (note or "").strip()

    def apply(locked):
        now = timezone.now()
        organisation = _organisation_of(locked)
        previous = Membership.objects.select_for_update().filter(
            user_id=locked.user_id, state=State.CONFIRMED
        )
        for old in previous:
            old.end()
            old.ended_at = now
            old.save()
            _entry(old, "end", source=State.CONFIRMED, by=by, ip=ip, notify=False,
                   comment=str(_("Moved to %(name)s.") % {"name": organisation.name}))  # fmt: skip
        locked.organisation = organisation
        locked.decided_by = by
        locked.decided_at = now
        locked.note = note
        _set_profile_organisation(locked.user, organisation)

    return _move(
        membership, "confirm", by=by, ip=ip, note=note, notify=notify,
        allowed=lambda locked: may_decide(by, locked), apply=apply,
    )  # fmt: skip


def refuse(membership, *, by, ip=None, note="", notify=True):
    """An officer refuses a request, saying why (the person reads the note)."""
    note = (note or "").strip()

    def apply(locked):
        locked.decided_by = by
        locked.decided_at = timezone.now()
        locked.note = note

    return _move(
        membership, "refuse", by=by, ip=ip, note=note, notify=notify,
        allowed=lambda locked: may_decide(by, locked),
        guard=lambda _m: required(note, "note", _("Say why the request is refused.")),
        apply=apply,
    )  # fmt: skip


def end(membership, *, by, ip=None, note="", notify=True):
    """The person withdraws their request or leaves their organisation (or an officer records
    that they left): from now on they are unconfirmed."""
    note = (note or "").strip()

    def apply(locked):
        locked.ended_at = timezone.now()
        if locked.state == State.CONFIRMED:
            _set_profile_organisation(locked.user, None)

    def allowed(locked):
        return by is not None and (locked.user_id == by.pk or may_decide(by, locked))

    return _move(
        membership, "end", by=by, ip=ip, note=note, allowed=allowed, apply=apply,
        notify=notify and by is not None and by.pk != membership.user_id,
    )  # fmt: skip


def pending():
    """The officers' queue: requests waiting for a decision, oldest first."""
    return Membership.objects.filter(state=State.REQUESTED).select_related(
        "user__profile__organisation", "organisation"
    )
