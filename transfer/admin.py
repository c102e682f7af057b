"""Django admin for superusers: the catalogue, needs and deals with their trails, read-only.

States change only through transfer.workflow (the screens); the admin is for looking."""

from django.contrib import admin

from core.admin import ReadOnlyAdmin
from transfer.models import CatalogueEntry, DealEntry, Technology, TechnologyNeed, TransferDeal


class ReadOnlyInline(admin.TabularInline):
    extra = 0
    can_delete = False

    def has_add_permission(self, request, obj=None):
        return False

    def has_change_permission(self, request, obj=None):
        return False


class CatalogueEntryInline(ReadOnlyInline):
    model = CatalogueEntry
    fields = ["at", "action", "source", "target", "actor", "comment"]
    readonly_fields = fields


class DealEntryInline(ReadOnlyInline):
    model = DealEntry
    fields = ["at", "action", "source", "target", "actor", "comment", "ip"]
    readonly_fields = fields


@admin.register(Technology)
class TechnologyAdmin(ReadOnlyAdmin):
    list_display = ["title", "state", "sector", "trl", "organisation", "published_at"]
    list_filter = ["state", "sector", "ip_status"]
    search_fields = ["title", "title_en", "organisation__name", "owner__email"]
    list_select_related = ["sector", "organisation"]
    exclude = ["search_text"]
    inlines = [CatalogueEntryInline]


@admin.register(TechnologyNeed)
class TechnologyNeedAdmin(ReadOnlyAdmin):
    list_display = ["title", "state", "sector", "business", "created_at"]
    list_filter = ["state", "sector"]
    search_fields = ["title", "business__email"]
    list_select_related = ["sector", "business"]
    exclude = ["search_text"]
    inlines = [CatalogueEntryInline]


@admin.register(TransferDeal)
class TransferDealAdmin(ReadOnlyAdmin):
    list_display = ["technology", "business", "state", "value", "signed_on", "updated_at"]
    list_filter = ["state", "mode"]
    search_fields = ["technology__title", "business__email"]
    list_select_related = ["technology", "business"]
    exclude = ["agreement"]  # served only through the deal's permission-checked view
    inlines = [DealEntryInline]
