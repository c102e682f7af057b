"""A person's rights over their personal data (Law 91/2025/QH15 on Personal Data Protection, in
force 1 January 2026, and Decree 356/2025/NĐ-CP which details it and replaced Decree 13/2023).

- Consent is given per stated purpose, explicitly, never inferred from silence, recorded with
  the version and wording of the text and the time, and withdrawable (Law 91/2025, art. 9–12).
  Only the `account` purpose is needed to open an account; withdrawing it asks for deletion.
- A person may get a copy of what the portal holds about them (`export_zip`), and ask for
  correction or deletion (`open_request`); an officer answers before the legal deadline
  (`request_deadline`); a deletion done anonymises the person (`anonymise`) while the records
  the law requires others to keep (proposals, decisions, contracts, the audit trails) stay,
  with the person shown as a placeholder.

The export and the anonymisation read the other apps' records through `apps.get_model`, so that
this app still imports none of them.
"""

import datetime
import json
import tempfile
import zipfile

from django.apps import apps
from django.conf import settings
from django.core.exceptions import PermissionDenied
from django.core.serializers.json import DjangoJSONEncoder
from django.db import IntegrityError, transaction
from django.utils import timezone, translation
from django.utils.translation import gettext
from django.utils.translation import gettext_lazy as _

from core import roles
from core.transitions import GuardFailed, WorkflowError, fire
from researchers.models import Consent, DataRequest, DataRequestEntry, Profile
from researchers.privacy_export import collect, copy_file

__all__ = ["GuardFailed", "RequestConflict", "WorkflowError"]

Purpose = Consent.Purpose

# The text each purpose's box shows, with its version: a new wording gets a new version, and
# every Consent keeps the version and the words the person saw.
CONSENT_TEXTS = {
    Purpose.ACCOUNT: (
        "2026-01",
        _(
            "I agree that the Department processes my personal data to run my account and "
            "my dossiers, as described in the privacy notice (Law 91/2025/QH15)."
        ),
    ),
    Purpose.CONTACT: (
        "2026-01",
        _(
            "I agree that a business I am negotiating a transfer deal with sees my name, "
            "e-mail address and phone number."
        ),
    ),
    Purpose.NEWSLETTER: (
        "2026-01",
        _("I would like the weekly e-mail of technologies and needs that match mine."),
    ),
}
OPTIONAL_PURPOSES = (Purpose.CONTACT, Purpose.NEWSLETTER)
TEXT_MAX = 5000


class RequestConflict(WorkflowError):
    """The request has been answered since the page was opened."""

    def __init__(self, data_request):
        self.record = data_request
        super().__init__(
            _("This request is now “%(state)s”, so this answer was not recorded.")
            % {"state": data_request.get_state_display()}
        )


# -- consents ---------------------------------------------------------------------------------


def consent_text(purpose):
    """(version, wording in the active language) of the text a purpose's box shows."""
    version, text = CONSENT_TEXTS[purpose]
    return version, str(text)


def has_consent(user, purpose):
    """Whether `user` has a standing (given, not withdrawn) consent for `purpose`."""
    if user is None or not getattr(user, "pk", None):
        return False
    return Consent.objects.filter(user=user, purpose=purpose, withdrawn_at=None).exists()


def consenting_user_ids(purpose):
    """The ids of the people with a standing consent for `purpose` (for bulk senders)."""
    return set(
        Consent.objects.filter(purpose=purpose, withdrawn_at=None).values_list("user_id", flat=True)
    )


def give_consent(user, purpose, *, at=None):
    """Record that `user` consents to `purpose`, under the text's current version (art. 9).

    Giving a consent that already stands changes nothing and returns the standing record; a
    consent withdrawn earlier is given again as a new record, so the history keeps both."""
    if purpose not in CONSENT_TEXTS:
        raise ValueError(f"Unknown purpose {purpose!r}")
    version, text = consent_text(purpose)
    standing = Consent.objects.filter(user=user, purpose=purpose, withdrawn_at=None).first()
    if standing:
        return standing
    try:
        with transaction.atomic():
            return Consent.objects.create(
                user=user,
                purpose=purpose,
                text_version=version,
                text=text,
                given_at=at or timezone.now(),
            )
    except IntegrityError:  # given at the same moment in another request
        return Consent.objects.get(user=user, purpose=purpose, withdrawn_at=None)


