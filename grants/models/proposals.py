"""A proposal (hồ sơ đăng ký nhiệm vụ KH&CN): its dossier, its state machine and its audit trail.

The state changes only through `grants.workflow`; the `@transition` methods below declare the
table of DESIGN.md (source, target, who) and nothing else. Guards with their messages, the
audit entry and the notifications live in the workflow.
"""

import secrets

from django.conf import settings
from django.core.files.storage import storages
from django.core.validators import MaxValueValidator, MinValueValidator
from django.db import models
from django.db.models import Sum
from django.utils import timezone
from django.utils.translation import gettext_lazy as _
from django_fsm import ConcurrentTransitionMixin, FSMField, transition

from core.models import AppendOnly, CheckedFile
from core.text import fold
from grants import rules
from grants.models.fields import CreatedAtField


class ProposalState(models.TextChoices):
    DRAFT = "draft", _("Draft")
    SUBMITTED = "submitted", _("Submitted")
    RETURNED = "returned", _("Returned for revision")
    INELIGIBLE = "ineligible", _("Ineligible")
    ELIGIBLE = "eligible", _("Eligible")
    UNDER_REVIEW = "under_review", _("Under review")
    REVIEWED = "reviewed", _("Reviewed")
    FUNDED = "funded", _("Funded")
    REJECTED = "rejected", _("Not funded")
    IN_PROGRESS = "in_progress", _("In progress")
    COMPLETED = "completed", _("Completed")
    TERMINATED = "terminated", _("Terminated")
    TRANSFERRED = "transferred", _("Transferred")
    WITHDRAWN = "withdrawn", _("Withdrawn")


# The states of a task the Department funded (statistics and the open-data list of funded tasks).
FUNDED_STATES = ("funded", "in_progress", "completed", "transferred", "terminated")


S = ProposalState
FINAL_STATES = (S.INELIGIBLE, S.REJECTED, S.TERMINATED, S.TRANSFERRED, S.WITHDRAWN)
EDITABLE_STATES = (S.DRAFT, S.RETURNED)


def new_verification_code():
    """Short, unguessable code printed on the receipt and checked at a public URL."""
    return secrets.token_hex(5).upper()


def private_storage():
    return storages["private"]


# The officers' queue opens on what waits for the officer (screening, a council to seat, a review
# to close, an appraisal, a contract to sign), then what waits for someone else (the applicant,
# the council, a manager, the running task), then the closed dossiers (grants.worklist).
WORK_FIRST = models.Case(
    models.When(
        state__in=[S.SUBMITTED, S.ELIGIBLE, S.UNDER_REVIEW, S.FUNDED], then=models.Value(0)
    ),
    models.When(state=S.REVIEWED, passed=True, appraised_amount__isnull=True, then=models.Value(0)),
    models.When(state__in=[S.REVIEWED, S.RETURNED, S.IN_PROGRESS], then=models.Value(1)),
    default=models.Value(2),
    output_field=models.SmallIntegerField(),
)


