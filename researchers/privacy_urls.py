"""/accounts/privacy/…: a person's data rights, and the officers' queue of requests."""

from django.urls import path

from researchers.privacy_views import (
    consent_change,
    export,
    privacy_page,
    request_answer,
    request_open,
    request_queue,
)

urlpatterns = [
    path("", privacy_page, name="privacy"),
    path("export/", export, name="privacy_export"),
    path("consents/", consent_change, name="privacy_consent"),
    path("ask/", request_open, name="privacy_request_open"),
    path("requests/", request_queue, name="privacy_requests"),
    path("requests/<int:pk>/", request_answer, name="privacy_request_answer"),
]
