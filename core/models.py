from django.conf import settings
from django.core.exceptions import PermissionDenied
from django.db import models
from django.utils import timezone
from django.utils.translation import gettext_lazy as _
from django.utils.translation import pgettext_lazy


class RoleChange(models.Model):
    """Append-only record of who granted or revoked a role, for the inspector."""

    class Action(models.TextChoices):
        GRANT = "grant", _("granted")
        REVOKE = "revoke", _("revoked")

    user = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.CASCADE, related_name="role_changes"
    )
    role = models.CharField(_("role"), max_length=32)
    action = models.CharField(_("action"), max_length=8, choices=Action.choices)
    changed_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        on_delete=models.PROTECT,
        related_name="role_changes_made",
        verbose_name=_("changed by"),
    )
    changed_at = models.DateTimeField(_("changed at"), auto_now_add=True)

    class Meta:
        db_table = "portal_rolechange"  # created by portal's first migration, kept where it is
        ordering = ["-changed_at"]
        verbose_name = _("role change")
        verbose_name_plural = _("role changes")

    def __str__(self):
        return f"{self.changed_at:%Y-%m-%d %H:%M} {self.changed_by} {self.action} {self.role} → {self.user}"


class AppendOnly(models.Model):
    """A record of the past for the inspector: written once, never changed, never deleted."""

    class Meta:
        abstract = True

    def save(self, *args, **kwargs):
        if self.pk is not None:
            raise PermissionDenied(f"{type(self).__name__} records are append-only.")
        super().save(*args, **kwargs)

    def delete(self, *args, **kwargs):
        raise PermissionDenied(f"{type(self).__name__} records are append-only.")


class ActorEntry(AppendOnly):
    """An append-only entry made by a signed-in person: who, when and from which address."""

    by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="+", verbose_name=_("by")
    )
    at = models.DateTimeField(_("at"), auto_now_add=True)
    ip = models.GenericIPAddressField(_("IP address"), null=True, blank=True)

    class Meta:
        abstract = True
        ordering = ["at", "pk"]


class CheckedFile(models.Model):
    """What the portal keeps of an upload checked by its content (`core.files.check`): the
    subclass adds its own private `file` field, whose upload path uses `extension`."""

    original_name = models.CharField(max_length=255)
    content_type = models.CharField(max_length=100)
    extension = models.CharField(max_length=8)
    size = models.PositiveIntegerField()
    uploaded_at = models.DateTimeField(auto_now_add=True)

    class Meta:
        abstract = True

    def take(self, uploaded, checked):
        """Fill the fields from an upload and the result of its check, and store the file
        (the record itself is saved by the caller). `checked` must be what `core.files.check`
        returned for this very upload: a file that was not checked cannot be stored this way."""
        remembered = getattr(uploaded, "portal_checked", None)
        if remembered is None or remembered[1] != checked:
            raise ValueError("CheckedFile.take() stores only an upload that files.check() passed")
        _kind, self.content_type, self.extension, _sha256 = checked
        self.original_name = uploaded.name[:255]
        self.size = uploaded.size
        self.file.save(f"upload{self.extension}", uploaded, save=False)


def _private_storage():
    from django.core.files.storage import storages

    return storages["private"]


def _signed_path(instance, filename):
    return f"signed/{instance.kind}/{instance.sha256[:2]}/{instance.sha256}.pdf"


class SignedDocument(AppendOnly):
    """A document the portal signed (core.signing.signed_document): what /verify/ recognises
    a file by (the SHA-256 of the signed bytes), and the bytes themselves, served again as they
    are on every later download."""

    kind = models.CharField(
        pgettext_lazy("signed document", "kind"), max_length=32
    )  # "decision", "contract", ...
    key = models.CharField(max_length=64)  # the document within its kind (a proposal's id)
    number = models.CharField(pgettext_lazy("signed document", "number"), max_length=64)
    dated = models.DateField(_("date"))
    subject = models.CharField(pgettext_lazy("signed document", "subject"), max_length=300)
    path = models.CharField(_("address on the portal"), max_length=300)
    sha256 = models.CharField(max_length=64, unique=True)
    file = models.FileField(storage=_private_storage, upload_to=_signed_path, max_length=200)
    created_at = models.DateTimeField(auto_now_add=True)

    class Meta:
        constraints = [
            models.UniqueConstraint(fields=["kind", "key"], name="signed_document_once"),
        ]
        verbose_name = _("signed document")
        verbose_name_plural = _("signed documents")

    def __str__(self):
        return f"{self.kind} {self.number} ({self.dated:%d/%m/%Y})"

    def read(self):
        with self.file.open("rb") as stored:
            return stored.read()


