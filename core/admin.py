from django.contrib import admin

from core.models import RoleChange


class ReadOnlyAdmin(admin.ModelAdmin):
    """For looking, not for changing: records move only through the apps' workflows, and trails
    are append-only."""

    def has_add_permission(self, request):
        return False

    def has_change_permission(self, request, obj=None):
        return False

    def has_delete_permission(self, request, obj=None):
        return False


@admin.register(RoleChange)
class RoleChangeAdmin(ReadOnlyAdmin):
    """Read-only: the record of role grants is append-only."""

    list_display = ["changed_at", "user", "action", "role", "changed_by"]
    list_filter = ["role", "action"]
    search_fields = ["user__email", "changed_by__email"]
