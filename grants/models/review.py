"""What the review and funding transitions check: council seats, ballots, rubrics, the budget
appraisal and the decision counters. The contract belongs to `projects`."""

from django.conf import settings
from django.core.validators import MaxValueValidator, MinValueValidator
from django.db import models
from django.utils import translation
from django.utils.text import slugify
from django.utils.translation import gettext_lazy as _
from modelcluster.fields import ParentalKey
from modelcluster.models import ClusterableModel
from wagtail.admin.panels import FieldPanel, InlinePanel
from wagtail.models import Orderable
from wagtail.snippets.models import register_snippet

from core.text import fold
from grants.admin_forms import RubricForm


class ReviewAssignment(models.Model):
    """A council seat on one proposal (hội đồng tư vấn tuyển chọn)."""

    class Seat(models.TextChoices):
        CHAIR = "chair", _("Chair")
        VICE_CHAIR = "vice_chair", _("Vice-chair")
        SECRETARY = "secretary", _("Scientific secretary")
        CRITIC = "critic", _("Critic")
        MEMBER = "member", _("Member")

    class Status(models.TextChoices):
        INVITED = "invited", _("Invited")
        ACCEPTED = "accepted", _("Accepted (no conflict of interest)")
        DECLINED = "declined", _("Declined")

    proposal = models.ForeignKey(
        "grants.Proposal", on_delete=models.CASCADE, related_name="assignments"
    )
    reviewer = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="review_assignments"
    )
    seat = models.CharField(_("seat"), max_length=12, choices=Seat.choices, default=Seat.MEMBER)
    status = models.CharField(
        _("status"), max_length=10, choices=Status.choices, default=Status.INVITED
    )
    conflict = models.BooleanField(_("conflict of interest"), default=False)
    declared_at = models.DateTimeField(null=True, blank=True)
    decline_reason = models.TextField(blank=True)
    due_at = models.DateTimeField(_("deadline"), null=True, blank=True)
    # The officer who seated this member: four-eyes keeps them from deciding the proposal.
    invited_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="+",
        verbose_name=_("invited by"),
    )

    class Meta:
        constraints = [
            models.UniqueConstraint(fields=["proposal", "reviewer"], name="one_seat_per_reviewer")
        ]

    def __str__(self):
        return f"{self.reviewer} ({self.get_seat_display()})"


class Ballot(models.Model):
    """A reviewer's score sheet: points per criterion of the call's rubric."""

    proposal = models.ForeignKey(
        "grants.Proposal", on_delete=models.CASCADE, related_name="ballots"
    )
    reviewer = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="ballots"
    )
    scores = models.JSONField(_("points per criterion"), default=dict)
    total = models.PositiveSmallIntegerField(_("total"), default=0)
    comments = models.JSONField(_("comments per criterion"), default=dict, blank=True)
    comment = models.TextField(_("overall comment"), blank=True)
    submitted_at = models.DateTimeField(_("submitted at"), null=True, blank=True)
    excluded = models.BooleanField(
        _("excluded as an outlier (more than 20 percent from the mean)"), default=False
    )

    class Meta:
        constraints = [
            models.UniqueConstraint(fields=["proposal", "reviewer"], name="one_ballot_per_reviewer")
        ]

    def __str__(self):
        return f"{self.reviewer}: {self.total}"


class RubricQuerySet(models.QuerySet):
    def default(self):
        return self.filter(is_default=True).order_by("pk").first()


@register_snippet
class Rubric(ClusterableModel):
    """A scoring sheet (phiếu đánh giá): criteria with guidance and maximum points, 100 in all."""

    name = models.CharField(_("name"), max_length=200)
    is_default = models.BooleanField(
        _("default rubric"),
        default=False,
        help_text=_("Used by calls that do not choose a rubric."),
    )

    objects = RubricQuerySet.as_manager()
    base_form_class = RubricForm
    panels = [
        FieldPanel("name"),
        FieldPanel("is_default"),
        InlinePanel("criteria", label=_("Criteria"), min_num=1),
    ]

    class Meta:
        verbose_name = _("rubric")
        verbose_name_plural = _("rubrics")

    def __str__(self):
        return self.name

    @property
    def total(self):
        return sum(c.max_points for c in self.criteria.all())

    def tiebreak_key(self):
        criterion = next((c for c in self.criteria.all() if c.tiebreak), None)
        return criterion.key if criterion else None

    def in_use(self):
        """A rubric with a submitted ballot is frozen: the ballots were scored on it."""
        from grants.models import Ballot

        calls = self.calls.values("pk")
        default_calls = []
        if self.is_default:
            from grants.models import CallPage

            default_calls = CallPage.objects.filter(rubric__isnull=True).values("pk")
        return Ballot.objects.filter(
            models.Q(proposal__call__in=calls) | models.Q(proposal__call__in=default_calls),
            submitted_at__isnull=False,
        ).exists()


