"""Security headers on every page type: the Content-Security-Policy, frame denial, nosniff, the
referrer policy, private caching for signed-in people, and HSTS in production."""

import json
import os
import re
import subprocess
import sys
from pathlib import Path

import pytest

from core.totp import current_code
from grants.models import CallPage, Proposal
from transfer.models import Technology

pytestmark = pytest.mark.django_db

ROOT = Path(__file__).resolve().parents[2]
SECRET = "JBSWY3DPEHPK3PXP"
PORTAL_POLICY = {
    "default-src": ["'self'"],
    "script-src": ["'self'"],
    "style-src": ["'self'"],
    "img-src": ["'self'", "data:"],
    "object-src": ["'none'"],
    "base-uri": ["'self'"],
    "frame-ancestors": ["'none'"],
    "form-action": ["'self'"],
}


def policy(response):
    """The Content-Security-Policy header as {directive: [sources]}."""
    header = response["Content-Security-Policy"]
    directives = {}
    for part in header.split(";"):
        name, *sources = part.split()
        assert name not in directives, f"{name} twice in {header}"
        directives[name] = sources
    return directives


def assert_common_headers(response):
    assert response["X-Content-Type-Options"] == "nosniff"
    assert response["Referrer-Policy"] in {"same-origin", "strict-origin-when-cross-origin"}
    assert response["X-Frame-Options"] == "DENY"


def assert_portal_policy(response):
    assert policy(response) == PORTAL_POLICY
    assert_common_headers(response)


def assert_private(response):
    directives = {d.strip() for d in response.get("Cache-Control", "").split(",")}
    assert {"private", "no-store"} <= directives, (response.request["PATH_INFO"], response.headers)
    assert "public" not in directives


def assert_cacheable(response):
    assert "no-store" not in response.get("Cache-Control", "")
    assert "private" not in response.get("Cache-Control", "")


def staff_client(client, email):
    """Signed in through the real form and its TOTP step, as staff do."""
    client.post("/accounts/login/", {"login": email, "password": "AnGiang@2025"})
    done = client.post("/accounts/2fa/authenticate/", {"code": current_code(SECRET)})
    assert done.status_code == 302
    return client


def published_technology():
    return Technology.objects.filter(state="published").order_by("pk").first()


def test_the_policy_has_no_unsafe_source_anywhere_on_the_portal():
    from django.conf import settings

    directives = settings.CONTENT_SECURITY_POLICY["DIRECTIVES"]
    assert not any("unsafe" in source for sources in directives.values() for source in sources)
    for prefix, loosened in settings.PORTAL_CSP_BY_PATH.items():
        assert prefix in {"/admin/", "/api/docs/", "/en/api/docs/"}, prefix
        assert not any("unsafe-eval" in str(source) for s in loosened.values() for source in s)


@pytest.mark.parametrize(
    "path",
    [
        "/",
        "/calls/",
        "/technologies/",
        "/needs/",
        "/stats/",
        "/search/?q=l%C3%BAa",
        "/en/technologies/",
    ],
)
def test_public_pages_carry_the_policy_and_stay_cacheable(client, path):
    response = client.get(path)
    assert response.status_code == 200
    assert_portal_policy(response)
    assert_cacheable(response)


def test_a_call_page_and_a_technology_page(client):
    call = CallPage.objects.live().filter(locale__language_code="vi").first()
    for path in (call.url, published_technology().get_absolute_url()):
        response = client.get(path)
        assert response.status_code == 200, path
        assert_portal_policy(response)
        assert_cacheable(response)


def test_error_pages_carry_the_policy_too(client):
    response = client.get("/technologies/999999/")
    assert response.status_code == 404
    assert_portal_policy(response)


def test_static_files_are_cacheable_even_for_a_signed_in_person(client_as):
    response = client_as("researcher@example.org").get("/static/css/portal.css")
    assert response.status_code == 200
    assert "no-store" not in response.get("Cache-Control", "")


def test_the_owner_s_proposal_page_receipt_and_dashboard_are_private(client_as):
    proposal = Proposal.objects.filter(
        owner__email="researcher@example.org", receipt_number__isnull=False
    ).first()
    client = client_as("researcher@example.org")
    for path in (
        "/dashboard/",
        f"/proposals/{proposal.pk}/",
        f"/proposals/{proposal.pk}/receipt.pdf",
        "/accounts/profile/",
        "/deals/",
    ):
        response = client.get(path)
        assert response.status_code == 200, path
        assert_private(response)
        assert_portal_policy(response)
    receipt = client.get(f"/proposals/{proposal.pk}/receipt.pdf")
    assert receipt["Content-Type"] == "application/pdf"


def test_even_a_public_page_is_private_for_a_signed_in_person(client_as):
    """Its header shows the person's name: a shared cache must not hand it to the next visitor."""
    response = client_as("business@example.org").get(published_technology().get_absolute_url())
    assert response.status_code == 200
    assert_private(response)


def test_the_api_is_cacheable_anonymous_and_private_signed_in(client, client_as):
    anonymous = client.get("/api/v1/technologies/")
    assert anonymous.status_code == 200
    assert_cacheable(anonymous)
    assert_common_headers(anonymous)
    assert policy(anonymous) == PORTAL_POLICY

    signed_in = client_as("researcher@example.org")
    for path in ("/api/v1/proposals/", "/api/v1/technologies/", "/api/v1/dossier-status/"):
        response = signed_in.get(path)
        assert response.status_code == 200, path
        assert_private(response)
        assert_common_headers(response)


