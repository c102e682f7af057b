from django.urls import path

from grants import decision_views, dossier_views, proposal_views, queue_views, review_views

urlpatterns = [
    path("", queue_views.proposal_list, name="proposal_list"),
    path("export.<str:fmt>", queue_views.proposal_export, name="proposal_export"),
    path("exports/<int:pk>/", queue_views.proposal_export_status, name="proposal_export_status"),
    path(
        "exports/<int:pk>/download/",
        queue_views.proposal_export_download,
        name="proposal_export_download",
    ),
    path("verify/<str:code>/", proposal_views.verify_receipt, name="receipt_verify"),
    path("<int:pk>/", proposal_views.proposal_detail, name="proposal_detail"),
    path("<int:pk>/edit/<slug:section>/", dossier_views.edit_view, name="proposal_edit"),
    path(
        "<int:pk>/attachments/<int:attachment_id>/",
        dossier_views.download_attachment,
        name="proposal_attachment",
    ),
    path(
        "<int:pk>/attachments/<int:attachment_id>/delete/",
        dossier_views.delete_attachment,
        name="proposal_attachment_delete",
    ),
    path(
        "<int:pk>/transitions/<slug:name>/",
        proposal_views.proposal_transition,
        name="proposal_transition",
    ),
    path("<int:pk>/receipt.pdf", proposal_views.receipt, name="proposal_receipt"),
    path("<int:pk>/versions/", proposal_views.compare_versions, name="proposal_versions"),
    path("<int:pk>/council/", review_views.proposal_council, name="proposal_council"),
    path("<int:pk>/appraisal/", decision_views.appraisal_page, name="proposal_appraisal"),
    path("<int:pk>/decision.pdf", decision_views.decision_pdf, name="proposal_decision"),
    path("<int:pk>/minutes.pdf", decision_views.minutes_pdf, name="proposal_minutes"),
    path("calls/<int:call_id>/results/", decision_views.call_results, name="call_results"),
    path(
        "calls/<int:call_id>/minutes.pdf",
        decision_views.session_minutes_pdf,
        name="call_minutes",
    ),
]
