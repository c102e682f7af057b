from django.conf import settings
from django.db import models
from django.db.models import Q
from django.utils import timezone
from django.utils.translation import gettext_lazy as _
from django.utils.translation import pgettext_lazy
from django_fsm import ConcurrentTransitionMixin, FSMField, transition

from core.models import AppendOnly
from core.text import fold
from researchers.validators import validate_orcid, validate_tax_code


def searchable_name(organisation):
    parts = (organisation.name, organisation.short_name, organisation.tax_code)
    return " ".join(fold(part) for part in parts if part)


class Organisation(models.Model):
    """A university, institute, business or agency that people belong to (at most one each)."""

    class Kind(models.TextChoices):
        UNIVERSITY = "university", _("University")
        INSTITUTE = "institute", _("Research institute")
        BUSINESS = "business", _("Business or cooperative")
        AGENCY = "agency", _("Government agency")
        OTHER = "other", _("Other")

    kind = models.CharField(_("kind"), max_length=16, choices=Kind.choices, default=Kind.OTHER)
    name = models.CharField(_("name"), max_length=255, unique=True)
    short_name = models.CharField(_("short name"), max_length=64, blank=True)
    tax_code = models.CharField(
        _("tax code"),
        max_length=14,
        blank=True,
        validators=[validate_tax_code],
        help_text=_("Enterprise code (mã số thuế), required for businesses."),
    )
    province = models.CharField(_("province or city"), max_length=64, default="An Giang")
    address = models.CharField(_("address"), max_length=255, blank=True)
    website = models.URLField(_("website"), blank=True)
    created_at = models.DateTimeField(auto_now_add=True)
    # Name, short name and tax code without diacritics, for the pickers (researchers.pickers).
    search_name = models.TextField(editable=False, blank=True, default="")

    class Meta:
        ordering = ["name"]
        verbose_name = _("organisation")
        verbose_name_plural = _("organisations")
        constraints = [
            models.UniqueConstraint(
                fields=["tax_code"], condition=~Q(tax_code=""), name="organisation_unique_tax_code"
            ),
        ]

    def __str__(self):
        return self.name

    def save(self, *args, **kwargs):
        self.search_name = searchable_name(self)
        if kwargs.get("update_fields") is not None:
            kwargs["update_fields"] = {*kwargs["update_fields"], "search_name"}
        super().save(*args, **kwargs)

    def clean(self):
        from django.core.exceptions import ValidationError

        if self.kind == self.Kind.BUSINESS and not self.tax_code:
            raise ValidationError({"tax_code": _("A business needs its tax code.")})


class Profile(models.Model):
    """What the portal knows about a person beyond their login."""

    class Title(models.TextChoices):
        NONE = "", _("—")
        PROFESSOR = "gs_ts", _("Prof. Dr. (GS.TS.)")
        ASSOCIATE_PROFESSOR = "pgs_ts", _("Assoc. Prof. Dr. (PGS.TS.)")
        DOCTOR = "ts", _("Dr. (TS.)")
        MASTER = "ths", _("Master (ThS.)")
        ENGINEER = "ks", _("Engineer (KS.)")
        BACHELOR = "cn", _("Bachelor (CN.)")

    user = models.OneToOneField(
        settings.AUTH_USER_MODEL, on_delete=models.CASCADE, related_name="profile"
    )
    full_name = models.CharField(_("full name"), max_length=150)
    title = models.CharField(
        _("academic title or degree"), max_length=8, choices=Title.choices, blank=True
    )
    orcid = models.CharField(
        _("ORCID iD"),
        max_length=19,
        blank=True,
        validators=[validate_orcid],
        help_text=_("For example 0000-0002-1825-0097."),
    )
    phone = models.CharField(_("phone"), max_length=20, blank=True)
    position = models.CharField(_("position"), max_length=120, blank=True)
    expertise = models.CharField(
        _("expertise keywords"),
        max_length=500,
        blank=True,
        help_text=_("Separate keywords with commas, e.g. rice breeding, salinity, remote sensing."),
    )
    # The organisation of the person's confirmed `Membership`, kept here by
    # `researchers.workflow` only (confirmed → set, ended → cleared); never typed in a form.
    organisation = models.ForeignKey(
        Organisation,
        on_delete=models.SET_NULL,
        null=True,
        blank=True,
        related_name="members",
        verbose_name=_("organisation"),
        editable=False,
    )
    data_consent_at = models.DateTimeField(
        _("consent to personal data processing given at"), null=True, blank=True
    )

    class Meta:
        verbose_name = _("profile")
        verbose_name_plural = _("profiles")

    def __str__(self):
        return self.display_name

    def save(self, *args, **kwargs):
        self.expertise = ", ".join(dict.fromkeys(self.expertise_keywords()))
        super().save(*args, **kwargs)

    @property
    def display_name(self):
        prefix = {
            self.Title.PROFESSOR: "GS.TS.",
            self.Title.ASSOCIATE_PROFESSOR: "PGS.TS.",
            self.Title.DOCTOR: "TS.",
            self.Title.MASTER: "ThS.",
            self.Title.ENGINEER: "KS.",
            self.Title.BACHELOR: "CN.",
        }.get(self.title, "")
        name = self.full_name or self.user.email
        return f"{prefix} {name}".strip()

    def expertise_keywords(self):
        return [word.strip().lower() for word in self.expertise.split(",") if word.strip()]

    @classmethod
    def for_user(cls, user):
        profile, _created = cls.objects.get_or_create(
            user=user, defaults={"full_name": user.get_full_name() or ""}
        )
        return profile


