"""Execution of a funded task (Circular 04/2015, Circular 05/2014): its contract and tranche
schedule, its deliverables, progress reports and change requests, and the project's trail.

Records move only through the project's step modules (`projects.contracts`, `projects.reports`, …,
whose shared shape is `projects.workflow`); the proposal's own state (funded → in_progress …)
moves through `grants.workflow`, which they call.
"""

from django.conf import settings
from django.core.files.storage import storages
from django.db import models
from django.db.models import F, Q
from django.utils import timezone
from django.utils.translation import gettext_lazy as _
from django_fsm import ConcurrentTransitionMixin, FSMField, transition

from core.models import AppendOnly, CheckedFile
from grants.models import ReviewAssignment


def private_storage():
    return storages["private"]


class Contract(models.Model):
    """The task contract (hợp đồng thực hiện nhiệm vụ KH&CN) between the Department (party A)
    and the host organisation with its principal investigator (party B)."""

    proposal = models.OneToOneField(
        "grants.Proposal", on_delete=models.CASCADE, related_name="contract"
    )
    number = models.CharField(_("contract number"), max_length=40, blank=True)
    signed_on = models.DateField(_("signing date"), null=True, blank=True)
    starts_on = models.DateField(_("start date"), null=True, blank=True)
    ends_on = models.DateField(_("end date"), null=True, blank=True)
    # The end date as first signed, before any approved extension.
    original_ends_on = models.DateField(_("original end date"), null=True, blank=True)
    department_signatory = models.CharField(_("Department's signatory"), max_length=150, blank=True)
    department_signatory_title = models.CharField(
        _("signatory's position"), max_length=150, blank=True
    )
    host_representative = models.CharField(
        _("host's legal representative"), max_length=150, blank=True
    )
    host_representative_title = models.CharField(
        _("representative's position"), max_length=150, blank=True
    )
    principal_investigator = models.CharField(
        _("principal investigator"), max_length=150, blank=True
    )
    report_every_months = models.PositiveSmallIntegerField(
        _("progress report every (months)"), default=6
    )
    # The money: the approved amount at signing and the running total of released tranches.
    # The database refuses a release beyond the approved amount (constraint below).
    approved_amount = models.PositiveBigIntegerField(_("approved amount (VND)"), default=0)
    released_amount = models.PositiveBigIntegerField(_("released (VND)"), default=0)
    prepared_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="+",
        verbose_name=_("prepared by"),
    )
    prepared_at = models.DateTimeField(_("prepared at"), null=True, blank=True)
    signed_at = models.DateTimeField(_("signed at"), null=True, blank=True)
    signed_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="+",
        verbose_name=_("recorded by"),
    )

    class Meta:
        verbose_name = _("contract")
        verbose_name_plural = _("contracts")
        constraints = [
            models.CheckConstraint(
                condition=Q(released_amount__lte=F("approved_amount")),
                name="contract_released_within_approved",
            ),
            models.UniqueConstraint(
                fields=["number"], condition=~Q(number=""), name="contract_number_unique"
            ),
        ]

    def __str__(self):
        return self.number

    @property
    def remaining_amount(self):
        return self.approved_amount - self.released_amount

    @property
    def is_signed(self):
        return self.signed_at is not None


