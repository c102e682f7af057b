"""Execution pages of a funded proposal, under /proposals/<id>/ (DESIGN.md → URLs)."""

from django.urls import path

from projects import report_views

urlpatterns = [
    # -- contract --
    # -- tranches --
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
]