class Membership(models.Model):
    """A person's request to belong to an organisation, decided by a Department officer.

    DESIGN.md (People and roles): membership is requested by the user and confirmed by an
    officer; until then the user is unconfirmed: they cannot host a proposal or own a listing,
    and the conflict checks use confirmed memberships only. A request names an existing
    organisation, or a new one (name and tax code) that is recorded when it is confirmed."""

    class State(models.TextChoices):
        REQUESTED = "requested", _("unconfirmed — waiting for the Department")
        CONFIRMED = "confirmed", _("confirmed")
        REFUSED = "refused", _("refused")
        ENDED = "ended", _("ended")

    user = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        on_delete=models.CASCADE,
        related_name="memberships",
        verbose_name=_("person"),
    )
    organisation = models.ForeignKey(
        Organisation,
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="memberships",
        verbose_name=_("organisation"),
    )
    # A new organisation named by the person (when `organisation` is empty until confirmed).
    organisation_name = models.CharField(_("new organisation's name"), max_length=255, blank=True)
    tax_code = models.CharField(
        _("tax code"), max_length=14, blank=True, validators=[validate_tax_code]
    )
    kind = models.CharField(
        _("kind"), max_length=16, choices=Organisation.Kind.choices, default=Organisation.Kind.OTHER
    )
    state = FSMField(
        _("state"), default=State.REQUESTED, choices=State.choices, protected=True, db_index=True
    )
    requested_at = models.DateTimeField(_("requested at"), default=timezone.now)
    decided_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="memberships_decided",
        verbose_name=_("decided by"),
    )
    decided_at = models.DateTimeField(_("decided at"), null=True, blank=True)
    ended_at = models.DateTimeField(_("ended at"), null=True, blank=True)
    note = models.TextField(_("note"), max_length=2000, blank=True)

    class Meta:
        ordering = ["requested_at", "pk"]
        verbose_name = _("membership")
        verbose_name_plural = _("memberships")
        constraints = [
            models.UniqueConstraint(
                fields=["user"],
                condition=Q(state="confirmed"),
                name="membership_one_confirmed_per_user",
            ),
            models.UniqueConstraint(
                fields=["user"],
                condition=Q(state="requested"),
                name="membership_one_open_request_per_user",
            ),
            models.CheckConstraint(
                condition=Q(organisation__isnull=False) | ~Q(organisation_name=""),
                name="membership_names_an_organisation",
            ),
        ]

    def __str__(self):
        return f"{self.user} → {self.organisation_label}: {self.state}"

    @property
    def organisation_label(self):
        return self.organisation.name if self.organisation_id else self.organisation_name

    @property
    def is_new_organisation(self):
        return self.organisation_id is None

    @transition(state, source=State.REQUESTED, target=State.CONFIRMED)
    def confirm(self):
        pass

    @transition(state, source=State.REQUESTED, target=State.REFUSED)
    def refuse(self):
        pass

    @transition(state, source=[State.REQUESTED, State.CONFIRMED], target=State.ENDED)
    def end(self):
        """The person withdrew the request, left the organisation, or moved to another one."""