class Tranche(models.Model):
    """One instalment of the contract's schedule (đợt cấp kinh phí)."""

    class Condition(models.TextChoices):
        ON_SIGNING = "on_signing", _("On signing")
        REPORT_ACCEPTED = "report_accepted", _("After progress report N is accepted")
        ACCEPTANCE_PASSED = "acceptance_passed", _("After final acceptance")

    contract = models.ForeignKey(Contract, on_delete=models.CASCADE, related_name="tranches")
    position = models.PositiveSmallIntegerField(_("tranche"))
    due_on = models.DateField(_("due date"))
    amount = models.PositiveBigIntegerField(_("amount (VND)"))
    condition = models.CharField(
        _("condition"), max_length=20, choices=Condition.choices, default=Condition.ON_SIGNING
    )
    # For REPORT_ACCEPTED: which progress report (1, 2 …) must be accepted first.
    report_number = models.PositiveSmallIntegerField(_("report number"), null=True, blank=True)
    released_at = models.DateTimeField(_("released at"), null=True, blank=True)
    released_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="+",
        verbose_name=_("released by"),
    )
    payment_order_number = models.CharField(_("payment order number"), max_length=40, blank=True)
    payment_order_date = models.DateField(_("payment order date"), null=True, blank=True)

    class Meta:
        ordering = ["contract", "position"]
        verbose_name = _("tranche")
        verbose_name_plural = _("tranches")
        constraints = [
            models.UniqueConstraint(fields=["contract", "position"], name="one_tranche_position"),
            models.CheckConstraint(condition=Q(amount__gt=0), name="tranche_amount_positive"),
            models.CheckConstraint(
                condition=~Q(condition="report_accepted") | Q(report_number__isnull=False),
                name="tranche_report_named",
            ),
        ]
        indexes = [
            # The officers' dashboard: the tranches not yet paid, soonest due first.
            models.Index(
                fields=["due_on", "contract"],
                condition=Q(released_at__isnull=True),
                name="tranche_unreleased_due",
            ),
        ]

    def __str__(self):
        return f"{self.contract} #{self.position}"

    @property
    def is_released(self):
        return self.released_at is not None


class Deliverable(models.Model):
    """A product promised in the dossier (sản phẩm), with the indicators it will be judged by."""

    contract = models.ForeignKey(Contract, on_delete=models.CASCADE, related_name="deliverables")
    position = models.PositiveSmallIntegerField(default=0)
    name = models.CharField(_("product"), max_length=300)
    quantity_indicator = models.CharField(_("quantity indicator"), max_length=300, blank=True)
    quality_indicator = models.CharField(_("quality indicator"), max_length=500, blank=True)

    class Meta:
        ordering = ["contract", "position", "pk"]
        verbose_name = _("deliverable")
        verbose_name_plural = _("deliverables")

    def __str__(self):
        return self.name


class ReportState(models.TextChoices):
    DRAFT = "draft", _("Draft")
    SUBMITTED = "submitted", _("Submitted")
    ACCEPTED = "accepted", _("Accepted")
    RETURNED = "returned", _("Returned")


class ProgressReport(ConcurrentTransitionMixin, models.Model):
    """A periodic progress report (báo cáo định kỳ) due by the contract's schedule."""

    contract = models.ForeignKey(Contract, on_delete=models.CASCADE, related_name="reports")
    number = models.PositiveSmallIntegerField(_("report number"))
    due_on = models.DateField(_("due date"))
    period_start = models.DateField(_("period from"))
    period_end = models.DateField(_("period to"))
    state = FSMField(
        _("state"), max_length=12, choices=ReportState.choices, default=ReportState.DRAFT
    )
    # {"<deliverable pk>": {"work": "…", "reached": "…"}}
    work = models.JSONField(_("work done per deliverable"), default=dict, blank=True)
    # {"<budget category>": amount spent in the period, whole VND}
    spending = models.JSONField(_("spending per category"), default=dict, blank=True)
    problems = models.TextField(_("problems and proposals"), blank=True, max_length=10000)
    submitted_at = models.DateTimeField(_("submitted at"), null=True, blank=True)
    decided_at = models.DateTimeField(_("decided at"), null=True, blank=True)
    decided_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="+",
    )
    return_reason = models.TextField(_("reason for returning"), blank=True)
    # The day the overdue reminder last went out (one e-mail a day at most).
    overdue_notified_on = models.DateField(null=True, blank=True)
    updated_at = models.DateTimeField(auto_now=True)

    class Meta:
        ordering = ["contract", "number"]
        verbose_name = _("progress report")
        verbose_name_plural = _("progress reports")
        constraints = [
            models.UniqueConstraint(fields=["contract", "number"], name="one_report_number")
        ]
        indexes = [
            # The officers' dashboard: the reports still to be sent, soonest due first.
            models.Index(
                fields=["due_on", "contract"],
                condition=Q(state__in=["draft", "returned"]),
                name="report_open_due",
            ),
        ]

    def __str__(self):
        return f"{self.contract} — {self.number}"

    def is_overdue(self, today=None):
        today = today or timezone.localdate()
        return self.state in (ReportState.DRAFT, ReportState.RETURNED) and self.due_on < today

    # The table of the report's machine; who and the guards live in projects.reports.
    @transition(
        state, source=[ReportState.DRAFT, ReportState.RETURNED], target=ReportState.SUBMITTED
    )
    def submit(self):
        pass

    @transition(state, source=ReportState.SUBMITTED, target=ReportState.ACCEPTED)
    def accept(self):
        pass

    @transition(state, source=ReportState.SUBMITTED, target=ReportState.RETURNED)
    def return_report(self):
        pass


