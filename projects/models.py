"""Execution of a funded task (Circular 04/2015, Circular 05/2014): its contract and tranche
schedule, its deliverables, progress reports and change requests, and the project's trail.

Records move only through `projects.workflow`; the proposal's own state (funded → in_progress …)
moves through `grants.workflow`, which `projects.workflow` calls.
"""

from django.conf import settings
from django.core.files.storage import storages
from django.db import models
from django.db.models import F, Q
from django.utils import timezone
from django.utils.translation import gettext_lazy as _
from django_fsm import ConcurrentTransitionMixin, FSMField, transition

from core.models import AppendOnly, CheckedFile


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

    def __str__(self):
        return f"{self.contract} — {self.number}"

    def is_overdue(self, today=None):
        today = today or timezone.localdate()
        return self.state in (ReportState.DRAFT, ReportState.RETURNED) and self.due_on < today

    # The table of the report's machine; who and the guards live in projects.workflow.
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


def report_file_path(instance, filename):
    import secrets

    return f"reports/{instance.report_id}/{secrets.token_hex(8)}{instance.extension}"


class ReportAttachment(CheckedFile):
    report = models.ForeignKey(ProgressReport, on_delete=models.CASCADE, related_name="attachments")
    label = models.CharField(_("description"), max_length=200)
    file = models.FileField(storage=private_storage, upload_to=report_file_path, max_length=200)
    sha256 = models.CharField(max_length=64)
    uploaded_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="+"
    )


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