MEMBERSHIP_ACTIONS = {
    "request": _("Membership requested"),
    "confirm": _("Membership confirmed"),
    "refuse": _("Membership refused"),
    "end": _("Membership ended"),
}


class MembershipEntry(AppendOnly):
    """One step of a membership (who, when, from, to, why). Append-only."""

    membership = models.ForeignKey(Membership, on_delete=models.CASCADE, related_name="entries")
    action = models.CharField(max_length=20)
    source = models.CharField(max_length=20, blank=True)
    target = models.CharField(max_length=20)
    # None: the system (memberships recorded when the portal introduced them).
    actor = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.PROTECT, null=True, related_name="+"
    )
    at = models.DateTimeField(default=timezone.now)
    comment = models.TextField(blank=True)
    ip = models.GenericIPAddressField(null=True, blank=True)

    class Meta:
        ordering = ["at", "pk"]
        verbose_name = _("membership entry")
        verbose_name_plural = _("membership entries")

    def __str__(self):
        return f"{self.action}: {self.source} → {self.target}"

    @property
    def label(self):
        return MEMBERSHIP_ACTIONS.get(self.action, self.action)


def confirmed_organisation(user):
    """The organisation of `user`'s confirmed membership, or None: what the conflict checks,
    a dossier's host and a listing's owner rest on (remembered on the user for the request)."""
    if user is None or not getattr(user, "pk", None):
        return None
    cache = user.__dict__
    if "_confirmed_organisation" not in cache:
        membership = (
            Membership.objects.filter(user_id=user.pk, state=Membership.State.CONFIRMED)
            .select_related("organisation")
            .first()
        )
        cache["_confirmed_organisation"] = membership.organisation if membership else None
    return cache["_confirmed_organisation"]


def confirmed_organisation_id(user):
    organisation = confirmed_organisation(user)
    return organisation.pk if organisation else None


def remember_confirmed_organisations(users):
    """Read the confirmed organisations of many users in one query (council suggestions)."""
    users = [user for user in users if "_confirmed_organisation" not in user.__dict__]
    confirmed = {
        m.user_id: m.organisation
        for m in Membership.objects.filter(
            user__in=[user.pk for user in users], state=Membership.State.CONFIRMED
        ).select_related("organisation")
    }
    for user in users:
        user.__dict__["_confirmed_organisation"] = confirmed.get(user.pk)


def forget_confirmed_organisation(user):
    user.__dict__.pop("_confirmed_organisation", None)


# -- personal-data rights (Law 91/2025/QH15); the rules live in `researchers.privacy` ---------


class Consent(models.Model):
    """One consent a person gave for one stated purpose, with the version and the wording of the
    text they agreed to (Law 91/2025/QH15, art. 9: consent per purpose, provable).

    The history is never rewritten: a row is written once when consent is given; withdrawing
    sets `withdrawn_at` once (a conditional update in `privacy.withdraw_consent`), and giving it
    again writes a new row. `save()` refuses to change a stored row and `delete()` refuses."""

    class Purpose(models.TextChoices):
        ACCOUNT = "account", _("Running my account and my dossiers")
        CONTACT = "contact", _("Being contacted by businesses about my technologies")
        NEWSLETTER = (
            "newsletter",
            _("Receiving the weekly digest of matching technologies and needs"),
        )

    user = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="consents"
    )
    purpose = models.CharField(_("purpose"), max_length=16, choices=Purpose.choices)
    text_version = models.CharField(_("version of the text"), max_length=20)
    text = models.TextField(_("text agreed to"))
    given_at = models.DateTimeField(_("given at"))
    withdrawn_at = models.DateTimeField(_("withdrawn at"), null=True, blank=True)

    class Meta:
        ordering = ["purpose", "given_at", "pk"]
        verbose_name = _("consent")
        verbose_name_plural = _("consents")
        constraints = [
            models.UniqueConstraint(
                fields=["user", "purpose"],
                condition=Q(withdrawn_at__isnull=True),
                name="one_standing_consent_per_purpose",
            ),
            models.CheckConstraint(
                condition=Q(withdrawn_at__isnull=True) | Q(withdrawn_at__gte=models.F("given_at")),
                name="consent_withdrawn_after_given",
            ),
        ]

    def __str__(self):
        return f"{self.user_id} {self.purpose} {self.text_version} {self.given_at:%Y-%m-%d}"

    def save(self, *args, **kwargs):
        from django.core.exceptions import PermissionDenied

        if self.pk is not None:
            raise PermissionDenied("Consent records are never rewritten.")
        super().save(*args, **kwargs)

    def delete(self, *args, **kwargs):
        from django.core.exceptions import PermissionDenied

        raise PermissionDenied("Consent records are never deleted.")

    @property
    def standing(self):
        return self.withdrawn_at is None