def attachment_path(instance, filename):
    """Where a project's file is kept: `<folder>/<owner id>/<random><extension>`, the folder and
    the owner named by the model (`UPLOAD_FOLDER`, `UPLOAD_OWNER`); never the uploader's name."""
    import secrets

    owner = getattr(instance, instance.UPLOAD_OWNER)
    return f"{instance.UPLOAD_FOLDER}/{owner}/{secrets.token_hex(8)}{instance.extension}"


# The names migrations 0002-0004 import; the one function above serves them all.
report_file_path = acceptance_file_path = inspection_file_path = attachment_path


class ProjectAttachment(CheckedFile):
    """A file attached to a project's document (a progress report, the acceptance dossier, an
    inspection), checked by its content and kept in the private storage."""

    label = models.CharField(_("description"), max_length=200)
    file = models.FileField(storage=private_storage, upload_to=attachment_path, max_length=200)
    sha256 = models.CharField(max_length=64)
    uploaded_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="+"
    )

    class Meta:
        abstract = True


class ReportAttachment(ProjectAttachment):
    UPLOAD_FOLDER, UPLOAD_OWNER = "reports", "report_id"

    report = models.ForeignKey(ProgressReport, on_delete=models.CASCADE, related_name="attachments")


class ChangeState(models.TextChoices):
    REQUESTED = "requested", _("Requested")
    APPROVED = "approved", _("Approved")
    REFUSED = "refused", _("Refused")


class ChangeRequest(ConcurrentTransitionMixin, models.Model):
    """A change the investigator asks for (Circular 04/2015): an extension, a budget
    reallocation between categories, or a new principal investigator; a manager decides."""

    class Kind(models.TextChoices):
        EXTENSION = "extension", _("Extension of the end date")
        REALLOCATION = "reallocation", _("Budget reallocation between categories")
        INVESTIGATOR = "investigator", _("Change of principal investigator")

    contract = models.ForeignKey(Contract, on_delete=models.CASCADE, related_name="changes")
    kind = models.CharField(_("kind of change"), max_length=14, choices=Kind.choices)
    state = FSMField(
        _("state"), max_length=10, choices=ChangeState.choices, default=ChangeState.REQUESTED
    )
    reason = models.TextField(_("reason"), max_length=5000)
    new_ends_on = models.DateField(_("new end date"), null=True, blank=True)
    # {"<budget category>": signed change in whole VND}; the changes add up to zero.
    reallocation = models.JSONField(_("reallocation"), default=dict, blank=True)
    new_investigator = models.CharField(_("new principal investigator"), max_length=150, blank=True)
    requested_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="+"
    )
    requested_at = models.DateTimeField(_("requested at"), default=timezone.now)
    decided_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="+",
    )
    decided_at = models.DateTimeField(_("decided at"), null=True, blank=True)
    decision_reason = models.TextField(_("reason for the decision"), blank=True)

    class Meta:
        ordering = ["contract", "-requested_at", "-pk"]
        verbose_name = _("change request")
        verbose_name_plural = _("change requests")

    def __str__(self):
        return f"{self.contract} — {self.get_kind_display()}"

    @transition(state, source=ChangeState.REQUESTED, target=ChangeState.APPROVED)
    def approve(self):
        pass

    @transition(state, source=ChangeState.REQUESTED, target=ChangeState.REFUSED)
    def refuse(self):
        pass