class RubricCriterion(Orderable):
    rubric = ParentalKey(Rubric, on_delete=models.CASCADE, related_name="criteria")
    key = models.SlugField(
        _("key"),
        max_length=40,
        blank=True,
        help_text=_("Short identifier in the ballots; made from the name when left empty."),
    )
    name = models.CharField(_("criterion"), max_length=200)
    name_en = models.CharField(
        _("criterion (English)"),
        max_length=200,
        blank=True,
        help_text=_("Shown on the English pages; the Vietnamese name when left empty."),
    )
    guidance = models.TextField(_("guidance for reviewers"), blank=True)
    max_points = models.PositiveSmallIntegerField(
        _("maximum points"), validators=[MinValueValidator(1), MaxValueValidator(100)]
    )
    tiebreak = models.BooleanField(
        _("breaks ties"),
        default=False,
        help_text=_("Equal aggregates are ranked by the higher mean on this criterion."),
    )

    panels = [
        FieldPanel("name"),
        FieldPanel("name_en"),
        FieldPanel("key"),
        FieldPanel("guidance"),
        FieldPanel("max_points"),
        FieldPanel("tiebreak"),
    ]

    class Meta(Orderable.Meta):
        verbose_name = _("criterion")
        verbose_name_plural = _("criteria")

    def __str__(self):
        return f"{self.name} ({self.max_points})"

    @property
    def label(self):
        """The criterion's name in the active language."""
        if translation.get_language() == "en" and self.name_en:
            return self.name_en
        return self.name

    def save(self, *args, **kwargs):
        if not self.key:
            self.key = slugify(fold(self.name))[:40] or f"c{self.sort_order or 0}"
        super().save(*args, **kwargs)


class BudgetAppraisal(models.Model):
    """The budget appraisal team's record (tổ thẩm định kinh phí) for a passing proposal."""

    class Unit(models.TextChoices):
        PROFESSIONAL = "professional", _("Professional unit of the Department")
        FINANCE = "finance", _("Finance unit")
        FUND = "fund", _("Fund-managing unit")
        COUNCIL = "council", _("Council chair or critic")
        SECRETARY = "secretary", _("Secretary")

    proposal = models.OneToOneField(
        "grants.Proposal", on_delete=models.CASCADE, related_name="appraisal"
    )
    # [{"unit": "finance", "name": "..."}, ...] — one member per unit.
    members = models.JSONField(_("members"), default=list)
    note = models.TextField(_("conclusion"), blank=True)
    total = models.PositiveBigIntegerField(_("appraised amount (VND)"), default=0)
    recorded_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="+"
    )
    recorded_at = models.DateTimeField(_("recorded at"), auto_now=True)

    class Meta:
        verbose_name = _("budget appraisal")

    def __str__(self):
        return f"{self.proposal}: {self.total}"


class AppraisalLine(models.Model):
    appraisal = models.ForeignKey(BudgetAppraisal, on_delete=models.CASCADE, related_name="lines")
    budget_line = models.ForeignKey(
        "grants.BudgetLine", on_delete=models.CASCADE, related_name="appraisals"
    )
    amount = models.PositiveBigIntegerField(_("appraised amount (VND)"))
    reason = models.TextField(_("reason for the cut"), blank=True)

    class Meta:
        ordering = ["budget_line__position", "budget_line__pk"]

    def __str__(self):
        return f"{self.budget_line}: {self.amount}"


class PriceQuote(models.Model):
    """A supplier's quotation behind the appraised prices; not older than 90 days."""

    appraisal = models.ForeignKey(BudgetAppraisal, on_delete=models.CASCADE, related_name="quotes")
    item = models.CharField(_("item"), max_length=200)
    supplier = models.CharField(_("supplier"), max_length=200)
    quoted_on = models.DateField(_("date of the quotation"))
    amount = models.PositiveBigIntegerField(_("quoted amount (VND)"))

    class Meta:
        ordering = ["quoted_on", "pk"]

    def __str__(self):
        return f"{self.supplier}: {self.item}"


class DocumentCounter(models.Model):
    """Gapless numbers of the Department's documents per kind and year (decisions, minutes)."""

    kind = models.CharField(max_length=20)
    year = models.PositiveSmallIntegerField()
    last = models.PositiveIntegerField(default=0)

    class Meta:
        constraints = [
            models.UniqueConstraint(fields=["kind", "year"], name="one_counter_per_kind_year")
        ]

    def __str__(self):
        return f"{self.kind}/{self.year}: {self.last}"