def test_wagtail_admin_has_its_own_looser_policy_only_under_admin(client):
    officer = staff_client(client, "officer@example.org")
    response = officer.get("/admin/")
    assert response.status_code == 200
    directives = policy(response)
    # What Wagtail's admin needs (inline widget scripts and style attributes, its own preview
    # frames), and nothing more: no eval, no other origin, no plugins, no foreign base.
    assert directives["script-src"] == ["'self'", "'unsafe-inline'"]
    assert "'unsafe-eval'" not in response["Content-Security-Policy"]
    assert directives["object-src"] == ["'none'"]
    assert directives["base-uri"] == ["'self'"]
    assert directives["frame-ancestors"] == ["'self'"]
    assert directives["default-src"] == ["'self'"]
    assert "gravatar" not in response.content.decode()
    assert_private(response)
    assert response["X-Content-Type-Options"] == "nosniff"
    # The same signed-in officer back on the portal gets the portal's strict policy.
    dashboard = officer.get("/dashboard/")
    assert_portal_policy(dashboard)
    assert_private(dashboard)


def test_swagger_ui_runs_its_inline_script_by_nonce_only(client):
    response = client.get("/api/docs/")
    assert response.status_code == 200
    directives = policy(response)
    nonces = [s for s in directives["script-src"] if s.startswith("'nonce-")]
    assert directives["script-src"] == ["'self'", nonces[0]] and len(nonces) == 1
    assert directives["object-src"] == ["'none'"]
    assert directives["frame-ancestors"] == ["'none'"]
    nonce = nonces[0][len("'nonce-") : -1]
    html = response.content.decode()
    inline = re.findall(r"<script(?![^>]*\bsrc=)([^>]*)>", html)
    assert inline and all(f'nonce="{nonce}"' in attrs for attrs in inline)
    assert re.findall(r"<style([^>]*)>", html) == []  # its styles are files (api-docs.css)
    # A fresh nonce on each response.
    assert nonce not in client.get("/api/docs/")["Content-Security-Policy"]
    assert_common_headers(response)


def test_a_private_document_download_is_private(client_as):
    """Decision PDFs are for the dossier's owner and staff: never kept by a cache."""
    proposal = Proposal.objects.filter(
        owner__email="researcher@example.org", state="funded"
    ).first()
    response = client_as("researcher@example.org").get(f"/proposals/{proposal.pk}/decision.pdf")
    assert response.status_code == 200
    assert response["Content-Type"] == "application/pdf"
    assert_private(response)
    assert_common_headers(response)


PRODUCTION_PROBE = """
import json
import django
django.setup()
from django.conf import settings
from django.http import HttpResponse
from django.test import RequestFactory
from django.middleware.security import SecurityMiddleware
from core.security import ContentSecurityPolicyMiddleware

chain = SecurityMiddleware(ContentSecurityPolicyMiddleware(lambda request: HttpResponse("ok")))
request = RequestFactory().get("/", secure=True, HTTP_HOST="innovation.angiang.gov.vn")
response = chain(request)
print(json.dumps({
    "hsts": response.get("Strict-Transport-Security"),
    "csp": response.get("Content-Security-Policy"),
    "frame": settings.X_FRAME_OPTIONS,
    "middleware": settings.MIDDLEWARE,
}))
"""


def run_with(settings_module, **env):
    environment = {
        k: v
        for k, v in os.environ.items()
        if k not in {"SECRET_KEY", "ALLOWED_HOSTS", "DJANGO_ALLOW_ASYNC_UNSAFE"}
    }
    environment.update(env, DJANGO_SETTINGS_MODULE=settings_module)
    environment.setdefault("REDIS_URL", "redis://127.0.0.1:7199/0")
    result = subprocess.run(
        [sys.executable, "-c", PRODUCTION_PROBE],
        cwd=ROOT,
        env=environment,
        capture_output=True,
        text=True,
        timeout=120,
    )
    assert result.returncode == 0, result.stderr
    return json.loads(result.stdout.strip().splitlines()[-1])


def test_production_sends_hsts_for_a_year_with_subdomains_and_preload():
    values = run_with(
        "portal.settings.production",
        SECRET_KEY="k3y-" + "x7Qp9vLm2Rt8Zw4Hn6Bj1Cd5Fg0Ks3Ty" * 2,
        ALLOWED_HOSTS="innovation.angiang.gov.vn",
    )
    assert values["hsts"] == "max-age=31536000; includeSubDomains; preload"
    assert "script-src 'self'" in values["csp"] and "frame-ancestors 'none'" in values["csp"]
    assert values["frame"] == "DENY"
    assert "core.security.PrivateCacheMiddleware" in values["middleware"]


def test_make_run_has_the_policy_but_no_hsts():
    values = run_with("portal.settings.dev")
    assert values["hsts"] is None
    assert "object-src 'none'" in values["csp"] and "base-uri 'self'" in values["csp"]
    assert "core.security.ContentSecurityPolicyMiddleware" in values["middleware"]


def test_a_view_s_public_caching_is_overridden_for_a_signed_in_person():
    from types import SimpleNamespace

    from django.http import HttpResponse
    from django.test import RequestFactory
    from django.utils.cache import patch_cache_control

    from core.security import PrivateCacheMiddleware

    def public_view(request):
        response = HttpResponse("figures")
        patch_cache_control(response, public=True, max_age=600)
        return response

    middleware = PrivateCacheMiddleware(public_view)
    request = RequestFactory().get("/stats/")
    request.user = SimpleNamespace(is_authenticated=True)
    directives = {d.strip() for d in middleware(request)["Cache-Control"].split(",")}
    assert directives == {"private", "no-store", "max-age=0"}
    request.user = SimpleNamespace(is_authenticated=False)
    assert middleware(request)["Cache-Control"] == "public, max-age=600"