class ProjectEntry(AppendOnly):
    """The project's trail for the inspector: every step on a contract, tranche, report or
    change, shown in the proposal's timeline beside its own transitions."""

    proposal = models.ForeignKey(
        "grants.Proposal", on_delete=models.PROTECT, related_name="project_entries"
    )
    action = models.CharField(_("action"), max_length=40)
    record = models.CharField(_("record"), max_length=40, blank=True)  # "report 2", "tranche 1"
    source = models.CharField(_("from"), max_length=16, blank=True)
    target = models.CharField(_("to"), max_length=16, blank=True)
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
        verbose_name = _("project trail entry")
        verbose_name_plural = _("project trail entries")

    def __str__(self):
        return f"{self.at:%Y-%m-%d %H:%M} {self.action} {self.record}"


# -- final acceptance (nghiệm thu, Circular 11/2014/TT-BKHCN) -----------------------------------


class Grade(models.TextChoices):
    """A member's grade of a product, of the report and of the whole task (Circular 11/2014)."""

    EXCELLENT = "excellent", _("Excellent")
    PASS = "pass", _("Pass")
    FAIL = "fail", _("Fail")


class AcceptanceState(models.TextChoices):
    DRAFT = "draft", _("Draft")
    SUBMITTED = "submitted", _("Submitted")
    RETURNED = "returned", _("Returned")
    GRADING = "grading", _("Council grading")
    DECIDED = "decided", _("Verdict recorded")


class Acceptance(ConcurrentTransitionMixin, models.Model):
    """The final acceptance of one contract: the investigator's dossier (final report, each
    deliverable against its indicators, self-evaluation, attachments), the council that grades
    it and the verdict it reaches. Moves only through the projects workflow."""

    contract = models.OneToOneField(Contract, on_delete=models.CASCADE, related_name="acceptance")
    state = FSMField(
        _("state"), max_length=12, choices=AcceptanceState.choices, default=AcceptanceState.DRAFT
    )
    final_report = models.TextField(_("final report"), blank=True, max_length=50000)
    # {"<deliverable pk>": {"quantity": "…reached", "quality": "…reached", "note": "…"}}
    results = models.JSONField(_("results per deliverable"), default=dict, blank=True)
    self_evaluation = models.CharField(
        _("self-evaluation"), max_length=10, choices=Grade.choices, blank=True
    )
    self_evaluation_note = models.TextField(_("self-evaluation"), blank=True, max_length=10000)
    submitted_at = models.DateTimeField(_("submitted at"), null=True, blank=True)
    return_reason = models.TextField(_("reason for returning"), blank=True)
    # The council (hội đồng nghiệm thu): its size, chosen by the officer within the Circular's
    # range; seats are AcceptanceSeat rows.
    council_size = models.PositiveSmallIntegerField(_("council seats"), default=9)
    grading_started_at = models.DateTimeField(_("grading started at"), null=True, blank=True)
    decided_at = models.DateTimeField(_("verdict recorded at"), null=True, blank=True)
    verdict = models.CharField(_("verdict"), max_length=10, choices=Grade.choices, blank=True)
    verdict_reason = models.TextField(_("reason for the verdict"), blank=True)
    # A failed task refunds its budget (Circular 11/2014): what the manager recorded on terminating.
    refund_amount = models.PositiveBigIntegerField(_("refund (VND)"), null=True, blank=True)
    refund_note = models.TextField(_("refund obligation"), blank=True)
    updated_at = models.DateTimeField(auto_now=True)

    class Meta:
        verbose_name = _("final acceptance")
        verbose_name_plural = _("final acceptances")

    def __str__(self):
        return f"{self.contract} — {self._meta.verbose_name}"

    # The table of the acceptance's machine; who and the guards live in the projects workflow.
    @transition(
        state,
        source=[AcceptanceState.DRAFT, AcceptanceState.RETURNED],
        target=AcceptanceState.SUBMITTED,
    )
    def submit(self):
        pass

    @transition(state, source=AcceptanceState.SUBMITTED, target=AcceptanceState.RETURNED)
    def return_dossier(self):
        pass

    @transition(state, source=AcceptanceState.SUBMITTED, target=AcceptanceState.GRADING)
    def start_grading(self):
        pass

    @transition(state, source=AcceptanceState.GRADING, target=AcceptanceState.DECIDED)
    def decide(self):
        pass


