"""What the review, funding and contract transitions check. Their screens come later; the
records the guards read are here so that every transition of the table can be fired and tested.
"""

from django.conf import settings
from django.db import models
from django.utils.translation import gettext_lazy as _


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


class Contract(models.Model):
    """The task contract (hợp đồng thực hiện nhiệm vụ) that `sign_contract` requires."""

    proposal = models.OneToOneField(
        "grants.Proposal", on_delete=models.CASCADE, related_name="contract"
    )
    number = models.CharField(_("contract number"), max_length=40, blank=True)
    signed_on = models.DateField(_("signed on"), null=True, blank=True)
    starts_on = models.DateField(_("starts on"), null=True, blank=True)
    ends_on = models.DateField(_("ends on"), null=True, blank=True)
    # [{"due_on": "2027-03-01", "amount": 600000000}, ...]
    tranches = models.JSONField(_("tranche schedule"), default=list, blank=True)

    def __str__(self):
        return self.number
