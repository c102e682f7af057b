"""Django admin for superusers: proposals and their trail, read-only.

States change only through grants.workflow (the screens, the API, `manage.py
proposal_transition`); the admin is for looking, not for moving records."""

from django.contrib import admin

from core.admin import ReadOnlyAdmin
from grants.models import AuditEntry, Proposal


class AuditEntryInline(admin.TabularInline):
    model = AuditEntry
    fields = ["at", "transition", "source", "target", "actor", "comment", "ip"]
    readonly_fields = fields
    extra = 0
    can_delete = False

    def has_add_permission(self, request, obj=None):
        return False


@admin.register(Proposal)
class ProposalAdmin(ReadOnlyAdmin):
    list_display = ["receipt_number", "title", "state", "call", "owner", "updated_at"]
    list_filter = ["state"]
    search_fields = ["receipt_number", "title", "owner__email"]
    list_select_related = ["call", "owner"]
    inlines = [AuditEntryInline]


@admin.register(AuditEntry)
class AuditEntryAdmin(ReadOnlyAdmin):
    list_display = ["at", "proposal", "transition", "source", "target", "actor", "ip"]
    list_filter = ["transition", "target"]
    search_fields = ["proposal__receipt_number", "actor__email"]
    list_select_related = ["proposal", "actor"]