class AcceptanceAttachment(ProjectAttachment):
    UPLOAD_FOLDER, UPLOAD_OWNER = "acceptance", "acceptance_id"

    acceptance = models.ForeignKey(Acceptance, on_delete=models.CASCADE, related_name="attachments")


class AcceptanceSeat(models.Model):
    """A seat on the acceptance council (hội đồng nghiệm thu) with the member's written review
    and grade of the report; host staff may sit, never as chair, vice-chair, critic or
    secretary (Circular 11/2014)."""

    # The same seats and answers as the selection council's.
    Seat = ReviewAssignment.Seat
    Status = ReviewAssignment.Status

    acceptance = models.ForeignKey(Acceptance, on_delete=models.CASCADE, related_name="seats")
    member = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="acceptance_seats"
    )
    seat = models.CharField(_("seat"), max_length=12, choices=Seat.choices, default="member")
    status = models.CharField(_("status"), max_length=10, choices=Status.choices, default="invited")
    host_staff = models.BooleanField(_("staff of the host organisation"), default=False)
    conflict = models.BooleanField(_("conflict of interest"), default=False)
    declared_at = models.DateTimeField(null=True, blank=True)
    decline_reason = models.TextField(blank=True)
    due_at = models.DateTimeField(_("deadline"), null=True, blank=True)
    invited_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="+",
        verbose_name=_("invited by"),
    )
    report_grade = models.CharField(
        _("grade of the report"), max_length=10, choices=Grade.choices, blank=True
    )
    review = models.TextField(_("written review"), blank=True, max_length=20000)
    # The member's grade of the task, fixed from their grades when they submit.
    overall = models.CharField(
        _("member's grade"), max_length=10, choices=Grade.choices, blank=True
    )
    submitted_at = models.DateTimeField(_("submitted at"), null=True, blank=True)

    class Meta:
        ordering = ["acceptance", "pk"]
        verbose_name = _("acceptance council seat")
        verbose_name_plural = _("acceptance council seats")
        constraints = [
            models.UniqueConstraint(
                fields=["acceptance", "member"], name="one_acceptance_seat_per_member"
            ),
            models.CheckConstraint(
                condition=Q(host_staff=False) | Q(seat="member"),
                name="host_staff_only_plain_member",
            ),
        ]

    def __str__(self):
        return f"{self.member} ({self.get_seat_display()})"


class AcceptanceGrade(models.Model):
    """One member's grade of one deliverable on one aspect: its quantity (số lượng, chủng loại)
    or its quality (chất lượng) against the indicators promised."""

    class Aspect(models.TextChoices):
        QUANTITY = "quantity", _("Quantity")
        QUALITY = "quality", _("Quality")

    seat = models.ForeignKey(AcceptanceSeat, on_delete=models.CASCADE, related_name="grades")
    deliverable = models.ForeignKey(Deliverable, on_delete=models.CASCADE, related_name="grades")
    aspect = models.CharField(_("aspect"), max_length=10, choices=Aspect.choices)
    grade = models.CharField(_("grade"), max_length=10, choices=Grade.choices)

    class Meta:
        ordering = ["seat", "deliverable__position", "aspect"]
        verbose_name = _("acceptance grade")
        verbose_name_plural = _("acceptance grades")
        constraints = [
            models.UniqueConstraint(
                fields=["seat", "deliverable", "aspect"], name="one_grade_per_aspect"
            )
        ]

    def __str__(self):
        return f"{self.deliverable} — {self.get_aspect_display()}: {self.get_grade_display()}"