class Proposal(ConcurrentTransitionMixin, models.Model):
    call = models.ForeignKey(
        "grants.CallPage",
        on_delete=models.PROTECT,
        related_name="proposals",
        verbose_name=_("call"),
    )
    owner = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        on_delete=models.PROTECT,
        related_name="proposals",
        verbose_name=_("applicant"),
    )
    organisation = models.ForeignKey(
        "researchers.Organisation",
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="proposals",
        verbose_name=_("host organisation"),
    )
    state = FSMField(
        _("state"), default=S.DRAFT, choices=ProposalState.choices, protected=True, db_index=True
    )

    # The dossier (thuyết minh nhiệm vụ).
    title = models.CharField(_("project title"), max_length=300, blank=True)
    sector = models.ForeignKey(
        "cms.Sector",
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="proposals",
        verbose_name=_("sector"),
    )
    keywords = models.CharField(_("keywords"), max_length=300, blank=True)
    abstract = models.TextField(_("abstract"), max_length=3000, blank=True)
    rationale = models.TextField(_("urgency and rationale"), max_length=20000, blank=True)
    objectives = models.TextField(_("objectives"), max_length=10000, blank=True)
    content_methods = models.TextField(_("content and methods"), max_length=40000, blank=True)
    expected_products = models.TextField(
        _("expected products and measurable indicators"), max_length=20000, blank=True
    )
    application_plan = models.TextField(
        _("application and transfer plan"), max_length=20000, blank=True
    )
    duration_months = models.PositiveSmallIntegerField(
        _("duration (months)"),
        null=True,
        blank=True,
        validators=[MinValueValidator(1), MaxValueValidator(60)],
    )
    counterpart_funding = models.PositiveBigIntegerField(
        _("counterpart and own funding (VND)"), default=0
    )

    # Figures other parts rely on (DESIGN.md).
    requested_amount = models.PositiveBigIntegerField(_("requested amount (VND)"), default=0)
    appraised_amount = models.PositiveBigIntegerField(
        _("appraised amount (VND)"), null=True, blank=True
    )
    approved_amount = models.PositiveBigIntegerField(
        _("approved amount (VND)"), null=True, blank=True
    )
    aggregate_score = models.DecimalField(
        _("aggregate score"), max_digits=5, decimal_places=2, null=True, blank=True
    )
    passed = models.BooleanField(_("passed the council"), null=True, blank=True)
    # A language-neutral code (`grants.scoring.Result.outcome`); shown with
    # `get_review_outcome_display`, in the reader's language.
    review_outcome = models.CharField(_("review outcome"), max_length=300, blank=True)
    rank = models.PositiveSmallIntegerField(_("rank in call"), null=True, blank=True)
    acceptance_verdict = models.CharField(
        _("acceptance verdict"),
        max_length=12,
        blank=True,
        choices=[("excellent", _("Excellent")), ("pass", _("Pass")), ("fail", _("Fail"))],
    )

    # Receipt and revisions.
    receipt_number = models.CharField(
        _("receipt number"), max_length=40, unique=True, null=True, blank=True
    )
    verification_code = models.CharField(max_length=10, unique=True, default=new_verification_code)
    submitted_at = models.DateTimeField(_("submitted at"), null=True, blank=True)
    version = models.PositiveSmallIntegerField(_("version"), default=0)
    revision_deadline = models.DateTimeField(_("revision deadline"), null=True, blank=True)

    # The decision (quyết định) that `fund` or `reject` issues.
    decision_number = models.CharField(_("decision number"), max_length=40, blank=True)
    decided_at = models.DateTimeField(_("decided at"), null=True, blank=True)
    decided_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="+",
    )

    # Four-eyes: who prepared what (a manager who did may not decide).
    screened_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="+",
    )
    appraised_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="+",
    )

    created_at = CreatedAtField(_("created at"))
    updated_at = models.DateTimeField(_("last changed"), auto_now=True)
    # Receipt number, title, applicant and organisation, folded (no case, no diacritics) for
    # the officers' search; on PostgreSQL a trigram index serves `LIKE '%...%'` (migration 0003).
    search_text = models.TextField(editable=False, blank=True, default="")
    # WORK_FIRST, kept by the database itself in a stored column, so that the queue's default
    # order is read from an index (`proposal_queue_work_first`), not sorted over every dossier.
    work_rank = models.GeneratedField(
        expression=WORK_FIRST, output_field=models.SmallIntegerField(), db_persist=True
    )

    class Meta:
        verbose_name = _("proposal")
        verbose_name_plural = _("proposals")
        ordering = ["-updated_at"]
        indexes = [
            models.Index(
                fields=["work_rank", "submitted_at", "id"],
                condition=~models.Q(state="draft"),
                name="proposal_queue_work_first",
            ),
            models.Index(fields=["call", "state"]),
            models.Index(fields=["owner", "-updated_at"]),
            models.Index(fields=["-updated_at"]),
        ]
        constraints = [
            # One draft per call per researcher: "Apply" twice opens the same dossier.
            models.UniqueConstraint(
                fields=["call", "owner"],
                condition=models.Q(state="draft"),
                name="one_draft_per_call_and_owner",
            ),
        ]

    def __str__(self):
        return self.receipt_number or self.title or gettext_untitled()

    # What the search text is made of; saving recomputes it (two small queries) only when one of
    # these changed since the proposal was loaded, not on every autosave or transition.
    SEARCHED = ("receipt_number", "title", "owner_id", "organisation_id")

    def save(self, *args, **kwargs):
        inputs = self._search_inputs()
        if inputs is None or inputs != getattr(self, "_searched", None):
            self.search_text = self.compute_search_text()
            update_fields = kwargs.get("update_fields")
            if update_fields is not None:
                kwargs["update_fields"] = {*update_fields, "search_text"}
        super().save(*args, **kwargs)
        self._searched = inputs

    def get_absolute_url(self):
        from django.urls import reverse

        return reverse("proposal_detail", args=[self.pk])

    def get_review_outcome_display(self):
        """The council's outcome in the reader's language, the criteria by their names."""
        from grants import scoring

        outcome = self.review_outcome or ""
        criteria = ()
        if outcome.startswith(scoring.ZERO_PREFIX):
            rubric = self.call.get_rubric()
            criteria = [(c.key, c.label) for c in rubric.criteria.all()] if rubric else ()
        return scoring.outcome_text(outcome, criteria)

    @classmethod
    def from_db(cls, db, field_names, values):
        instance = super().from_db(db, field_names, values)
        instance._searched = instance._search_inputs()
        return instance

    def _search_inputs(self):
        if self.get_deferred_fields().intersection(self.SEARCHED):
            return None  # not all loaded: recompute to be safe
        return tuple(getattr(self, name) for name in self.SEARCHED)

    def compute_search_text(self):
        from researchers.models import Organisation, Profile

        owner = Profile.objects.filter(user_id=self.owner_id).values_list(
            "full_name", "user__email"
        ).first() or ("", "")
        organisation = (
            Organisation.objects.filter(pk=self.organisation_id)
            .values_list("name", flat=True)
            .first()
            if self.organisation_id
            else ""
        )
        return search_text_of(self.receipt_number, self.title, *owner, organisation)

    @property
    def is_editable(self):
        return self.state in EDITABLE_STATES

    @property
    def is_final(self):
        return self.state in FINAL_STATES

    def budget_total(self):
        return self.budget_lines.aggregate(total=Sum("amount"))["total"] or 0

    # -- the table of DESIGN.md: source, target, who may fire ------------------------------

    @transition(state, source=[S.DRAFT, S.RETURNED], target=S.SUBMITTED, permission=rules.is_owner)
    def submit(self):
        pass

    @transition(
        state,
        source=[S.DRAFT, S.SUBMITTED, S.RETURNED, S.ELIGIBLE],
        target=S.WITHDRAWN,
        permission=rules.is_owner,
    )
    def withdraw(self):
        pass

    @transition(state, source=S.SUBMITTED, target=S.RETURNED, permission=rules.is_officer)
    def return_for_revision(self):
        pass

    @transition(state, source=S.SUBMITTED, target=S.ELIGIBLE, permission=rules.is_officer)
    def mark_eligible(self):
        pass

    @transition(state, source=S.SUBMITTED, target=S.INELIGIBLE, permission=rules.is_officer)
    def mark_ineligible(self):
        pass

    @transition(state, source=S.ELIGIBLE, target=S.UNDER_REVIEW, permission=rules.is_officer)
    def start_review(self):
        pass

    @transition(
        state, source=S.UNDER_REVIEW, target=S.REVIEWED, permission=rules.is_officer_or_system
    )
    def complete_review(self):
        pass

    @transition(state, source=S.REVIEWED, target=S.FUNDED, permission=rules.is_manager)
    def fund(self):
        pass

    @transition(state, source=S.REVIEWED, target=S.REJECTED, permission=rules.is_manager)
    def reject(self):
        pass

    @transition(state, source=S.FUNDED, target=S.IN_PROGRESS, permission=rules.is_officer)
    def sign_contract(self):
        pass

    @transition(state, source=S.IN_PROGRESS, target=S.COMPLETED, permission=rules.is_officer)
    def accept_results(self):
        pass

    @transition(state, source=S.IN_PROGRESS, target=S.TERMINATED, permission=rules.is_manager)
    def terminate(self):
        pass

    @transition(state, source=S.COMPLETED, target=S.TRANSFERRED, permission=rules.is_system)
    def mark_transferred(self):
        pass


