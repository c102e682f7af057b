"""The technology catalogue, businesses' needs and transfer deals (DESIGN.md → Technology transfer).

States change only through `transfer.workflow`, like proposals through `grants.workflow`.
"""

import datetime

from django.conf import settings
from django.core.validators import MaxValueValidator, MinValueValidator
from django.db import models
from django.utils import timezone, translation
from django.utils.translation import gettext_lazy as _
from django.utils.translation import pgettext_lazy
from django_fsm import ConcurrentTransitionMixin, FSMField, transition

from core.models import AppendOnly, CheckedFile
from core.text import fold
from core.words import joined_words
from grants.models.fields import CreatedAtField

ENGLISH_MARK = " || "  # in Technology.search_text, before the English version
REGISTRATION_DAYS = 90  # Law 07/2017/QH14: a state-funded transfer is registered within 90 days


def private_storage():
    from django.core.files.storage import storages

    return storages["private"]


def agreement_path(instance, filename):
    import secrets

    return (
        f"deals/{instance.pk}/{secrets.token_hex(8)}{getattr(instance, 'agreement_extension', '')}"
    )


class IPStatus(models.TextChoices):
    NONE = "none", _("No protection")
    PATENT_PENDING = "patent_pending", _("Patent pending")
    PATENT = "patent", _("Patent")
    UTILITY = "utility", _("Utility solution")
    PLANT_VARIETY = "plant_variety", _("Plant variety protection")
    COPYRIGHT = "copyright", _("Copyright")
    KNOW_HOW = "know_how", _("Know-how")


class TransferMode(models.TextChoices):
    LICENCE_EXCLUSIVE = "licence_exclusive", _("Exclusive licence")
    LICENCE = "licence", _("Non-exclusive licence")
    ASSIGNMENT = "assignment", _("Assignment of rights")
    CAPITAL = "capital", _("Capital contribution")
    CONSULTING = "consulting", _("Consulting and training")


class Technology(ConcurrentTransitionMixin, models.Model):
    class State(models.TextChoices):
        DRAFT = "draft", _("Draft")
        PENDING = "pending", _("Waiting for moderation")
        PUBLISHED = "published", _("Published")
        ARCHIVED = "archived", _("Archived")

    title = models.CharField(_("title"), max_length=250)
    summary = models.TextField(_("what it solves"), max_length=1500)
    title_en = models.CharField(_("title in English"), max_length=250, blank=True)
    summary_en = models.TextField(
        _("what it solves, in English"),
        max_length=1500,
        blank=True,
        help_text=_(
            "Optional: shown to readers of the English site, who otherwise see the Vietnamese."
        ),
    )
    description = models.TextField(_("description"), blank=True, max_length=20000)
    sector = models.ForeignKey(
        "cms.Sector",
        on_delete=models.PROTECT,
        related_name="technologies",
        verbose_name=_("sector"),
    )
    trl = models.PositiveSmallIntegerField(
        _("technology readiness level (TRL)"),
        validators=[MinValueValidator(1), MaxValueValidator(9)],
    )
    ip_status = models.CharField(
        _("intellectual property"), max_length=20, choices=IPStatus.choices, default=IPStatus.NONE
    )
    transfer_modes = models.JSONField(_("transfer modes"), default=list)
    price = models.PositiveBigIntegerField(
        _("indicative price (VND)"), null=True, blank=True, help_text=_("Empty: negotiable.")
    )
    owner = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="technologies"
    )
    organisation = models.ForeignKey(
        "researchers.Organisation",
        on_delete=models.PROTECT,
        related_name="technologies",
        verbose_name=_("owner organisation"),
    )
    source_proposal = models.ForeignKey(
        "grants.Proposal",
        on_delete=models.SET_NULL,
        null=True,
        blank=True,
        related_name="technologies",
        verbose_name=_("project it came from"),
    )
    confidential = models.TextField(
        _("confidential part (know-how, detailed data)"),
        blank=True,
        help_text=_("Shown to a business only inside a deal, after it accepts the terms below."),
    )
    nda_terms = models.TextField(_("non-disclosure terms"), blank=True)
    state = FSMField(
        _("state"), default=State.DRAFT, choices=State.choices, protected=True, db_index=True
    )
    search_text = models.TextField(editable=False, blank=True, default="")
    # The Vietnamese text's words (core.words.stored), segmented on save, for matching and the
    # catalogue's whole-syllable search.
    words = models.TextField(editable=False, blank=True, default="")
    published_at = models.DateTimeField(_("published at"), null=True, blank=True)
    # When `transfer.matching` last stored this technology's best needs (None: never; the
    # page then computes them itself).
    matched_at = models.DateTimeField(null=True, blank=True, editable=False)
    created_at = CreatedAtField()
    updated_at = models.DateTimeField(auto_now=True)

    class Meta:
        verbose_name = _("technology")
        verbose_name_plural = _("technologies")
        indexes = [
            models.Index(fields=["state", "-published_at"]),
            models.Index(fields=["state", "sector", "trl"]),
        ]

    def __str__(self):
        return self.title

    def save(self, *args, **kwargs):
        # Vietnamese first; the English version (searchable too) after ENGLISH_MARK, where
        # matching, which compares with Vietnamese needs, stops reading.
        self.search_text = fold(" | ".join([self.title, self.summary, self.description[:2000]]))
        if self.title_en or self.summary_en:
            self.search_text += ENGLISH_MARK + fold(f"{self.title_en} | {self.summary_en}")
        update_fields = kwargs.get("update_fields")
        if update_fields is None or {"title", "summary", "description"} & set(update_fields):
            self.refresh_words()
            if update_fields is not None:
                update_fields = {*update_fields, "words"}
        if update_fields is not None:
            kwargs["update_fields"] = {*update_fields, "search_text"}
        super().save(*args, **kwargs)

    def get_absolute_url(self):
        from django.urls import reverse

        return reverse("technology_detail", args=[self.pk])

    def refresh_words(self):
        self.words = joined_words(self.title, self.summary, self.description[:1500])

    @property
    def in_english(self):
        """True when the reader is on the English site and the owner wrote an English version."""
        return bool(self.title_en) and translation.get_language() == "en"

    @property
    def local_title(self):
        return self.title_en if self.in_english else self.title

    @property
    def local_summary(self):
        return self.summary_en or self.summary if self.in_english else self.summary

    @property
    def text_lang(self):
        """The language of `local_title` and `local_summary`, for the `lang` attribute."""
        return "en" if self.in_english else "vi"

    @property
    def mode_labels(self):
        labels = dict(TransferMode.choices)
        return [labels.get(mode, mode) for mode in self.transfer_modes]

    @transition(state, source=[State.DRAFT, State.ARCHIVED], target=State.PENDING)
    def submit(self):
        pass

    @transition(state, source=State.PENDING, target=State.PUBLISHED)
    def publish(self):
        pass

    @transition(state, source=State.PENDING, target=State.DRAFT)
    def send_back(self):
        pass

    @transition(state, source=State.PUBLISHED, target=State.PENDING)
    def revise(self):
        """The owner changed a published listing: it is checked again before it reappears."""

    @transition(state, source=[State.PUBLISHED, State.PENDING, State.DRAFT], target=State.ARCHIVED)
    def archive(self):
        pass


