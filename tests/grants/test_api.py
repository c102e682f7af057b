"""The JSON API and the management command fire the same workflow as the pages."""

import datetime
import io

import pytest
from django.core.management import CommandError, call_command
from django.test import Client

from grants import workflow
from grants.models import AuditEntry, Proposal

pytestmark = pytest.mark.django_db


def test_anonymous_visitors_get_no_proposals(client):
    assert client.get("/api/v1/proposals/").status_code == 403


def test_researchers_list_only_their_own(client_as, submitted):
    mine = client_as("researcher@example.org").get("/api/v1/proposals/").json()
    assert submitted.receipt_number in [p["receipt_number"] for p in mine["results"]]
    assert {p["applicant"] for p in mine["results"]} == {"Trần Văn Minh"}
    other = client_as("researcher2@example.org").get("/api/v1/proposals/").json()
    assert submitted.receipt_number not in [p["receipt_number"] for p in other["results"]]
    assert (
        client_as("researcher2@example.org").get(f"/api/v1/proposals/{submitted.pk}/").status_code
        == 404
    )


def test_officers_filter_and_see_their_transitions(client_as, submitted):
    client = client_as("officer@example.org")
    found = client.get("/api/v1/proposals/", {"q": submitted.receipt_number}).json()["results"]
    assert [p["id"] for p in found] == [submitted.pk]
    assert found[0]["available_transitions"] == [
        "return_for_revision",
        "mark_eligible",
        "mark_ineligible",
    ]
    states = {
        p["state"] for p in client.get("/api/v1/proposals/", {"state": "funded"}).json()["results"]
    }
    assert states == {"funded"}


def test_transition_through_the_api(client_as, submitted):
    client = client_as("officer@example.org")
    url = f"/api/v1/proposals/{submitted.pk}/transitions/mark_ineligible/"
    refused = client.post(url, {"comment": ""}, content_type="application/json")
    assert refused.status_code == 400 and "comment" in refused.json()["errors"]
    done = client.post(url, {"comment": "Sai mẫu"}, content_type="application/json")
    assert done.status_code == 200 and done.json()["state"] == "ineligible"
    again = client.post(
        f"/api/v1/proposals/{submitted.pk}/transitions/mark_eligible/",
        {},
        content_type="application/json",
    )
    assert again.status_code == 409  # an officer may, but the proposal has moved on
    assert "Không hợp lệ" in again.json()["detail"] or "Ineligible" in again.json()["detail"]
    entry = AuditEntry.objects.get(proposal=submitted, transition="mark_ineligible")
    assert entry.ip == "127.0.0.1" and entry.comment == "Sai mẫu"


def test_forged_api_transitions_are_refused(client_as, submitted):
    for email, name in [
        ("researcher@example.org", "mark_eligible"),
        ("researcher2@example.org", "withdraw"),
        ("manager@example.org", "mark_eligible"),
        ("officer@example.org", "mark_transferred"),
        ("officer@example.org", "fund"),
        ("officer@example.org", "no_such"),
    ]:
        response = client_as(email).post(
            f"/api/v1/proposals/{submitted.pk}/transitions/{name}/",
            {},
            content_type="application/json",
        )
        assert response.status_code in (403, 404), (email, name)
    assert Proposal.objects.get(pk=submitted.pk).state == "submitted"
    assert AuditEntry.objects.filter(proposal=submitted).count() == 1


def test_the_api_checks_csrf_for_signed_in_browsers(user_by_email, submitted):
    client = Client(enforce_csrf_checks=True)
    client.force_login(user_by_email("officer@example.org"))
    response = client.post(
        f"/api/v1/proposals/{submitted.pk}/transitions/mark_eligible/",
        {},
        content_type="application/json",
    )
    assert response.status_code == 403
    assert Proposal.objects.get(pk=submitted.pk).state == "submitted"


def test_a_stale_request_is_a_409_with_the_current_state(client_as, submitted, officer):
    client = client_as("researcher@example.org")
    workflow.mark_eligible(submitted, by=officer)
    url = f"/api/v1/proposals/{submitted.pk}/transitions/withdraw/"
    response = client.post(url, {}, content_type="application/json")
    assert response.status_code == 200  # withdraw is allowed from eligible too
    response = client.post(url, {}, content_type="application/json")
    assert response.status_code == 409
    assert AuditEntry.objects.filter(proposal=submitted, transition="withdraw").count() == 1


def test_dossier_status(client_as, submitted):
    data = (
        client_as("researcher@example.org")
        .get("/api/v1/dossier-status/", {"receipt": submitted.receipt_number.lower()})
        .json()
    )
    assert [d["state"] for d in data["results"]] == ["submitted"]
    assert (
        client_as("researcher2@example.org")
        .get("/api/v1/dossier-status/", {"receipt": submitted.receipt_number})
        .json()["results"]
        == []
    )


def test_schema_and_self_hosted_docs(client):
    schema = client.get("/api/schema/")
    assert schema.status_code == 200
    text = schema.content.decode()
    assert "/api/v1/proposals/{id}/transitions/{name}/" in text and "/admin/api" not in text
    docs = client.get("/api/docs/").content.decode()
    assert "swagger-ui" in docs and "cdn" not in docs.lower()
    assert "/static/drf_spectacular_sidecar/" in docs


def test_management_command_fires_through_the_workflow(submitted):
    out = io.StringIO()
    call_command(
        "proposal_transition", str(submitted.pk), "return_for_revision",
        "--as", "officer@example.org", "--comment", "Bổ sung", "--deadline",
        (datetime.datetime.now() + datetime.timedelta(days=5)).strftime("%Y-%m-%d %H:%M"),
        stdout=out,
    )  # fmt: skip
    assert "Yêu cầu bổ sung" in out.getvalue() or "Returned" in out.getvalue()
    with pytest.raises(CommandError, match="Refused"):
        call_command(
            "proposal_transition", str(submitted.pk), "submit", "--as", "officer@example.org"
        )
    with pytest.raises(CommandError):
        call_command(
            "proposal_transition", str(submitted.pk), "mark_eligible", "--as", "officer@example.org"
        )
    assert [e.transition for e in AuditEntry.objects.filter(proposal=submitted)] == [
        "submit",
        "return_for_revision",
    ]


def test_superusers_read_proposals_in_django_admin_but_cannot_change_them(client_as, submitted):
    client = client_as("admin@example.org")
    listing = client.get("/django-admin/grants/proposal/")
    assert listing.status_code == 200 and submitted.receipt_number in listing.content.decode()
    page = client.get(f"/django-admin/grants/proposal/{submitted.pk}/change/")
    assert page.status_code == 200 and "submit" in page.content.decode()
    response = client.post(f"/django-admin/grants/proposal/{submitted.pk}/delete/", {"post": "yes"})
    assert response.status_code == 403
    assert Proposal.objects.filter(pk=submitted.pk).exists()


def test_officers_find_the_dossier_queue_in_the_wagtail_admin(client_as):
    html = client_as("officer@example.org").get("/admin/").content.decode()
    assert "/proposals/" in html