def search_text_of(*parts):
    """The folded text the officers' search looks in: the non-empty parts, joined."""
    return fold(" | ".join(part for part in parts if part))


def gettext_untitled():
    return str(_("(untitled proposal)"))


class TeamMember(models.Model):
    class Role(models.TextChoices):
        PRINCIPAL = "principal", _("Principal investigator")
        SECRETARY = "secretary", _("Scientific secretary")
        MEMBER = "member", _("Member")

    proposal = models.ForeignKey(Proposal, on_delete=models.CASCADE, related_name="team")
    full_name = models.CharField(_("full name"), max_length=150)
    title = models.CharField(_("academic title or degree"), max_length=60, blank=True)
    role = models.CharField(_("role"), max_length=12, choices=Role.choices, default=Role.MEMBER)
    organisation_name = models.CharField(_("organisation"), max_length=255)
    email = models.EmailField(_("e-mail"), blank=True)
    user = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        on_delete=models.SET_NULL,
        null=True,
        blank=True,
        related_name="team_memberships",
    )
    months = models.PositiveSmallIntegerField(
        _("person-months"), null=True, blank=True, validators=[MaxValueValidator(600)]
    )
    position = models.PositiveSmallIntegerField(default=0)

    class Meta:
        ordering = ["position", "pk"]
        verbose_name = _("team member")
        verbose_name_plural = _("team members")

    def __str__(self):
        return self.full_name