def technology_file_path(instance, filename):
    import secrets

    return f"technologies/{instance.technology_id}/{secrets.token_hex(8)}{instance.extension}"


class TechnologyFile(CheckedFile):
    """A picture or a document of a listing (brochure, test report): public with the listing,
    stored privately and served through a view that checks the listing can be seen."""

    class Kind(models.TextChoices):
        IMAGE = "image", _("Image")
        DOCUMENT = "document", _("Document")

    LIMITS = {Kind.IMAGE: 6, Kind.DOCUMENT: 5}  # per listing

    technology = models.ForeignKey(Technology, on_delete=models.CASCADE, related_name="files")
    kind = models.CharField(_("kind"), max_length=10, choices=Kind.choices)
    caption = models.CharField(_("caption"), max_length=200)
    file = models.FileField(storage=private_storage, upload_to=technology_file_path, max_length=200)

    class Meta:
        ordering = ["kind", "pk"]
        verbose_name = _("technology file")
        verbose_name_plural = _("technology files")

    def __str__(self):
        return self.caption

    def get_absolute_url(self):
        from django.urls import reverse

        return reverse("technology_file", args=[self.technology_id, self.pk])


class TechnologyNeed(ConcurrentTransitionMixin, models.Model):
    """A business's demand for a technology."""

    class State(models.TextChoices):
        DRAFT = "draft", _("Draft")
        PUBLISHED = "published", _("Published")
        CLOSED = "closed", _("Closed")

    business = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="technology_needs"
    )
    organisation = models.ForeignKey(
        "researchers.Organisation", on_delete=models.PROTECT, null=True, blank=True,
        related_name="needs",
    )  # fmt: skip
    title = models.CharField(_("title"), max_length=250)
    problem = models.TextField(_("the problem to solve"), max_length=5000)
    sector = models.ForeignKey("cms.Sector", on_delete=models.PROTECT, related_name="needs")
    budget_min = models.PositiveBigIntegerField(_("budget from (VND)"), null=True, blank=True)
    budget_max = models.PositiveBigIntegerField(_("budget up to (VND)"), null=True, blank=True)
    desired_trl = models.PositiveSmallIntegerField(
        _("lowest acceptable TRL"),
        default=6,
        validators=[MinValueValidator(1), MaxValueValidator(9)],
    )
    deadline = models.DateField(_("needed by"), null=True, blank=True)
    state = FSMField(default=State.DRAFT, choices=State.choices, protected=True, db_index=True)
    search_text = models.TextField(editable=False, blank=True, default="")
    words = models.TextField(editable=False, blank=True, default="")  # see Technology.words
    matched_at = models.DateTimeField(null=True, blank=True, editable=False)
    created_at = CreatedAtField()
    # The open data's Last-Modified (core.rest.ConditionalGet): every edit and transition.
    updated_at = models.DateTimeField(_("last changed"), auto_now=True)

    class Meta:
        verbose_name = _("technology need")
        verbose_name_plural = _("technology needs")

    def __str__(self):
        return self.title

    def save(self, *args, **kwargs):
        self.search_text = fold(" | ".join([self.title, self.problem]))
        update_fields = kwargs.get("update_fields")
        if update_fields is None or {"title", "problem"} & set(update_fields):
            self.refresh_words()
            if update_fields is not None:
                kwargs["update_fields"] = {*update_fields, "words"}
        super().save(*args, **kwargs)

    def get_absolute_url(self):
        from django.urls import reverse

        return reverse("need_detail", args=[self.pk])

    def refresh_words(self):
        self.words = joined_words(self.title, self.problem)

    @transition(state, source=State.DRAFT, target=State.PUBLISHED)
    def publish(self):
        pass

    @transition(state, source=[State.DRAFT, State.PUBLISHED], target=State.CLOSED)
    def close(self):
        pass