def give_signup_consents(user, cleaned_data, *, at=None):
    """The boxes ticked on the signup form (`researchers.forms.SignupForm`), each on its own."""
    given = []
    for purpose, field in SIGNUP_FIELDS.items():
        if cleaned_data.get(field):
            given.append(give_consent(user, purpose, at=at))
    return given


SIGNUP_FIELDS = {
    Purpose.ACCOUNT: "consent",
    Purpose.CONTACT: "consent_contact",
    Purpose.NEWSLETTER: "consent_newsletter",
}


def withdraw_consent(user, purpose, *, request=None, at=None):
    """Withdraw `user`'s standing consent for `purpose` (Law 91/2025, art. 12): the record gets
    its `withdrawn_at` once, by a conditional update that cannot touch a withdrawn record.

    The account cannot run without the `account` purpose: withdrawing it also opens a deletion
    request for the officers (returned); otherwise returns None. Withdrawing what does not
    stand is refused with a message."""
    at = at or timezone.now()
    with transaction.atomic():
        changed = Consent.objects.filter(user=user, purpose=purpose, withdrawn_at=None).update(
            withdrawn_at=at
        )
        if not changed:
            raise GuardFailed({"purpose": [_("There is no consent for this purpose to withdraw.")]})
        if purpose == Purpose.ACCOUNT:
            existing = user.data_requests.filter(
                kind=DataRequest.Kind.DELETION, state=DataRequest.State.OPEN
            ).first()
            return existing or open_request(
                user,
                DataRequest.Kind.DELETION,
                gettext("I withdrew my consent for my account: please erase my personal data."),
                request=request,
                now=at,
            )
    return None


def consent_history(user):
    """Every consent record of `user`, by purpose in the order of CONSENT_TEXTS, oldest first."""
    records = list(Consent.objects.filter(user=user))
    return [
        {
            "purpose": purpose,
            "label": Purpose(purpose).label,
            "text": consent_text(purpose)[1],
            "standing": any(r.purpose == purpose and r.standing for r in records),
            "required": purpose == Purpose.ACCOUNT,
            "records": [r for r in records if r.purpose == purpose],
        }
        for purpose in CONSENT_TEXTS
    ]


# -- requests ---------------------------------------------------------------------------------


def request_deadline(received_at):
    """When a correction or deletion request must be answered.

    Decree 356/2025/NĐ-CP (detailing Law 91/2025/QH15, replacing Decree 13/2023 and its 72
    hours) asks for a response within 2 working days of receipt — the portal acknowledges at
    once — and the right exercised within 10 to 20 days depending on the request. The portal
    takes `PRIVACY_REQUEST_DAYS` calendar days (10 by default, the shortest of those limits)."""
    return received_at + datetime.timedelta(days=settings.PRIVACY_REQUEST_DAYS)


def open_request(user, kind, text, *, request=None, now=None):
    """Record a person's request to correct or erase their data, with its legal deadline, and
    audit its receipt. A correction says what to correct; one open request of a kind at a time."""
    from core.http import client_ip

    text = (text or "").strip()
    errors = {}
    if kind not in DataRequest.Kind.values:
        errors["kind"] = [_("Choose correction or deletion.")]
    elif kind == DataRequest.Kind.CORRECTION and not text:
        errors["text"] = [_("Say which data is wrong and what it should be.")]
    if len(text) > TEXT_MAX:
        errors["text"] = [_("Keep it under 5,000 characters.")]
    if "\x00" in text:
        errors["text"] = [_("This text contains a character that is not allowed.")]
    if not errors and user.data_requests.filter(kind=kind, state=DataRequest.State.OPEN).exists():
        errors["kind"] = [_("You already have an open request of this kind.")]
    if errors:
        raise GuardFailed(errors)
    now = now or timezone.now()
    with transaction.atomic():
        try:
            with transaction.atomic():
                data_request = DataRequest.objects.create(
                    user=user, kind=kind, text=text, received_at=now, due_at=request_deadline(now)
                )
        except IntegrityError:  # the same request sent twice at once
            duplicate = _("You already have an open request of this kind.")
            raise GuardFailed({"kind": [duplicate]}) from None
        DataRequestEntry.objects.create(
            request=data_request,
            action="open",
            target=DataRequest.State.OPEN,
            actor=user,
            at=now,
            ip=client_ip(request) if request else None,
        )
    return data_request


