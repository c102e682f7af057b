"""Execution pages of a funded proposal, under /proposals/<id>/ (DESIGN.md → URLs)."""

from django.urls import path

from projects import (
    acceptance_views,
    change_views,
    contract_views,
    council_views,
    inspection_views,
    registration_views,
    report_views,
    tranche_views,
)

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
    path("<int:pk>/reports/", report_views.reports_page, name="project_reports"),
    path("<int:pk>/reports/<int:number>/", report_views.report_page, name="project_report"),
    path(
        "<int:pk>/reports/<int:number>/decide/",
        report_views.report_decide,
        name="project_report_decide",
    ),
    path(
        "<int:pk>/reports/<int:number>/files/<int:attachment_id>/",
        report_views.report_attachment,
        name="project_report_attachment",
    ),
    # -- changes --
    path("<int:pk>/changes/", change_views.project_changes, name="project_changes"),
    path(
        "<int:pk>/changes/<int:change_id>/decide/",
        change_views.project_change_decide,
        name="project_change_decide",
    ),
    # -- inspections --
    path("<int:pk>/inspections/", inspection_views.project_inspections, name="project_inspections"),
    path(
        "<int:pk>/inspections/<int:year>/file/",
        inspection_views.inspection_file,
        name="project_inspection_file",
    ),
    # -- acceptance dossier --
    path("<int:pk>/acceptance/", acceptance_views.acceptance_page, name="project_acceptance"),
    path(
        "<int:pk>/acceptance/submit/",
        acceptance_views.acceptance_submit,
        name="project_acceptance_submit",
    ),
    path(
        "<int:pk>/acceptance/files/<int:attachment_id>/",
        acceptance_views.acceptance_attachment,
        name="project_acceptance_attachment",
    ),
    path(
        "<int:pk>/acceptance/return/",
        acceptance_views.acceptance_return,
        name="project_acceptance_return",
    ),
    path(
        "<int:pk>/acceptance/accept/",
        acceptance_views.acceptance_accept,
        name="project_acceptance_accept",
    ),
    path(
        "<int:pk>/acceptance/terminate/",
        acceptance_views.acceptance_terminate,
        name="project_acceptance_terminate",
    ),
    # -- acceptance council --
    path(
        "<int:pk>/acceptance/council/",
        council_views.council_page,
        name="project_acceptance_council",
    ),
    path(
        "<int:pk>/acceptance/council/grade/",
        council_views.grade_page,
        name="project_acceptance_council_grade",
    ),
    path(
        "<int:pk>/acceptance/minutes.pdf",
        council_views.minutes_pdf,
        name="project_acceptance_minutes",
    ),
    # -- result registration --
    path(
        "<int:pk>/registration/",
        registration_views.registration_page,
        name="project_registration",
    ),
    path(
        "<int:pk>/registration/file/",
        registration_views.registration_file,
        name="project_registration_file",
    ),
    path(
        "<int:pk>/registration/record/",
        registration_views.registration_record,
        name="project_registration_record",
    ),
    path(
        "<int:pk>/registration.pdf",
        registration_views.registration_pdf,
        name="project_registration_pdf",
    ),
]