class Match(models.Model):
    """One line of a stored ranking of `transfer.matching`: pages read these rows instead of
    comparing texts on every request. `side` says whose list the row belongs to — a need's best
    technologies or a technology's best needs (the two are ranked separately)."""

    class Side(models.TextChoices):
        NEED = "need", _("technologies for a need")
        TECHNOLOGY = "technology", _("needs for a technology")

    side = models.CharField(max_length=10, choices=Side.choices)
    need = models.ForeignKey(TechnologyNeed, on_delete=models.CASCADE, related_name="matches")
    technology = models.ForeignKey(Technology, on_delete=models.CASCADE, related_name="matches")
    rank = models.PositiveSmallIntegerField()
    score = models.FloatField()
    keywords = models.JSONField(default=list)
    same_sector = models.BooleanField(default=False)

    class Meta:
        ordering = ["rank"]
        constraints = [
            models.UniqueConstraint(
                fields=["side", "need", "technology"], name="one_match_per_side_and_pair"
            )
        ]
        indexes = [
            models.Index(fields=["technology", "side", "rank"]),
            models.Index(fields=["need", "side", "rank"]),
        ]

    def __str__(self):
        return f"{self.need} ↔ {self.technology} ({self.score:.2f})"

    @property
    def item(self):
        """What the list shows: the technology in a need's list, the need in a technology's."""
        return self.technology if self.side == self.Side.NEED else self.need

    @property
    def reason(self):
        from transfer.matching import explain

        return explain(
            self.keywords, self.same_sector, self.need.sector.label, self.technology.trl,
            self.need.desired_trl,
        )  # fmt: skip