def can_answer(user, data_request=None):
    """Department officers answer requests, never their own."""
    if not (user.is_superuser or roles.has_role(user, roles.OFFICER)):
        return False
    return data_request is None or data_request.user_id != user.pk


def answer_request(data_request, *, by, done, answer, request=None):
    """An officer answers a request: `done` (carried out) or refused, with the answer the
    person reads (Law 91/2025: a refusal gives its reason). A deletion done anonymises the
    person in the same transaction. Every step is audited."""
    from core.http import client_ip

    answer = (answer or "").strip()
    name = "complete" if done else "refuse"
    ip = client_ip(request) if request else None

    def guard(locked):
        if not answer:
            return {"answer": [_("Write the answer the person will read.")]}
        if len(answer) > TEXT_MAX:
            return {"answer": [_("Keep it under 5,000 characters.")]}
        if "\x00" in answer:
            return {"answer": [_("This text contains a character that is not allowed.")]}
        return {}

    def apply(locked):
        locked.answered_by = by
        locked.answered_at = timezone.now()
        locked.answer = answer

    def record(locked, source, data):
        DataRequestEntry.objects.create(
            request=locked,
            action=name,
            source=source,
            target=locked.state,
            actor=by,
            comment=answer,
            ip=ip,
        )
        to = locked.user.email
        if locked.kind == DataRequest.Kind.DELETION and done:
            anonymise(locked.user, by=by, data_request=locked, ip=ip)
        _notify_answer(locked.pk, to)

    return fire(
        DataRequest.objects.select_related("user"),
        data_request.pk,
        name,
        allowed=lambda locked: can_answer(by, locked),
        denied=_("Only a Department officer answers personal-data requests, never their own."),
        conflict=RequestConflict,
        guard=guard,
        apply=apply,
        record=record,
    )


def _notify_answer(pk, to):
    """The person hears of the answer at the address they had (kept before anonymising)."""

    def send():
        from core.mail import send_templated

        data_request = DataRequest.objects.get(pk=pk)
        with translation.override(settings.LANGUAGE_CODE):
            send_templated("researchers/privacy_answer", {"data_request": data_request}, [to])

    transaction.on_commit(send)


def open_requests():
    """The officers' queue: open requests, the most urgent first."""
    return DataRequest.objects.filter(state=DataRequest.State.OPEN).select_related("user__profile")


# -- anonymisation ----------------------------------------------------------------------------


def deleted_name(user_id):
    """The placeholder that stands for an erased person in the records kept."""
    with translation.override(settings.LANGUAGE_CODE):
        return gettext("Deleted user #%(id)s") % {"id": user_id}


def deleted_email(user_id):
    """A unique address that can never receive mail (`.invalid` is reserved, RFC 2606)."""
    return f"deleted-{user_id}@invalid"


def anonymise(user, *, by, data_request=None, ip=None):
    """Erase what identifies `user` (Law 91/2025, art. 14) and keep what the law requires the
    Department to keep (proposals, decisions, contracts, ballots, deals, the audit trails) under a
    placeholder: name, e-mail, username, phone, ORCID, position, expertise, organisation, team
    entries and search text; the password made unusable, the account inactive, roles removed,
    second factors and sessions ended, consents withdrawn. Files of the dossiers stay with the
    records they belong to."""
    from allauth.account.models import EmailAddress
    from allauth.mfa.models import Authenticator
    from django.contrib.sessions.models import Session

    from core.models import RoleChange

    if not can_answer(by) or by.pk == user.pk:
        raise PermissionDenied(_("Only a Department officer erases a person's data."))
    placeholder = deleted_name(user.pk)
    old_email = user.email
    now = timezone.now()
    with transaction.atomic():
        user.email = deleted_email(user.pk)
        user.username = f"deleted-{user.pk}"
        user.first_name = user.last_name = ""
        user.is_active = user.is_staff = user.is_superuser = False
        user.set_unusable_password()
        user.save()
        EmailAddress.objects.filter(user=user).delete()
        Authenticator.objects.filter(user=user).delete()
        for role in sorted(roles.roles_of(user)):
            RoleChange.objects.create(
                user=user, role=role, action=RoleChange.Action.REVOKE, changed_by=by
            )
        user.groups.clear()
        user.__dict__.pop("_portal_roles", None)
        _end_memberships(user, by=by, ip=ip)
        Profile.objects.update_or_create(
            user=user,
            defaults={
                "full_name": placeholder,
                "title": "",
                "orcid": "",
                "phone": "",
                "position": "",
                "expertise": "",
                "organisation": None,
            },
        )
        Consent.objects.filter(user=user, withdrawn_at=None).update(withdrawn_at=now)
        _end_sessions(Session, user)
        _anonymise_records(user, old_email, placeholder)
        if data_request is not None:
            DataRequestEntry.objects.create(
                request=data_request, action="anonymise", actor=by, at=now, ip=ip
            )


