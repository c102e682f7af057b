from django.contrib import admin

from researchers.models import Organisation, Profile


@admin.register(Organisation)
class OrganisationAdmin(admin.ModelAdmin):
    list_display = ["name", "short_name", "kind", "tax_code", "province"]
    list_filter = ["kind", "province"]
    search_fields = ["name", "short_name", "tax_code"]


@admin.register(Profile)
class ProfileAdmin(admin.ModelAdmin):
    list_display = ["full_name", "user", "organisation", "orcid"]
    search_fields = ["full_name", "user__email", "orcid", "expertise"]
    autocomplete_fields = ["organisation"]
    raw_id_fields = ["user"]
