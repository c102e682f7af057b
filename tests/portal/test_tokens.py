"""Integration tokens (issue 15): issued and revoked by officers through portal.tokens, stored
hashed, acting as their issuer within their scopes, every call audited."""

import hashlib

import pytest
from django.contrib.auth.models import Group
from django.core.exceptions import PermissionDenied
from django.db import connection
from django.test import Client
from django.urls import reverse

from core import roles
from core.transitions import GuardFailed
from grants.models import AuditEntry, ProposalState
from portal import tokens
from portal.models import IntegrationToken, TokenCall, TokenEntry, TokenScope
from tests.grants import conftest as _grants

pytestmark = pytest.mark.django_db

# The grants suite's fixtures: a fresh open call, and a dossier of it submitted by the applicant.
draft, officer, open_call = _grants.draft, _grants.officer, _grants.open_call
researcher, submitted = _grants.researcher, _grants.submitted

ALL = TokenScope.values


def bearer(secret):
    return {"Authorization": f"Bearer {secret}"}


@pytest.fixture
def issued(officer):
    """An officer's token with every scope, and its secret."""
    return tokens.issue(name="Hệ thống dịch vụ công tỉnh", scopes=ALL, by=officer, ip="10.1.2.3")


def test_the_secret_is_shown_once_and_only_its_digest_is_stored(issued):
    token, secret = issued
    assert secret.startswith("agp_") and len(secret) > 40
    assert token.digest == hashlib.sha256(secret.encode()).hexdigest()
    assert token.prefix == secret[:12] and secret != token.prefix
    with connection.cursor() as cursor:
        for table in ("portal_integrationtoken", "portal_tokenentry"):
            cursor.execute(f"SELECT * FROM {table}")  # noqa: S608 - fixed table names
            assert secret not in repr(cursor.fetchall())
    entry = TokenEntry.objects.get(token=token)
    assert (entry.action, entry.by, entry.ip) == ("issue", token.issued_by, "10.1.2.3")


def test_two_tokens_never_share_a_secret(officer):
    first = tokens.issue(name="A", scopes=["public"], by=officer)[1]
    second = tokens.issue(name="B", scopes=["public"], by=officer)[1]
    assert first != second


@pytest.mark.parametrize("email", ["manager@example.org", "researcher@example.org"])
def test_only_officers_issue_tokens(user_by_email, email, client_as):
    with pytest.raises(PermissionDenied):
        tokens.issue(name="X", scopes=["public"], by=user_by_email(email))
    response = client_as(email).post(
        reverse("integration_token_issue"), {"name": "X", "scopes": ["public"]}
    )
    assert response.status_code == 403
    assert not IntegrationToken.objects.exists()


@pytest.mark.parametrize(
    "name, scopes, field",
    [("  ", ["public"], "name"), ("X" * 101, ["public"], "name"), ("X", [], "scopes"),
     ("X", ["public", "admin"], "scopes")],
)  # fmt: skip
def test_issue_refuses_bad_input_by_field(officer, name, scopes, field):
    with pytest.raises(GuardFailed) as refusal:
        tokens.issue(name=name, scopes=scopes, by=officer)
    assert list(refusal.value.errors) == [field]
    assert not IntegrationToken.objects.exists()


def test_the_issue_form_shows_errors_by_field_and_keeps_the_name(client_as):
    client = client_as("officer@example.org")
    response = client.post(reverse("integration_token_issue"), {"name": "Hệ thống LGSP"})
    assert response.status_code == 200
    page = response.content.decode()
    assert "error-summary" in page and 'href="#id_scopes"' in page
    assert 'value="Hệ thống LGSP"' in page
    assert not IntegrationToken.objects.exists()
    response = client.post(reverse("integration_token_issue"), {"scopes": ["nope"]})
    assert "id_name_error" in response.content.decode()
    assert not IntegrationToken.objects.exists()


