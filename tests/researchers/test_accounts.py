import re

import pytest
from django.contrib.auth import get_user_model
from django.core import mail

from core import roles
from core.models import RoleChange
from researchers import workflow
from researchers.models import Membership, Organisation

pytestmark = pytest.mark.django_db

SIGNUP = {
    "full_name": "Nguyễn Thị Lan",
    "email": "lan.nguyen@agu.edu.vn",
    "password1": "Lua-thom-2026!",
    "password2": "Lua-thom-2026!",
    "role": "researcher",
    "organisation_name": "ĐH An Giang",
    "consent": "on",
}


def confirmation_link(message):
    return re.search(r"https?://[^/\s]+(/\S*confirm-email/\S+/)", message.body).group(1)


def test_signup_verification_and_first_login_through_allauth(client):
    response = client.post("/accounts/signup/", SIGNUP)
    assert response.status_code == 302
    user = get_user_model().objects.get(email="lan.nguyen@agu.edu.vn")
    assert roles.has_role(user, roles.RESEARCHER)
    assert user.profile.full_name == "Nguyễn Thị Lan"
    # The organisation named is a request, matched to the existing one, until an officer confirms.
    assert user.profile.organisation is None
    request = Membership.objects.get(user=user)
    assert request.state == "requested"
    assert request.organisation.short_name == "ĐH An Giang"  # matched, not duplicated
    assert user.profile.data_consent_at is not None
    assert RoleChange.objects.filter(user=user, role=roles.RESEARCHER, changed_by=user).exists()

    # Mandatory verification: signing in before confirming only re-sends the e-mail.
    client.logout()
    login = client.post(
        "/accounts/login/", {"login": SIGNUP["email"], "password": SIGNUP["password1"]}
    )
    assert login.status_code == 302
    assert "confirm-email" in login["Location"]
    assert client.get("/dashboard/").status_code == 302

    assert len(mail.outbox) >= 1
    link = confirmation_link(mail.outbox[-1])
    assert client.get(link).status_code == 200
    confirmed = client.post(link)
    assert confirmed.status_code == 302
    login = client.post(
        "/accounts/login/", {"login": SIGNUP["email"], "password": SIGNUP["password1"]}
    )
    assert login["Location"] == "/dashboard/"
    assert "Nguyễn Thị Lan" in client.get("/dashboard/").content.decode()


def test_signup_without_consent_is_refused_and_keeps_what_was_typed(client):
    data = dict(SIGNUP, consent="")
    response = client.post("/accounts/signup/", data)
    assert response.status_code == 200
    html = response.content.decode()
    assert 'class="error-summary"' in html
    assert 'value="Nguyễn Thị Lan"' in html
    assert not get_user_model().objects.filter(email=SIGNUP["email"]).exists()


def test_business_signup_needs_a_tax_code_and_creates_the_company(client):
    data = dict(
        SIGNUP,
        email="giamdoc@htxmyphu.vn",
        role="business",
        organisation_name="HTX Nông nghiệp Mỹ Phú",
    )
    response = client.post("/accounts/signup/", data)
    assert response.status_code == 200
    assert not get_user_model().objects.filter(email="giamdoc@htxmyphu.vn").exists()

    client.post("/accounts/signup/", dict(data, tax_code="1602345678"))
    user = get_user_model().objects.get(email="giamdoc@htxmyphu.vn")
    assert roles.has_role(user, roles.BUSINESS)
    # The new company is recorded only when an officer confirms the request.
    assert user.profile.organisation is None
    assert not Organisation.objects.filter(tax_code="1602345678").exists()
    request = Membership.objects.get(user=user, state="requested")
    assert (request.organisation_name, request.tax_code) == ("HTX Nông nghiệp Mỹ Phú", "1602345678")
    officer = get_user_model().objects.get(email="officer@example.org")
    workflow.confirm(request, by=officer)
    user.profile.refresh_from_db()
    assert user.profile.organisation.kind == Organisation.Kind.BUSINESS
    assert user.profile.organisation.tax_code == "1602345678"


def test_signup_cannot_claim_a_staff_role(client):
    response = client.post("/accounts/signup/", dict(SIGNUP, role="officer"))
    assert response.status_code == 200
    assert not get_user_model().objects.filter(email=SIGNUP["email"]).exists()


def test_wrong_password_shows_an_error_and_no_session(client):
    response = client.post(
        "/accounts/login/", {"login": "researcher@example.org", "password": "sai-mat-khau"}
    )
    assert response.status_code == 200
    assert 'class="error-summary"' in response.content.decode()
    assert client.get("/dashboard/").status_code == 302


def test_researcher_signs_in_with_password_only(client):
    response = client.post(
        "/accounts/login/", {"login": "researcher@example.org", "password": "AnGiang@2025"}
    )
    assert response["Location"] == "/dashboard/"


def test_profile_page_saves_and_shows_errors_next_to_fields(client_as):
    client = client_as("researcher2@example.org")
    response = client.post(
        "/accounts/profile/",
        {"full_name": "Lê Thị Ngọc Hân", "orcid": "0000-0002-1825-0098", "title": "ths"},
    )
    html = response.content.decode()
    assert response.status_code == 200
    assert 'id="id_orcid_error"' in html
    response = client.post(
        "/accounts/profile/",
        {
            "full_name": "Lê Thị Ngọc Hân",
            "orcid": "0000-0002-1825-0097",
            "title": "ths",
            "expertise": "giống lúa thơm",
        },
    )
    assert response.status_code == 302


def test_account_e_mails_are_written_in_vietnamese(client):
    mail.outbox.clear()
    client.post("/accounts/signup/", SIGNUP)
    confirmation = mail.outbox[-1]
    assert "Xin chào từ" in confirmation.body
    assert "Bạn nhận được thư này vì người dùng" in confirmation.body
    assert "Please" not in confirmation.subject + confirmation.body
    mail.outbox.clear()
    client.logout()
    client.post("/accounts/password/reset/", {"email": "researcher@example.org"})
    reset = mail.outbox[-1]
    assert "yêu cầu đặt lại mật khẩu" in reset.body and "You're receiving" not in reset.body
    assert reset.subject == "[Sở KH&CN An Giang] Thư đặt lại mật khẩu"
