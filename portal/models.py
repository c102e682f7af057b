"""Integration tokens (issue 15): how another system (the province's public-service system,
its LGSP) calls the API as the officer who issued the token, within the token's scopes.

A token is changed only through `portal.tokens` (issue, revoke, use); its history — who issued
and revoked it, and every call made with it — is append-only."""

from django.conf import settings
from django.db import models
from django.utils.translation import gettext_lazy as _
from django.utils.translation import pgettext_lazy

from core.models import ActorEntry, AppendOnly


class TokenScope(models.TextChoices):
    """What a token may be used for; each API view names the one it needs (`token_scope`)."""

    PUBLIC = "public", _("Public data (read only)")
    DOSSIER_STATUS = "dossier_status", _("Dossier status feed")
    WORKFLOW = "workflow", _("Proposals and their workflow steps")


class IntegrationToken(models.Model):
    """A secret shown once, kept only as its SHA-256 digest; `prefix` (the secret's first
    characters) lets people tell their tokens apart."""

    name = models.CharField(pgettext_lazy("token", "name"), max_length=100)
    prefix = models.CharField(_("prefix"), max_length=16, db_index=True)
    digest = models.CharField(max_length=64, unique=True, editable=False)
    scopes = models.JSONField(_("scopes"), default=list)
    issued_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        on_delete=models.PROTECT,
        related_name="integration_tokens",
        verbose_name=_("issued by"),
    )
    created_at = models.DateTimeField(_("issued at"), auto_now_add=True)
    last_used_at = models.DateTimeField(_("last used"), null=True, blank=True)
    revoked_at = models.DateTimeField(_("revoked at"), null=True, blank=True)
    revoked_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="+",
        verbose_name=_("revoked by"),
    )

    class Meta:
        ordering = ["-created_at", "-pk"]
        verbose_name = _("integration token")
        verbose_name_plural = _("integration tokens")

    def __str__(self):
        return f"{self.name} ({self.prefix}…)"

    @property
    def is_active(self):
        return self.revoked_at is None

    def scope_labels(self):
        labels = dict(TokenScope.choices)
        return [labels.get(scope, scope) for scope in self.scopes]


class TokenEntry(ActorEntry):
    """A token issued or revoked: by whom, when, from where."""

    class Action(models.TextChoices):
        ISSUE = "issue", pgettext_lazy("token", "issued")
        REVOKE = "revoke", pgettext_lazy("token", "revoked")

    token = models.ForeignKey(IntegrationToken, on_delete=models.PROTECT, related_name="entries")
    action = models.CharField(_("action"), max_length=8, choices=Action.choices)

    class Meta(ActorEntry.Meta):
        verbose_name = _("token entry")
        verbose_name_plural = _("token entries")

    def __str__(self):
        return f"{self.token} {self.action} {self.at:%Y-%m-%d %H:%M}"


class TokenCall(AppendOnly):
    """One request made with a token, whatever its answer (a refusal too)."""

    token = models.ForeignKey(IntegrationToken, on_delete=models.PROTECT, related_name="calls")
    method = models.CharField(_("method"), max_length=8)
    path = models.CharField(_("path"), max_length=300)
    status = models.PositiveSmallIntegerField(_("status"))
    at = models.DateTimeField(_("at"), auto_now_add=True, db_index=True)
    ip = models.GenericIPAddressField(_("IP address"), null=True, blank=True)

    class Meta:
        ordering = ["-at", "-pk"]
        verbose_name = _("token call")
        verbose_name_plural = _("token calls")
        indexes = [models.Index(fields=["token", "-at"])]

    def __str__(self):
        return f"{self.token} {self.method} {self.path} {self.status}"
