"""Execution pages of a funded proposal, under /proposals/<id>/ (DESIGN.md → URLs)."""

from django.urls import path

from projects import contract_views

urlpatterns = [
    # -- contract --
    path("<int:pk>/contract/", contract_views.contract_page, name="project_contract"),
    path("<int:pk>/contract/sign/", contract_views.sign, name="project_contract_sign"),
    path("<int:pk>/contract.pdf", contract_views.contract_pdf, name="project_contract_pdf"),
    # -- tranches --
    # -- reports --
    # -- changes --
]