def _end_memberships(user, *, by, ip=None):
    """An erased person belongs to no organisation any more: their confirmed membership and any
    request still waiting end through `researchers.workflow`, so the membership trail says who
    ended it and why."""
    from researchers import workflow
    from researchers.models import Membership

    open_states = (Membership.State.REQUESTED, Membership.State.CONFIRMED)
    for membership in Membership.objects.filter(user=user, state__in=open_states):
        workflow.end(
            membership, by=by, ip=ip, note=str(_("Personal data erased on request.")), notify=False
        )


def _end_sessions(Session, user):
    """Sign the person out everywhere (the database session store keeps the user id inside)."""
    key = str(user.pk)
    stale = [
        session.pk
        for session in Session.objects.filter(expire_date__gt=timezone.now()).iterator()
        if session.get_decoded().get("_auth_user_id") == key
    ]
    Session.objects.filter(pk__in=stale).delete()


def _anonymise_records(user, old_email, placeholder):
    """The person's name and address inside other apps' records: team entries, the dossier as
    frozen at each submission, the officers' search text."""
    TeamMember = apps.get_model("grants", "TeamMember")
    Proposal = apps.get_model("grants", "Proposal")
    ProposalVersion = apps.get_model("grants", "ProposalVersion")
    team = TeamMember.objects.filter(user=user)
    if old_email:
        team = team | TeamMember.objects.filter(email__iexact=old_email)
    names = {name for name in team.values_list("full_name", flat=True) if name}
    proposal_ids = set(team.values_list("proposal_id", flat=True))
    team.update(full_name=placeholder, email="", title="")
    proposal_ids.update(Proposal.objects.filter(owner=user).values_list("pk", flat=True))
    for version in ProposalVersion.objects.filter(proposal_id__in=proposal_ids):
        members = version.data.get("team") or []
        changed = False
        for member in members:
            same_email = old_email and (member.get("email") or "").lower() == old_email.lower()
            if same_email or member.get("full_name") in names:
                member.update(full_name=placeholder, email="", title="")
                changed = True
        if changed:
            ProposalVersion.objects.filter(pk=version.pk).update(data=version.data)
    for proposal in Proposal.objects.filter(pk__in=proposal_ids):
        Proposal.objects.filter(pk=proposal.pk).update(search_text=proposal.compute_search_text())


# -- export -----------------------------------------------------------------------------------

DATA_FILE = "du-lieu-ca-nhan.json"


def export_zip(user):
    """A zip of `DATA_FILE` (everything `collect` finds) and the person's files, byte for byte
    (Law 91/2025, art. 4: the right to access and to get a copy). Returns an open file."""
    data, files = collect(user)
    out = tempfile.SpooledTemporaryFile(max_size=16 * 1024 * 1024)  # noqa: SIM115 (returned open)
    with zipfile.ZipFile(out, "w", compression=zipfile.ZIP_DEFLATED) as zf:
        data["files"] = [copy_file(path, stored, name, zf) for path, stored, name in files]
        payload = json.dumps(data, cls=DjangoJSONEncoder, ensure_ascii=False, indent=2)
        zf.writestr(DATA_FILE, payload)
    out.seek(0)
    return out