class ResultRegistration(models.Model):
    """The registration of the task's results (đăng ký kết quả, Circular 14/2014 as amended by
    Circular 11/2023): the host files the summary and products, the Department records the
    certificate's number and date."""

    contract = models.OneToOneField(Contract, on_delete=models.CASCADE, related_name="registration")
    summary = models.TextField(_("summary of the results"), max_length=20000, blank=True)
    products = models.TextField(_("products"), max_length=20000, blank=True)
    filed_at = models.DateTimeField(_("filed at"), null=True, blank=True)
    filed_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="+",
    )
    number = models.CharField(_("registration number"), max_length=40, blank=True)
    registered_on = models.DateField(_("registration date"), null=True, blank=True)
    registered_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="+",
    )

    class Meta:
        verbose_name = _("result registration")
        verbose_name_plural = _("result registrations")
        constraints = [
            models.UniqueConstraint(
                fields=["number"], condition=~Q(number=""), name="registration_number_unique"
            )
        ]

    def __str__(self):
        return self.number or str(self.contract)


# -- annual inspection (kiểm tra định kỳ, Circular 04/2015/TT-BKHCN) -----------------------------


class Inspection(models.Model):
    """The Department's inspection of one contract year (at least once a year, Circular 04/2015):
    scheduled when the contract is signed, due by the last day of that year of the contract (of
    the contract's end for its last, shorter year), moved by an approved extension until it is
    recorded; an officer records it once through `projects.inspection.record_inspection`."""

    class Conclusion(models.TextChoices):
        ON_TRACK = "on_track", _("On track")
        BEHIND = "behind", _("Behind schedule")
        SERIOUS = "serious", _("Serious problems")

    contract = models.ForeignKey(Contract, on_delete=models.CASCADE, related_name="inspections")
    year = models.PositiveSmallIntegerField(_("contract year"))
    period_start = models.DateField(_("year from"))
    period_end = models.DateField(_("year to"))
    due_on = models.DateField(_("due date"))
    inspected_on = models.DateField(_("inspection date"), null=True, blank=True)
    findings = models.TextField(_("findings"), blank=True, max_length=20000)
    conclusion = models.CharField(
        _("conclusion"), max_length=10, choices=Conclusion.choices, blank=True
    )
    recommendations = models.TextField(_("recommendations"), blank=True, max_length=10000)
    recorded_at = models.DateTimeField(_("recorded at"), null=True, blank=True)
    recorded_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="+",
        verbose_name=_("recorded by"),
    )

    class Meta:
        ordering = ["contract", "year"]
        verbose_name = _("inspection")
        verbose_name_plural = _("inspections")
        constraints = [
            models.UniqueConstraint(fields=["contract", "year"], name="one_inspection_per_year"),
        ]
        indexes = [
            # The officers' dashboard: inspections not yet recorded, soonest due first.
            models.Index(
                fields=["due_on"],
                condition=Q(recorded_at__isnull=True),
                name="inspection_open_due",
            ),
        ]

    def __str__(self):
        return f"{self.contract} — {self.year}"

    @property
    def is_recorded(self):
        return self.recorded_at is not None

    def is_overdue(self, today=None):
        today = today or timezone.localdate()
        return not self.is_recorded and self.due_on < today


class InspectionAttachment(ProjectAttachment):
    """The inspection's minutes or photos (optional), checked by their content."""

    UPLOAD_FOLDER, UPLOAD_OWNER = "inspections", "inspection_id"

    inspection = models.OneToOneField(
        Inspection, on_delete=models.CASCADE, related_name="attachment"
    )
