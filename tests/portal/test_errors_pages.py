"""The portal's error pages (portal/errors.py, templates/4xx.html, 500.html), asked through real
URLs in both languages: the right status, the portal's layout, what happened, where to go; JSON
under /api/."""

import pytest
from django.test import Client, override_settings

from grants.models import Proposal

pytestmark = pytest.mark.django_db

LAYOUT = 'class="site-header"'  # the portal's header: the page is in its layout


def html(response):
    return response.content.decode()


def a_missing_proposal_id():
    return (Proposal.objects.order_by("-pk").values_list("pk", flat=True).first() or 0) + 1000


# -- 404 ----------------------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("prefix", "heading", "home"),
    [("", "Không tìm thấy trang", "Trang chủ của Cổng"), ("/en", "Page not found", "home page")],
)
def test_a_missing_proposal_is_the_portal_s_404_in_the_reader_s_language(
    client_as, prefix, heading, home
):
    response = client_as("researcher@example.org").get(
        f"{prefix}/proposals/{a_missing_proposal_id()}/"
    )
    assert response.status_code == 404
    page = html(response)
    assert LAYOUT in page and heading in page and home in page
    assert 'href="/dashboard/"' in page or 'href="/en/dashboard/"' in page  # signed in: dashboard
    lang = "en" if prefix else "vi"
    assert f'<html lang="{lang}">' in page


def test_a_visitor_s_404_offers_sign_in_back_to_the_same_address(client):
    response = client.get("/khong-co-trang-nay/")
    assert response.status_code == 404
    page = html(response)
    assert "Đăng nhập" in page and "next=/khong-co-trang-nay/" in page


def test_the_way_back_is_offered_for_a_page_of_this_site_only(client):
    inside = client.get("/khong-co/", HTTP_REFERER="http://testserver/technologies/")
    outside = client.get("/khong-co/", HTTP_REFERER="https://evil.example/phish")
    assert 'href="http://testserver/technologies/"' in html(inside)
    assert "evil.example" not in html(outside)
    assert "Quay lại trang bạn vừa xem" in html(inside)
    assert "Quay lại trang bạn vừa xem" not in html(outside)


def test_django_s_own_404_text_is_not_shown(client_as):
    response = client_as("researcher@example.org").get(f"/proposals/{a_missing_proposal_id()}/")
    assert "No Proposal matches" not in html(response)


# -- 403 ----------------------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("prefix", "heading"),
    [("", "Bạn không thể mở trang này"), ("/en", "You cannot open this page")],
)
def test_a_manager_on_an_appraisal_page_gets_the_translated_403(client_as, prefix, heading):
    """The appraisal is the officers' work (grants.decision_views.appraisal_page): a manager is
    refused with the portal's page, not a bare "403 Forbidden"."""
    proposal = Proposal.objects.order_by("pk").first()
    response = client_as("manager@example.org").get(f"{prefix}/proposals/{proposal.pk}/appraisal/")
    assert response.status_code == 403
    page = html(response)
    assert LAYOUT in page and heading in page
    assert "403 Forbidden" not in page
    assert f"{prefix}/dashboard/" in page


def test_a_refusal_written_for_people_is_shown_on_the_403(client_as):
    """A workflow's translated refusal (`PermissionDenied(_("…"))`) says why; a bare one does not
    invent a reason."""
    from django.core.exceptions import PermissionDenied
    from django.test import RequestFactory
    from django.utils.translation import gettext_lazy

    from portal.errors import permission_denied

    request = RequestFactory().get("/proposals/1/")
    from django.contrib.auth.models import AnonymousUser

    request.user = AnonymousUser()
    told = permission_denied(
        request, PermissionDenied(gettext_lazy("Only an officer can do this."))
    )
    bare = permission_denied(request, PermissionDenied("Consent records are never rewritten."))
    assert told.status_code == bare.status_code == 403
    assert "Only an officer can do this." in html(told)
    assert "Consent records" not in html(bare)


def test_a_stale_form_is_the_403_page_that_explains_it(client_as, user_by_email):
    csrf_client = Client(enforce_csrf_checks=True)
    csrf_client.force_login(user_by_email("researcher@example.org"))
    response = csrf_client.post("/accounts/profile/", {"display_name": "x"})
    assert response.status_code == 403
    page = html(response)
    assert LAYOUT in page and "Biểu mẫu đã hết hạn" in page
    assert "CSRF verification failed" not in page


