"""Execution pages of a funded proposal, under /proposals/<id>/ (DESIGN.md → URLs)."""

from django.urls import path

from projects import change_views, contract_views, tranche_views

urlpatterns = [
    # -- contract --
    path("<int:pk>/contract/", contract_views.contract_page, name="project_contract"),
    path("<int:pk>/contract/sign/", contract_views.sign, name="project_contract_sign"),
    path("<int:pk>/contract.pdf", contract_views.contract_pdf, name="project_contract_pdf"),
    # -- tranches --
    path("<int:pk>/tranches/", tranche_views.tranche_ledger, name="project_tranches"),
    path(
        "<int:pk>/tranches/<int:position>/release/",
        tranche_views.tranche_release,
        name="project_tranche_release",
    ),
    # -- reports --
    # -- changes --
    path("<int:pk>/changes/", change_views.project_changes, name="project_changes"),
    path(
        "<int:pk>/changes/<int:change_id>/decide/",
        change_views.project_change_decide,
        name="project_change_decide",
    ),
]
