from django.contrib import admin

from core.admin import ReadOnlyAdmin
from researchers.models import Membership, MembershipEntry, Organisation, Profile


@admin.register(Organisation)
class OrganisationAdmin(admin.ModelAdmin):
    list_display = ["name", "short_name", "kind", "tax_code", "province"]
    list_filter = ["kind", "province"]
    search_fields = ["name", "short_name", "tax_code"]


@admin.register(Profile)
class ProfileAdmin(admin.ModelAdmin):
    list_display = ["full_name", "user", "organisation", "orcid"]
    search_fields = ["full_name", "user__email", "orcid", "expertise"]
    # The organisation is the confirmed membership's, set by researchers.workflow only.
    readonly_fields = ["organisation"]
    raw_id_fields = ["user"]


class MembershipEntryInline(admin.TabularInline):
    model = MembershipEntry
    fields = ["at", "action", "source", "target", "actor", "comment", "ip"]
    readonly_fields = fields
    extra = 0

    def has_add_permission(self, request, obj=None):
        return False

    def has_change_permission(self, request, obj=None):
        return False

    def has_delete_permission(self, request, obj=None):
        return False


@admin.register(Membership)
class MembershipAdmin(ReadOnlyAdmin):
    """Read-only: memberships are decided in the officers' queue (researchers.workflow)."""

    list_display = [
        "user",
        "organisation",
        "organisation_name",
        "state",
        "decided_by",
        "decided_at",
    ]
    list_filter = ["state"]
    search_fields = ["user__email", "organisation__name", "organisation_name"]
    inlines = [MembershipEntryInline]