def test_the_issue_page_shows_the_secret_once(client_as):
    client = client_as("officer@example.org")
    response = client.post(
        reverse("integration_token_issue"), {"name": "LGSP", "scopes": ["dossier_status"]}
    )
    assert response.status_code == 200
    assert "no-store" in response["Cache-Control"]
    token = IntegrationToken.objects.get()
    secret = response.content.decode().split('id="token-secret"')[1].split('value="')[1]
    secret = secret.split('"')[0]
    assert hashlib.sha256(secret.encode()).hexdigest() == token.digest
    assert token.scopes == ["dossier_status"]
    for page in (
        reverse("integration_tokens"),
        reverse("integration_token_detail", args=[token.pk]),
    ):
        shown = client.get(page)
        assert shown.status_code == 200 and token.prefix in shown.content.decode()
        assert secret not in shown.content.decode()


def test_the_pages_answer_in_english_too(client_as, issued):
    response = client_as("officer@example.org").get("/en/integrations/tokens/")
    assert response.status_code == 200
    assert "Integration tokens" in response.content.decode()


def test_revoke_asks_first_then_revokes_once_and_records_it(client_as, issued, officer):
    token, _secret = issued
    client = client_as("officer@example.org")
    url = reverse("integration_token_revoke", args=[token.pk])
    assert client.get(url).status_code == 200
    token.refresh_from_db()
    assert token.is_active  # asking is not revoking
    response = client.post(url)
    assert response.status_code == 302
    token.refresh_from_db()
    assert token.revoked_at is not None and token.revoked_by == officer
    assert list(token.entries.values_list("action", flat=True)) == ["issue", "revoke"]
    with pytest.raises(GuardFailed):
        tokens.revoke(token, by=officer)
    assert token.entries.count() == 2


@pytest.mark.parametrize("email", ["manager@example.org", "business@example.org"])
def test_only_officers_revoke(issued, user_by_email, client_as, email):
    token, _secret = issued
    with pytest.raises(PermissionDenied):
        tokens.revoke(token, by=user_by_email(email))
    assert (
        client_as(email).post(reverse("integration_token_revoke", args=[token.pk])).status_code
        == 403
    )
    token.refresh_from_db()
    assert token.is_active


def test_the_officer_dashboard_links_to_the_tokens(client_as):
    page = client_as("officer@example.org").get(reverse("dashboard")).content.decode()
    assert reverse("integration_tokens") in page


# -- using a token ---------------------------------------------------------------------------


def test_a_public_token_reads_open_data_as_its_issuer_and_is_audited(client, officer):
    _token, secret = tokens.issue(name="Open data", scopes=["public"], by=officer)
    response = client.get("/api/v1/technologies/", headers=bearer(secret), REMOTE_ADDR="10.9.8.7")
    assert response.status_code == 200
    token = IntegrationToken.objects.get()
    assert token.last_used_at is not None
    call = TokenCall.objects.get(token=token)
    assert (call.method, call.path, call.status, call.ip) == (
        "GET", "/api/v1/technologies/", 200, "10.9.8.7",
    )  # fmt: skip


def test_last_used_moves_with_each_call(client, issued):
    token, secret = issued
    client.get("/api/v1/stats/", headers=bearer(secret))
    token.refresh_from_db()
    first = token.last_used_at
    client.get("/api/v1/calls/", headers=bearer(secret))
    token.refresh_from_db()
    assert token.last_used_at > first
    assert token.calls.count() == 2


@pytest.mark.parametrize(
    "scopes, path",
    [
        (["dossier_status", "workflow"], "/api/v1/technologies/"),
        (["public", "workflow"], "/api/v1/dossier-status/"),
        (["public", "dossier_status"], "/api/v1/proposals/"),
    ],
)
def test_a_token_is_refused_outside_its_scopes(client, officer, scopes, path):
    token, secret = tokens.issue(name="Scoped", scopes=scopes, by=officer)
    response = client.get(path, headers=bearer(secret))
    assert response.status_code == 403
    assert response.json()["code"] == "permission_denied"
    assert token.calls.get().status == 403  # refusals are audited too


def test_each_scope_opens_its_own_part(client, officer):
    for scope, path in [("public", "/api/v1/needs/"), ("dossier_status", "/api/v1/dossier-status/"),
                        ("workflow", "/api/v1/proposals/")]:  # fmt: skip
        _token, secret = tokens.issue(name=scope, scopes=[scope], by=officer)
        assert client.get(path, headers=bearer(secret)).status_code == 200, scope


