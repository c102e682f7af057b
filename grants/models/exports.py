"""A large XLSX export of the officers' queue, built by the task worker (grants.exports)."""

from django.conf import settings
from django.db import models
from django.utils.translation import gettext_lazy as _

from grants.models.proposals import private_storage


def export_path(export, filename):
    return f"exports/{export.requested_by_id}/{export.pk or 'new'}-{filename}"


class QueueExport(models.Model):
    class State(models.TextChoices):
        QUEUED = "queued", _("Waiting for the worker")
        RUNNING = "running", _("Being written")
        DONE = "done", _("Ready")
        FAILED = "failed", _("Failed")

    requested_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.CASCADE, related_name="+"
    )
    # The queue's GET parameters (filters, state, order) when it was asked for.
    query = models.TextField(blank=True, default="")
    language = models.CharField(max_length=8, default="vi")
    state = models.CharField(max_length=8, choices=State.choices, default=State.QUEUED)
    rows_total = models.PositiveIntegerField(default=0)
    rows_done = models.PositiveIntegerField(default=0)
    file = models.FileField(
        storage=private_storage, upload_to=export_path, max_length=200, blank=True
    )
    filename = models.CharField(max_length=100, blank=True)
    created_at = models.DateTimeField(auto_now_add=True)
    finished_at = models.DateTimeField(null=True, blank=True)

    class Meta:
        ordering = ["-created_at", "-pk"]

    def __str__(self):
        return f"{self.filename or 'export'} ({self.state})"

    @property
    def percent(self):
        if self.state == self.State.DONE:
            return 100
        return int(100 * self.rows_done / self.rows_total) if self.rows_total else 0