class TransferDeal(ConcurrentTransitionMixin, models.Model):
    class State(models.TextChoices):
        REQUESTED = "requested", _("Requested")
        NEGOTIATING = "negotiating", _("Negotiating")
        AGREED = "agreed", _("Agreed")
        # Not "Completed" of a task ("Đã nghiệm thu"): a deal is carried out ("Đã hoàn tất").
        COMPLETED = "completed", pgettext_lazy("deal state", "Completed")
        DECLINED = "declined", _("Declined")
        CANCELLED = "cancelled", _("Cancelled")

    class Payment(models.TextChoices):
        LUMP_SUM = "lump_sum", _("Lump sum")
        INSTALMENTS = "instalments", _("Instalments")
        EQUITY = "equity", _("Equity")
        ROYALTY = "royalty", _("Share of net revenue")

    technology = models.ForeignKey(Technology, on_delete=models.PROTECT, related_name="deals")
    business = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="transfer_deals"
    )
    message = models.TextField(_("message"), max_length=5000)
    state = FSMField(
        _("state"), default=State.REQUESTED, choices=State.choices, protected=True, db_index=True
    )
    nda_accepted_at = models.DateTimeField(
        _("non-disclosure terms accepted at"), null=True, blank=True
    )
    # Terms (Law 07/2017/QH14)
    mode = models.CharField(
        _("transfer mode"), max_length=20, choices=TransferMode.choices, blank=True
    )
    value = models.PositiveBigIntegerField(_("value (VND)"), null=True, blank=True)
    payment = models.CharField(
        _("payment method"), max_length=20, choices=Payment.choices, blank=True
    )
    term_months = models.PositiveSmallIntegerField(_("term (months)"), null=True, blank=True)
    signed_on = models.DateField(_("signed on"), null=True, blank=True)
    agreement = models.FileField(
        _("signed agreement"),
        storage=private_storage,
        upload_to=agreement_path,
        blank=True,
        max_length=200,
    )
    agreement_name = models.CharField(max_length=255, blank=True)
    agreement_type = models.CharField(max_length=100, blank=True)
    created_at = CreatedAtField()
    updated_at = models.DateTimeField(auto_now=True)

    class Meta:
        verbose_name = _("transfer deal")
        verbose_name_plural = _("transfer deals")
        constraints = [
            models.UniqueConstraint(
                fields=["technology", "business"],
                condition=models.Q(state__in=["requested", "negotiating", "agreed"]),
                name="one_open_deal_per_business_and_technology",
            )
        ]

    def __str__(self):
        return f"{self.technology} ← {self.business}"

    def get_absolute_url(self):
        from django.urls import reverse

        return reverse("deal_detail", args=[self.pk])

    @property
    def state_funded(self):
        return self.technology.source_proposal_id is not None

    @property
    def registration_deadline(self):
        """A transfer of a state-funded result is registered within 90 days of signing."""
        if self.signed_on and self.state_funded:
            return self.signed_on + datetime.timedelta(days=REGISTRATION_DAYS)
        return None

    def registration_days_left(self, today=None):
        deadline = self.registration_deadline
        if deadline is None:
            return None
        return (deadline - (today or timezone.localdate())).days

    @transition(state, source=State.REQUESTED, target=State.NEGOTIATING)
    def accept(self):
        pass

    @transition(state, source=State.REQUESTED, target=State.DECLINED)
    def decline(self):
        pass

    @transition(state, source=[State.REQUESTED, State.NEGOTIATING], target=State.CANCELLED)
    def cancel(self):
        pass

    @transition(state, source=State.NEGOTIATING, target=State.AGREED)
    def record_terms(self):
        pass

    @transition(state, source=State.AGREED, target=State.COMPLETED)
    def complete(self):
        pass


CATALOGUE_ACTIONS = {
    "submit": _("Sent for moderation"),
    "revise": _("Changed by the owner, sent for moderation again"),
    "publish": _("Published by the Department"),
    "send_back": _("Sent back to the owner"),
    "archive": _("Archived"),
    "close": _("Closed"),
}


class StepEntry(AppendOnly):
    """One step of a record of this app (who, when, from, to, why); `ACTIONS` names the steps."""

    ACTIONS = {}

    action = models.CharField(max_length=20)
    source = models.CharField(max_length=20, blank=True)
    target = models.CharField(max_length=20)
    actor = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.PROTECT, null=True, related_name="+"
    )
    at = models.DateTimeField(default=timezone.now)
    comment = models.TextField(blank=True)

    class Meta:
        abstract = True
        ordering = ["at", "pk"]

    def __str__(self):
        return f"{self.action}: {self.source} → {self.target}"

    @property
    def label(self):
        return self.ACTIONS.get(self.action, self.action)


class CatalogueEntry(StepEntry):
    """One step of a technology listing or of a business need. Append-only, like the proposals'
    audit entries and the deals' entries."""

    ACTIONS = CATALOGUE_ACTIONS

    technology = models.ForeignKey(
        Technology, on_delete=models.PROTECT, null=True, blank=True, related_name="entries"
    )
    need = models.ForeignKey(
        TechnologyNeed, on_delete=models.PROTECT, null=True, blank=True, related_name="entries"
    )

    class Meta(StepEntry.Meta):
        verbose_name = _("catalogue entry")
        verbose_name_plural = _("catalogue entries")
        constraints = [
            models.CheckConstraint(
                condition=models.Q(technology__isnull=False) ^ models.Q(need__isnull=False),
                name="catalogue_entry_of_one_record",
            )
        ]


DEAL_ACTIONS = {
    "request": _("Interest expressed"),
    "accept": _("Owner accepted to talk"),
    "decline": _("Owner declined"),
    "cancel": _("Cancelled"),
    "accept_nda": _("Non-disclosure terms accepted"),
    "record_terms": _("Terms recorded"),
    "complete": _("Delivery confirmed by the Department"),
}


class DealEntry(StepEntry):
    """One step of a deal. Append-only."""

    ACTIONS = DEAL_ACTIONS

    deal = models.ForeignKey(TransferDeal, on_delete=models.PROTECT, related_name="entries")
    ip = models.GenericIPAddressField(null=True, blank=True)