class BudgetLine(models.Model):
    """A line of the requested state budget, in whole VND (counterpart funding is separate)."""

    class Category(models.TextChoices):
        LABOUR = "labour", _("Labour")
        MATERIALS = "materials", _("Materials and supplies")
        EQUIPMENT = "equipment", _("Equipment")
        TRAVEL = "travel", _("Travel and field work")
        SERVICES = "services", _("Services and outsourcing")
        OTHER = "other", _("Other")

    proposal = models.ForeignKey(Proposal, on_delete=models.CASCADE, related_name="budget_lines")
    category = models.CharField(_("category"), max_length=12, choices=Category.choices)
    description = models.CharField(_("description"), max_length=300)
    amount = models.PositiveBigIntegerField(_("amount (VND)"))
    position = models.PositiveSmallIntegerField(default=0)

    class Meta:
        ordering = ["position", "pk"]
        verbose_name = _("budget line")
        verbose_name_plural = _("budget lines")

    def __str__(self):
        return self.description


def attachment_path(instance, filename):
    return f"proposals/{instance.proposal_id}/{secrets.token_hex(8)}{instance.extension}"


class Attachment(CheckedFile):
    """A file of the dossier, stored privately and served only through a checked view."""

    proposal = models.ForeignKey(Proposal, on_delete=models.CASCADE, related_name="attachments")
    template = models.ForeignKey(
        "grants.CallTemplate",
        on_delete=models.SET_NULL,
        null=True,
        blank=True,
        related_name="+",
        verbose_name=_("for the template"),
    )
    label = models.CharField(_("description"), max_length=200)
    file = models.FileField(storage=private_storage, upload_to=attachment_path, max_length=200)
    sha256 = models.CharField(max_length=64)
    uploaded_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="+"
    )
    # A file that belonged to a submitted version is never deleted, only hidden from the draft.
    removed_at = models.DateTimeField(null=True, blank=True)

    class Meta:
        ordering = ["uploaded_at", "pk"]
        verbose_name = _("attachment")
        verbose_name_plural = _("attachments")

    def __str__(self):
        return self.label


class ProposalVersion(models.Model):
    """The dossier frozen at each submission: what the Department received, as it was."""

    proposal = models.ForeignKey(Proposal, on_delete=models.CASCADE, related_name="versions")
    number = models.PositiveSmallIntegerField()
    submitted_at = models.DateTimeField()
    data = models.JSONField()

    class Meta:
        ordering = ["number"]
        constraints = [
            models.UniqueConstraint(fields=["proposal", "number"], name="one_version_number")
        ]

    def __str__(self):
        return f"{self.proposal} v{self.number}"


class ReceiptCounter(models.Model):
    """Gapless receipt numbers: one row per call and year, locked while a number is taken."""

    call = models.ForeignKey("grants.CallPage", on_delete=models.CASCADE, related_name="+")
    year = models.PositiveSmallIntegerField()
    last = models.PositiveIntegerField(default=0)

    class Meta:
        constraints = [
            models.UniqueConstraint(fields=["call", "year"], name="one_counter_per_call_year")
        ]

    def __str__(self):
        return f"{self.call_id}/{self.year}: {self.last}"


class AuditEntry(AppendOnly):
    """One fired transition. Append-only: never updated, never deleted."""

    proposal = models.ForeignKey(Proposal, on_delete=models.PROTECT, related_name="audit_entries")
    transition = models.CharField(_("action"), max_length=32)
    source = models.CharField(_("from"), max_length=16, choices=ProposalState.choices)
    target = models.CharField(_("to"), max_length=16, choices=ProposalState.choices)
    actor = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="+",
        verbose_name=_("by"),
    )
    at = models.DateTimeField(_("at"), default=timezone.now, db_index=True)
    comment = models.TextField(_("comment"), blank=True)
    ip = models.GenericIPAddressField(_("IP address"), null=True, blank=True)
    data = models.JSONField(default=dict, blank=True)

    class Meta:
        ordering = ["at", "pk"]
        verbose_name = _("audit entry")
        verbose_name_plural = _("audit entries")
        indexes = [models.Index(fields=["proposal", "at"])]

    def __str__(self):
        return f"{self.transition}: {self.source} → {self.target}"


class TransitionNotice(AppendOnly):
    """The e-mails of one audit entry were sent (grants.tasks.notify_transition): written in the
    transaction that sends them, so a second run of the task (a worker killed mid-task, its task
    requeued) sends nothing when the first committed, and everything when it did not."""

    entry = models.OneToOneField(AuditEntry, on_delete=models.PROTECT, related_name="notice")
    sent_at = models.DateTimeField(default=timezone.now)

    def __str__(self):
        return f"{self.entry_id} sent {self.sent_at:%Y-%m-%d %H:%M}"