# -- 400 ----------------------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("prefix", "heading"),
    [("", "Không đọc được yêu cầu"), ("/en", "The request could not be understood")],
)
def test_a_request_the_portal_cannot_read_is_its_400(client, settings, prefix, heading):
    settings.DATA_UPLOAD_MAX_NUMBER_FIELDS = 5
    response = client.post(f"{prefix}/accounts/login/", {f"f{i}": "x" for i in range(10)})
    assert response.status_code == 400
    page = html(response)
    assert LAYOUT in page and heading in page


# -- 429 ----------------------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("prefix", "heading"), [("", "Quá nhiều yêu cầu"), ("/en", "Too many requests")]
)
def test_a_throttled_sign_in_is_the_portal_s_429(client, settings, prefix, heading):
    """allauth's limit on the sign-in form answers through portal.urls.handler429."""
    settings.ACCOUNT_RATE_LIMITS = {"login": "2/m/ip"}
    form = {"login": "nobody@example.org", "password": "wrong-password"}
    assert client.post(f"{prefix}/accounts/login/", form).status_code == 200  # 1st: form errors
    assert client.post(f"{prefix}/accounts/login/", form).status_code == 200  # 2nd: at the limit
    response = client.post(f"{prefix}/accounts/login/", form)  # 3rd: over it
    assert response.status_code == 429
    page = html(response)
    assert LAYOUT in page and heading in page


def test_the_portal_s_own_limit_answers_the_same_429(client, settings):
    settings.PORTAL_RATE_LIMITS = {"receipt_verify": (1, 60)}
    proposal = Proposal.objects.filter(receipt_number__isnull=False).order_by("pk").first()
    url = f"/proposals/verify/{proposal.verification_code}/"
    assert client.get(url).status_code == 200
    response = client.get(url)
    assert response.status_code == 429
    assert "Quá nhiều yêu cầu" in html(response) and "Lỗi 429" in html(response)


# -- 500 ----------------------------------------------------------------------------------------


@override_settings(ROOT_URLCONF="tests.portal.errors_urls")
@pytest.mark.parametrize(
    ("prefix", "heading", "lang"),
    [("", "Đã có lỗi xảy ra", "vi"), ("/en", "Something went wrong", "en")],
)
def test_a_view_that_fails_is_the_portal_s_500(prefix, heading, lang):
    client = Client(raise_request_exception=False)
    response = client.get(f"{prefix}/broken/")
    assert response.status_code == 500
    page = html(response)
    assert LAYOUT in page and heading in page and f'<html lang="{lang}">' in page
    assert "portal.css" in page


def test_the_500_page_renders_without_the_database():
    """What failed may be the database itself: the 500 page asks it nothing."""
    from django.db import connection
    from django.test import RequestFactory
    from django.test.utils import CaptureQueriesContext

    from portal.errors import server_error

    request = RequestFactory().get("/proposals/")
    with CaptureQueriesContext(connection) as queries:
        response = server_error(request)
    assert response.status_code == 500 and len(queries) == 0
    assert "Đã có lỗi xảy ra" in html(response)


# -- the API answers JSON ------------------------------------------------------------------------


def test_an_unknown_api_address_is_a_json_404(client):
    response = client.get("/api/v1/khong-co/", HTTP_ACCEPT_LANGUAGE="en")
    assert response.status_code == 404
    assert response["Content-Type"].startswith("application/json")
    assert response.json() == {"detail": "Not found.", "code": "not_found"}


def test_a_missing_record_in_the_api_is_json_with_its_code(client):
    response = client.get(f"/api/v1/technologies/{10**9}/")
    assert response.status_code == 404
    body = response.json()
    assert body["code"] == "not_found" and body["detail"]


def test_a_refused_api_request_is_json_with_its_code(client):
    response = client.get("/api/v1/dossier-status/")  # a visitor: DRF refuses
    assert response.status_code == 403
    assert response.json()["code"] == "not_authenticated"
    assert response.json()["detail"]


def test_an_api_validation_error_keeps_its_messages_by_field(client_as):
    response = client_as("researcher@example.org").get(
        "/api/v1/dossier-status/?receipt=" + "X" * 50
    )
    assert response.status_code == 400
    assert "receipt" in response.json()


@override_settings(ROOT_URLCONF="tests.portal.errors_urls")
def test_a_fault_under_the_api_is_json():
    client = Client(raise_request_exception=False)
    response = client.get("/api/v1/broken/")
    assert response.status_code == 500
    assert response["Content-Type"].startswith("application/json")
    assert response.json()["code"] == "server_error"
