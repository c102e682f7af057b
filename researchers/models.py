from django.conf import settings
from django.db import models
from django.db.models import Q
from django.utils.translation import gettext_lazy as _

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
    organisation = models.ForeignKey(
        Organisation,
        on_delete=models.SET_NULL,
        null=True,
        blank=True,
        related_name="members",
        verbose_name=_("organisation"),
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