def test_a_revoked_token_gets_401_and_the_call_is_audited(client, issued, officer):
    token, secret = issued
    tokens.revoke(token, by=officer)
    response = client.get("/api/v1/dossier-status/", headers=bearer(secret))
    assert response.status_code == 401
    assert response["WWW-Authenticate"].startswith("Bearer")
    assert response.json()["code"] == "authentication_failed"
    assert token.calls.get().status == 401


@pytest.mark.parametrize("secret", ["agp_not-a-token", ""])
def test_an_unknown_token_gets_401_even_on_public_data(client, secret):
    response = client.get("/api/v1/technologies/", headers=bearer(secret))
    assert response.status_code == 401
    assert not TokenCall.objects.exists()


def test_an_issuer_who_lost_the_officer_role_makes_the_token_useless(client, issued, officer):
    token, secret = issued
    officer.groups.remove(Group.objects.get(name=roles.OFFICER))
    response = client.get("/api/v1/dossier-status/", headers=bearer(secret))
    assert response.status_code == 403
    officer.groups.add(Group.objects.get(name=roles.OFFICER))
    assert client.get("/api/v1/dossier-status/", headers=bearer(secret)).status_code == 200


def test_an_issuer_whose_account_is_closed_gets_401(client, issued, officer):
    _token, secret = issued
    officer.is_active = False
    officer.save(update_fields=["is_active"])
    assert client.get("/api/v1/stats/", headers=bearer(secret)).status_code == 401


def test_a_workflow_token_fires_a_step_as_its_officer_without_csrf(issued, submitted, officer):
    _token, secret = issued
    client = Client(enforce_csrf_checks=True)
    url = f"/api/v1/proposals/{submitted.pk}/transitions/mark_eligible/"
    response = client.post(url, {}, content_type="application/json", headers=bearer(secret))
    assert response.status_code == 200, response.content
    submitted.refresh_from_db()
    assert submitted.state == ProposalState.ELIGIBLE
    entry = AuditEntry.objects.get(proposal=submitted, transition="mark_eligible")
    assert entry.actor == officer


def test_a_token_may_do_no_more_than_its_officer(client, issued, submitted):
    """`fund` is a manager's step: an officer's token is refused as the officer would be."""
    _token, secret = issued
    url = f"/api/v1/proposals/{submitted.pk}/transitions/fund/"
    response = client.post(url, {}, content_type="application/json", headers=bearer(secret))
    assert response.status_code == 403
    submitted.refresh_from_db()
    assert submitted.state == ProposalState.SUBMITTED


def test_a_token_without_the_workflow_scope_fires_nothing(client, officer, submitted):
    _token, secret = tokens.issue(name="Read", scopes=["public", "dossier_status"], by=officer)
    url = f"/api/v1/proposals/{submitted.pk}/transitions/mark_eligible/"
    response = client.post(url, {}, content_type="application/json", headers=bearer(secret))
    assert response.status_code == 403
    submitted.refresh_from_db()
    assert submitted.state == ProposalState.SUBMITTED


def test_a_session_call_is_not_a_token_call(client_as):
    assert client_as("officer@example.org").get("/api/v1/proposals/").status_code == 200
    assert not TokenCall.objects.exists()


def test_token_calls_are_append_only(client, issued):
    _token, secret = issued
    client.get("/api/v1/stats/", headers=bearer(secret))
    call = TokenCall.objects.get()
    with pytest.raises(PermissionDenied):
        call.save()
    with pytest.raises(PermissionDenied):
        call.delete()


def test_a_token_with_every_scope_answers_as_its_officer_does(client_as, issued, submitted):
    """The same per-role rules as the web: for each API read, the officer's token gets what the
    officer's session gets (status and rows)."""
    _token, secret = issued
    paths = ["/api/v1/proposals/", f"/api/v1/proposals/{submitted.pk}/", "/api/v1/dossier-status/",
             "/api/v1/calls/", "/api/v1/funded-projects/", "/api/v1/technologies/",
             "/api/v1/needs/", "/api/v1/stats/", f"/api/v1/proposals/{10**9}/"]  # fmt: skip
    session = client_as("officer@example.org")
    by_session = [(p, session.get(p).status_code) for p in paths]
    session.logout()
    by_token = [(p, session.get(p, headers=bearer(secret)).status_code) for p in paths]
    assert by_token == by_session
    assert [status for _path, status in by_token] == [200] * 8 + [404]