def _webhook_secret():
    import secrets

    return secrets.token_urlsafe(32)


class WebhookEndpoint(models.Model):
    """An integrator's address that hears about the portal's events (core.webhooks)."""

    class Event(models.TextChoices):
        DOSSIER_RECEIVED = "dossier.received", _("Dossier received")
        PROPOSAL_STATE_CHANGED = "proposal.state_changed", _("Proposal state changed")
        DECISION_SIGNED = "decision.signed", _("Funding decision signed")
        TECHNOLOGY_PUBLISHED = "technology.published", _("Technology published")
        DEAL_COMPLETED = "deal.completed", _("Transfer deal completed")

    url = models.URLField(_("address (URL)"), max_length=500)
    events = models.JSONField(_("events"), default=list)
    # Kept in clear: it signs every delivery. Shown only to officers, on the endpoint's page.
    secret = models.CharField(max_length=64, default=_webhook_secret, editable=False)
    active = models.BooleanField(_("active"), default=True)
    created_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        on_delete=models.SET_NULL,
        null=True,
        related_name="+",
        verbose_name=_("created by"),
    )
    created_at = models.DateTimeField(_("created at"), auto_now_add=True)

    class Meta:
        ordering = ["-created_at", "-pk"]
        verbose_name = _("webhook endpoint")
        verbose_name_plural = _("webhook endpoints")

    def __str__(self):
        return self.url

    def wants(self, event):
        return self.active and event in self.events

    def event_labels(self):
        labels = dict(self.Event.choices)
        return [labels.get(event, event) for event in self.events]


class WebhookDelivery(models.Model):
    """One event sent (or to be sent) to one endpoint, with what its last attempt got back."""

    class Status(models.TextChoices):
        PENDING = "pending", _("Waiting to be sent")
        DELIVERED = "delivered", _("Delivered")
        FAILED = "failed", pgettext_lazy("webhook delivery", "Failed")

    endpoint = models.ForeignKey(
        WebhookEndpoint, on_delete=models.CASCADE, related_name="deliveries"
    )
    event = models.CharField(_("event"), max_length=40)
    payload = models.JSONField(_("payload"))
    created_at = models.DateTimeField(_("created at"), default=timezone.now)
    status = models.CharField(
        _("status"), max_length=12, choices=Status.choices, default=Status.PENDING
    )
    attempts = models.PositiveSmallIntegerField(_("attempts"), default=0)
    response_status = models.PositiveSmallIntegerField(_("response status code"), null=True)
    response_excerpt = models.CharField(_("response"), max_length=500, blank=True)
    last_attempt_at = models.DateTimeField(_("last attempt"), null=True)
    next_attempt_at = models.DateTimeField(_("next attempt"), null=True, db_index=True)
    delivered_at = models.DateTimeField(_("delivered at"), null=True)

    class Meta:
        ordering = ["-created_at", "-pk"]
        verbose_name = _("webhook delivery")
        verbose_name_plural = _("webhook deliveries")

    def __str__(self):
        return f"{self.event} #{self.pk} → {self.endpoint_id} ({self.status})"


class WebhookEndpointEntry(ActorEntry):
    """An endpoint registered, changed, given a new secret or deleted: by whom, when, from where
    and what it hears afterwards. Kept after the endpoint is deleted (its number and address are
    copied here), for the inspector."""

    class Action(models.TextChoices):
        REGISTER = "register", pgettext_lazy("webhook endpoint", "registered")
        CHANGE = "change", pgettext_lazy("webhook endpoint", "changed")
        ROTATE = "rotate", pgettext_lazy("webhook endpoint", "new secret")
        REMOVE = "remove", pgettext_lazy("webhook endpoint", "deleted")

    endpoint_number = models.PositiveBigIntegerField(_("endpoint"), db_index=True)
    url = models.URLField(_("address (URL)"), max_length=500)
    action = models.CharField(_("action"), max_length=8, choices=Action.choices)
    events = models.JSONField(_("events"), default=list)
    active = models.BooleanField(_("active"))

    class Meta(ActorEntry.Meta):
        verbose_name = _("webhook endpoint entry")
        verbose_name_plural = _("webhook endpoint entries")

    def __str__(self):
        return f"{self.endpoint_number} {self.action} {self.at:%Y-%m-%d %H:%M}"