class DataRequest(ConcurrentTransitionMixin, models.Model):
    """A person's request to correct or erase their personal data (Law 91/2025/QH15, art. 4, 13,
    14), answered by an officer before `due_at` (see `privacy.request_deadline`)."""

    class Kind(models.TextChoices):
        CORRECTION = "correction", _("Correction")
        DELETION = "deletion", _("Deletion")

    class State(models.TextChoices):
        OPEN = "open", pgettext_lazy("personal-data request", "Open")
        DONE = "done", _("Done")
        REFUSED = "refused", _("Refused")

    user = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="data_requests"
    )
    kind = models.CharField(_("kind"), max_length=12, choices=Kind.choices)
    text = models.TextField(_("what you ask"), max_length=5000, blank=True)
    state = FSMField(
        _("state"), default=State.OPEN, choices=State.choices, protected=True, db_index=True
    )
    received_at = models.DateTimeField(_("received at"))
    due_at = models.DateTimeField(_("to be answered by"))
    answered_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="+",
        verbose_name=_("answered by"),
    )
    answered_at = models.DateTimeField(_("answered at"), null=True, blank=True)
    answer = models.TextField(_("answer"), max_length=5000, blank=True)

    class Meta:
        ordering = ["due_at", "pk"]
        verbose_name = _("personal-data request")
        verbose_name_plural = _("personal-data requests")
        constraints = [
            models.UniqueConstraint(
                fields=["user", "kind"],
                condition=Q(state="open"),
                name="one_open_data_request_per_kind",
            )
        ]

    def __str__(self):
        return f"{self.get_kind_display()} #{self.pk}"

    def is_overdue(self, now=None):
        """Still open after its legal deadline (exactly at the deadline is still on time)."""
        from django.utils import timezone

        return self.state == self.State.OPEN and (now or timezone.now()) > self.due_at

    @transition(state, source=State.OPEN, target=State.DONE)
    def complete(self):
        pass

    @transition(state, source=State.OPEN, target=State.REFUSED)
    def refuse(self):
        pass


class DataRequestEntry(AppendOnly):
    """One step of a personal-data request (received, answered, person anonymised): who, when,
    what. Append-only, like the proposals' audit entries."""

    request = models.ForeignKey(DataRequest, on_delete=models.PROTECT, related_name="entries")
    action = models.CharField(_("action"), max_length=20)
    source = models.CharField(_("from"), max_length=12, blank=True)
    target = models.CharField(_("to"), max_length=12, blank=True)
    actor = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.PROTECT, null=True, related_name="+"
    )
    at = models.DateTimeField(_("at"), default=timezone.now)
    comment = models.TextField(_("comment"), blank=True)
    ip = models.GenericIPAddressField(_("IP address"), null=True, blank=True)

    ACTIONS = {
        "open": _("Request received"),
        "complete": _("Answered: done"),
        "refuse": _("Answered: refused"),
        "anonymise": _("Personal data erased; records kept under a placeholder"),
    }

    class Meta:
        ordering = ["at", "pk"]
        verbose_name = _("personal-data request step")
        verbose_name_plural = _("personal-data request steps")

    def __str__(self):
        return f"{self.request_id} {self.action}"

    @property
    def label(self):
        return self.ACTIONS.get(self.action, self.action)
