from django.conf import settings
from django.db import models
from django.db.models import Q
from django.utils import timezone
from django.utils.translation import gettext_lazy as _
from django_fsm import FSMField, transition

from portal.models import AppendOnly
from researchers.validators import validate_orcid, validate_tax_code


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
